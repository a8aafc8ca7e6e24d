//! Pairing in environment dumps: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
//! `AWS_SESSION_TOKEN` assigned once each in a blob are one credential, however far apart.
//!
//! `env`, `printenv`, `set`, `make -p`, `docker inspect` and CI debug logs print one
//! environment, and an environment holds one value per variable: the three values named by
//! the SDK's own variables belong together even when hundreds of lines separate them, in a
//! file of any size or kind. That holds only while each name is assigned once: a blob that
//! names a variable twice holds several environments (or a script setting it twice), and
//! nothing is paired. Runs after window pairing, on what it left alone; owns only this rule.

use super::key_id::KeyClass;
use super::{Detection, Span, secret};

const KEY_NAME: &[u8] = b"AWS_ACCESS_KEY_ID";
const SECRET_NAME: &[u8] = b"AWS_SECRET_ACCESS_KEY";
const TOKEN_NAMES: [&[u8]; 2] = [b"AWS_SESSION_TOKEN", b"AWS_SECURITY_TOKEN"];

/// Pairs, by the rule in the module docs. `found` is ordered by anchor and stays so.
pub(crate) fn pair_environment(hay: &[u8], found: &mut Vec<Detection>) {
    let named = |span: Span, names: &[&[u8]]| names.iter().any(|n| assigned_to(hay, span, n));
    // Every value each name is given, paired or not: one each, or nothing is paired.
    let (mut keys, mut secrets, mut tokens) = (Vec::new(), Vec::new(), Vec::new());
    for (i, d) in found.iter().enumerate() {
        if let Detection::Key {
            span,
            secret,
            token,
            ..
        } = d
        {
            if named(*span, &[KEY_NAME]) {
                keys.push(i);
            }
            secrets.extend(secret.filter(|s| named(*s, &[SECRET_NAME])).map(|_| None));
            tokens.extend(token.filter(|t| named(*t, &TOKEN_NAMES)).map(|_| None));
        }
        match d {
            Detection::Secret { span } if named(*span, &[SECRET_NAME]) => secrets.push(Some(*span)),
            Detection::Token { span } if named(*span, &TOKEN_NAMES) => tokens.push(Some(*span)),
            _ => {}
        }
    }
    let ([k], [Some(s)]) = (&keys[..], &secrets[..]) else {
        return;
    };
    let Detection::Key {
        key,
        secret: secret @ None,
        token,
        ..
    } = &mut found[*k]
    else {
        return;
    };
    if key.class() == KeyClass::Identifier
        || key.is_placeholder()
        || secret::is_placeholder(s.bytes(hay))
    {
        return;
    }
    *secret = Some(*s);
    let mut taken = vec![*s];
    if let ([Some(t)], None, KeyClass::Temporary) = (&tokens[..], *token, key.class()) {
        *token = Some(*t);
        taken.push(*t);
    }
    found.retain(|d| match d {
        Detection::Secret { span } | Detection::Token { span } => !taken.contains(span),
        _ => true,
    });
}

