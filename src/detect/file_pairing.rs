//! File-wide pairing in small configuration files: a key ID and a secret, each announced by
//! its keyword, pair however far apart they are when the window (`pairing`) left both alone.
//!
//! The detector reads no paths, so the scan layer says what a blob is ([`BlobKind`]). In a
//! [`BlobKind::Config`] blob, after window pairing:
//! - candidates are key IDs (long-term or temporary, not placeholders) that got no secret and
//!   have an access-key keyword before them on their line or the line before
//!   (`keywords::access_keyword_before`), and secrets reported alone (each announced by a
//!   secret keyword by construction) that are not placeholders;
//! - when there are as many candidate keys as candidate secrets, the i-th key in order of
//!   appearance takes the i-th secret; otherwise nothing is paired.
//!
//! Why by order and only on equal counts: configuration files list credentials in a regular
//! structure (profiles, environments, Terraform outputs), so the n-th ID and the n-th secret
//! belong together; with one of each, that is the only reading. When the counts differ, some
//! key has no secret in the file and there is no telling which: shifting the rest would pair
//! wrong ones, so all stay alone. Why keywords on both sides: an ID in an allow list or a
//! comment is not a credential's ID. Why small files only (the scan layer's limit): in a large
//! dump, far-apart values are rarely one credential.

use super::key_id::KeyClass;
use super::{Detection, Span, keywords, secret};

/// What the scan layer knows about a blob that its bytes do not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum BlobKind {
    /// Anything else: pairing stays within the window.
    #[default]
    Other,
    /// A small configuration file (ini, env, JSON, YAML, HCL, tfstate, XML, properties, ...):
    /// keyword-announced key IDs and secrets also pair file-wide.
    Config,
}

/// Pairs what the window left alone, by the rule in the module docs. `found` is ordered by
/// anchor and stays so.
pub(crate) fn pair_file_wide(hay: &[u8], found: &mut Vec<Detection>) {
    let keys: Vec<usize> = found
        .iter()
        .enumerate()
        .filter_map(|(i, d)| match d {
            Detection::Key {
                key,
                span,
                secret: None,
                ..
            } if key.class() != KeyClass::Identifier
                && !key.is_placeholder()
                && keywords::access_keyword_before(hay, span.start) =>
            {
                Some(i)
            }
            _ => None,
        })
        .collect();
    let secrets: Vec<Span> = found
        .iter()
        .filter_map(|d| match d {
            Detection::Secret { span } if !secret::is_placeholder(span.bytes(hay)) => Some(*span),
            _ => None,
        })
        .collect();
    if keys.is_empty() || keys.len() != secrets.len() {
        return;
    }
    for (&k, &s) in keys.iter().zip(&secrets) {
        if let Detection::Key { secret, .. } = &mut found[k] {
            *secret = Some(s);
        }
    }
    found.retain(|d| !matches!(d, Detection::Secret { span } if secrets.contains(span)));
}

#[cfg(test)]
mod tests {
    use super::super::{DetectOptions, Detector};
    use super::*;

    const K1: &str = "AKIAVRUVS7NIUJULA7YF";
    const K2: &str = "AKIA2PSAGESIRWAO6JP6";
    const S1: &str = "ABkcIpIGICgR0DkqXbpBuzxPSil4m4siFj4AEZ3w";
    const S2: &str = "edUeJmWzF/9BCdhIaa1hhZ/8GFgypivOIPGrJl0h";

    /// (key ID or "", secret or "") per detection, after file-wide pairing.
    fn pairs(text: &str, kind: BlobKind) -> Vec<(String, String)> {
        let hay = text.as_bytes();
        let found = Detector::new(DetectOptions::default()).detect_blob(hay, kind);
        let s = |span: Option<Span>| {
            span.map(|s| String::from_utf8_lossy(s.bytes(hay)).into_owned())
                .unwrap_or_default()
        };
        found
            .plain
            .into_iter()
            .map(|d| match d {
                Detection::Key { key, secret, .. } => (key.to_string(), s(secret)),
                Detection::Secret { span } => (String::new(), s(Some(span))),
                Detection::Token { span } => (String::new(), s(Some(span))),
                Detection::Presigned { key, .. } => (key.to_string(), String::new()),
            })
            .collect()
    }

    fn p(k: &str, s: &str) -> (String, String) {
        (k.to_string(), s.to_string())
    }

    fn gap(n: usize) -> String {
        (0..n).map(|i| format!("setting.{i}=value{i}\n")).collect()
    }

    #[test]
    fn one_key_and_one_secret_far_apart() {
        let text = format!("aws.accessKeyId={K1}\n{}aws.secretKey={S1}\n", gap(40));
        assert_eq!(pairs(&text, BlobKind::Config), vec![p(K1, S1)]);
        assert_eq!(
            pairs(&text, BlobKind::Other),
            vec![p(K1, ""), p("", S1)],
            "outside configuration files the window rules"
        );
    }

    #[test]
    fn several_pair_by_order_of_appearance() {
        let text = format!(
            "dev.aws_access_key_id={K1}\nprod.aws_access_key_id={K2}\n{}\
             dev.aws_secret_access_key={S1}\n{}prod.aws_secret_access_key={S2}\n",
            gap(10),
            gap(10)
        );
        assert_eq!(pairs(&text, BlobKind::Config), vec![p(K1, S1), p(K2, S2)]);
    }

    #[test]
    fn unequal_counts_pair_nothing() {
        let text = format!(
            "a_access_key={K1}\n{}b_access_key={K2}\n{}aws_secret_access_key={S1}\n",
            gap(10),
            gap(10)
        );
        assert_eq!(
            pairs(&text, BlobKind::Config),
            vec![p(K1, ""), p(K2, ""), p("", S1)]
        );
    }

    #[test]
    fn the_key_needs_an_access_key_keyword() {
        let text = format!(
            "allowed_ids = [\"{K1}\"]\n{}aws_secret_access_key={S1}\n",
            gap(10)
        );
        assert_eq!(pairs(&text, BlobKind::Config), vec![p(K1, ""), p("", S1)]);
        // A secret keyword on the line before is not an access-key keyword.
        let text = format!(
            "aws_secret_access_key:\n  {K1}\n{}aws_secret_access_key={S1}\n",
            gap(10)
        );
        assert_eq!(pairs(&text, BlobKind::Config), vec![p(K1, ""), p("", S1)]);
    }

    #[test]
    fn window_pairs_are_kept_and_placeholders_stay_out() {
        let text = format!(
            "aws_access_key_id={K1}\naws_secret_access_key={S1}\n{}\
             aws_access_key_id=AKIAIOSFODNN7EXAMPLE\n{}aws_secret_access_key={S2}\n",
            gap(10),
            gap(10)
        );
        assert_eq!(
            pairs(&text, BlobKind::Config),
            vec![p(K1, S1), p("AKIAIOSFODNN7EXAMPLE", ""), p("", S2)]
        );
    }
}