/// Is the value at `span` assigned to the variable `name` on its line: `NAME=v`, `NAME = v`,
/// `NAME := v` (make), `"NAME": "v"` (JSON), `export NAME='v'`?
fn assigned_to(hay: &[u8], span: Span, name: &[u8]) -> bool {
    let line = memchr::memrchr(b'\n', &hay[..span.start]).map_or(0, |i| i + 1);
    let mut before = &hay[line..span.start];
    let trim = |b: &mut &[u8]| {
        while let [rest @ .., b' ' | b'\t' | b'"' | b'\''] = *b {
            *b = rest;
        }
    };
    trim(&mut before);
    match before {
        [rest @ .., b':' | b'?' | b'+', b'='] | [rest @ .., b'=' | b':'] => before = rest,
        _ => return false,
    }
    trim(&mut before);
    before.strip_suffix(name).is_some_and(|rest| {
        !rest
            .last()
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::super::{BlobKind, DetectOptions, Detector};
    use super::*;

    const KEY: &str = "ASIAVRUVS7NIUJULA7YF";
    const SECRET: &str = "ABkcIpIGICgR0DkqXbpBuzxPSil4m4siFj4AEZ3w";
    const TOKEN: &str = "IQoJb3JpZ2luX2VjEFAaCXVzLWVhc3QtMSJHMEUCIQDdJ0Yw0xNVtAXbqXAr1e7l9sQ1zg6QsEZ4Vx2+Qv/3UwIgdrGmW7u7ygmJ3Z4LpTnHq0nYk8fOx2Uk5Kq3ECgiRxIq";

    fn filler(n: usize) -> String {
        (0..n)
            .map(|i| format!("# environment\nVAR_{i} = value {i}\n"))
            .collect()
    }

    /// (key ID, secret?, token?) of each key, and how many values stayed alone.
    fn pairs(text: &str) -> (Vec<(String, bool, bool)>, usize) {
        let found =
            Detector::new(DetectOptions::default()).detect_blob(text.as_bytes(), BlobKind::Other);
        let keys = found
            .plain
            .iter()
            .filter_map(|d| match d {
                Detection::Key {
                    key, secret, token, ..
                } => Some((key.to_string(), secret.is_some(), token.is_some())),
                _ => None,
            })
            .collect();
        let alone = found
            .plain
            .iter()
            .filter(|d| !matches!(d, Detection::Key { .. }))
            .count();
        (keys, alone)
    }

    #[test]
    fn a_make_dump_pairs_its_one_credential() {
        let text = format!(
            "{}AWS_SECRET_ACCESS_KEY = {SECRET}\n{}AWS_ACCESS_KEY_ID = {KEY}\n{}\
             AWS_SESSION_TOKEN = {TOKEN}\n",
            filler(10),
            filler(40),
            filler(12)
        );
        assert_eq!(pairs(&text), (vec![(KEY.to_string(), true, true)], 0));
        // The same three as `export` lines and JSON.
        let text = format!(
            "export AWS_ACCESS_KEY_ID='{KEY}'\n{}export AWS_SECRET_ACCESS_KEY='{SECRET}'\n",
            filler(60)
        );
        assert_eq!(pairs(&text), (vec![(KEY.to_string(), true, false)], 0));
        let text = format!(
            "{{\"AWS_ACCESS_KEY_ID\": \"{KEY}\",\n{}\"AWS_SECRET_ACCESS_KEY\": \"{SECRET}\"}}\n",
            filler(60)
        );
        assert_eq!(pairs(&text), (vec![(KEY.to_string(), true, false)], 0));
    }

    #[test]
    fn a_name_given_twice_pairs_nothing() {
        let other = "AKIA2PSAGESIRWAO6JP6";
        let text = format!(
            "AWS_ACCESS_KEY_ID={KEY}\n{}AWS_ACCESS_KEY_ID={other}\n{}AWS_SECRET_ACCESS_KEY={SECRET}\n",
            filler(60),
            filler(60)
        );
        assert_eq!(
            pairs(&text),
            (
                vec![
                    (KEY.to_string(), false, false),
                    (other.to_string(), false, false)
                ],
                1
            )
        );
    }

    #[test]
    fn other_names_and_look_alikes_pair_nothing() {
        for (k, s) in [
            ("MY_AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
            ("AWS_ACCESS_KEY_ID", "OLD_AWS_SECRET_ACCESS_KEY"),
            ("aws_access_key_id", "aws_secret_access_key"),
        ] {
            let text = format!("{k}={KEY}\n{}{s}={SECRET}\n", filler(60));
            assert_eq!(
                pairs(&text),
                (vec![(KEY.to_string(), false, false)], 1),
                "{k} {s}"
            );
        }
    }

    #[test]
    fn names_are_read_exactly() {
        let span = |text: &str, value: &str| {
            let start = text.find(value).unwrap();
            Span {
                start,
                end: start + value.len(),
            }
        };
        for text in [
            "AWS_ACCESS_KEY_ID=v",
            "x AWS_ACCESS_KEY_ID := v",
            "\"AWS_ACCESS_KEY_ID\": \"v",
            "AWS_ACCESS_KEY_ID ?= v",
        ] {
            assert!(
                assigned_to(text.as_bytes(), span(text, "v"), KEY_NAME),
                "{text}"
            );
        }
        for text in [
            "XAWS_ACCESS_KEY_ID=v",
            "AWS_ACCESS_KEY_ID v",
            "AWS_ACCESS_KEY_ID=\nv",
        ] {
            assert!(
                !assigned_to(text.as_bytes(), span(text, "v"), KEY_NAME),
                "{text}"
            );
        }
    }
}
