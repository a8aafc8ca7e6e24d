//! Session token metadata through the CLI: the region and account a current STS token
//! (`IQoJb3JpZ2luX2Vj…`) carries in clear text, the flag when the account is not the one its
//! temporary key ID encodes, and that junk shaped like a token never breaks a scan.
//!
//! Tokens are generated here from the publicly described layout (a format byte `0x21`, then
//! protobuf fields: `origin_ec`, a key number, the region, a signature, a nested message whose
//! third field is the account in ASCII, a creation time, encrypted data), independently of
//! keyleak's reader. The two tokens in `testdata/positive` were made by [`token`] too.

use serde_json::Value;

use crate::common::{scan, scan_stdin};

/// splitmix64: filler bytes where real tokens carry signatures and ciphertext.
struct Filler(u64);

impl Filler {
    fn take(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
        }
        out.truncate(n);
        out
    }
}

fn varint(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let low = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(low);
            return out;
        }
        out.push(low | 0x80);
    }
}

/// A length-delimited field: tag (field number, wire type 2), length, bytes.
fn field(number: u64, body: &[u8]) -> Vec<u8> {
    let mut out = varint(number << 3 | 2);
    out.extend(varint(body.len() as u64));
    out.extend_from_slice(body);
    out
}

/// A varint field (wire type 0).
fn number(number: u64, value: u64) -> Vec<u8> {
    let mut out = varint(number << 3);
    out.extend(varint(value));
    out
}

fn base64(bytes: &[u8]) -> String {
    let alphabet: Vec<char> = ('A'..='Z')
        .chain('a'..='z')
        .chain('0'..='9')
        .chain(['+', '/'])
        .collect();
    let mut out = String::new();
    for group in bytes.chunks(3) {
        let mut n = [0u8; 3];
        n[..group.len()].copy_from_slice(group);
        let v = u32::from(n[0]) << 16 | u32::from(n[1]) << 8 | u32::from(n[2]);
        for i in 0..4 {
            out.push(if i <= group.len() {
                alphabet[(v >> (18 - 6 * i) & 0x3f) as usize]
            } else {
                '='
            });
        }
    }
    out
}

/// A session token with the layout real `IQoJ…` tokens have, about 960 characters.
pub fn token(region: Option<&str>, account: Option<&str>, seed: u64) -> String {
    let mut fill = Filler(seed);
    let mut signature = vec![0x30, 0x46];
    signature.extend(fill.take(70));
    let mut session = number(1, u64::MAX - 92);
    session.extend(number(2, 1));
    if let Some(a) = account {
        session.extend(field(3, a.as_bytes()));
    }
    session.extend(field(4, &fill.take(12)));
    session.extend(field(5, &fill.take(400)));
    let mut bytes = vec![0x21];
    bytes.extend(field(1, b"origin_ec"));
    bytes.extend(number(2, 61));
    if let Some(r) = region {
        bytes.extend(field(3, r.as_bytes()));
    }
    bytes.extend(field(4, &signature));
    bytes.extend(field(5, &session));
    bytes.extend(number(6, 1_718_352_000));
    bytes.extend(field(7, &fill.take(160)));
    base64(&bytes)
}

const PREFIX: &str = "IQoJb3JpZ2luX2Vj";

/// The token in a testdata file: from its prefix to the first byte outside base64.
fn token_in(path: &str) -> String {
    let text = std::fs::read_to_string(format!("{}/{path}", crate::common::ROOT)).unwrap();
    let at = text.find(PREFIX).expect("a token");
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        .collect()
}

const MATCHING: &str = "testdata/positive/sts/assume-role.json";
const MISMATCHED: &str = "testdata/positive/ci/assume_role.sh";

#[test]
fn testdata_tokens_are_generated_ones() {
    assert_eq!(
        token_in(MATCHING),
        token(Some("eu-west-3"), Some("720615384209"), 1)
    );
    assert_eq!(
        token_in(MISMATCHED),
        token(Some("us-east-2"), Some("493817260574"), 2)
    );
}

/// (key ID, account_id, token_region, token_account, token_account_mismatch); absent fields
/// as `None`, and any other type is a failure.
type Meta = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<bool>,
);

fn meta(f: &Value) -> Meta {
    let text = |name: &str| match f.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => panic!("{name} is not a string: {other}"),
    };
    let flag = match f.get("token_account_mismatch") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(other) => panic!("token_account_mismatch is not a bool: {other}"),
    };
    (
        text("key_id"),
        text("account_id"),
        text("token_region"),
        text("token_account"),
        flag,
    )
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

#[test]
fn region_account_and_mismatch_in_json() {
    let run = scan(&[MATCHING, MISMATCHED, "--format", "json"]);
    assert_eq!(run.code, 1);
    let got: Vec<(String, Meta)> = run
        .findings()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), meta(f)))
        .collect();
    assert_eq!(
        got,
        [
            (
                MISMATCHED.to_string(),
                (
                    some("ASIAS73GWDLBPACFRVGM"),
                    some("205836917442"),
                    some("us-east-2"),
                    some("493817260574"),
                    Some(true)
                )
            ),
            (
                MATCHING.to_string(),
                (
                    some("ASIA2PSAGESIXFWFUUEI"),
                    some("720615384209"),
                    some("eu-west-3"),
                    some("720615384209"),
                    Some(false)
                )
            ),
        ]
    );
    // The same fields in JSON Lines.
    let lines = scan(&[MATCHING, MISMATCHED, "--format", "jsonl"]);
    let from_lines: Vec<Meta> = lines
        .stdout
        .lines()
        .map(|l| meta(&serde_json::from_str(l).unwrap()))
        .collect();
    assert_eq!(
        from_lines,
        got.into_iter().map(|(_, m)| m).collect::<Vec<_>>()
    );
}

#[test]
fn one_human_line_per_token() {
    let run = scan(&[MATCHING, MISMATCHED]);
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("= token:"))
        .collect();
    assert_eq!(
        lines,
        [
            "= token: region us-east-2, account 493817260574, not the key's account \
             205836917442: they may not belong together",
            "= token: region eu-west-3, account 720615384209",
        ]
    );
}

/// SARIF carries the same fields in each result's properties, and SARIF and GitHub messages
/// the human sentence.
#[test]
fn sarif_and_github_carry_the_token_metadata() {
    let sarif: Value =
        serde_json::from_str(&scan(&[MISMATCHED, "--format", "sarif"]).stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    let props = &result["properties"];
    assert_eq!(props["token_region"], "us-east-2");
    assert_eq!(props["token_account"], "493817260574");
    assert_eq!(props["token_account_mismatch"], true);
    let sentence = "token: region us-east-2, account 493817260574, not the key's account \
                    205836917442: they may not belong together";
    assert!(
        result["message"]["text"]
            .as_str()
            .unwrap()
            .contains(sentence),
        "{result:#}"
    );
    let github = scan(&[MISMATCHED, "--format", "github"]).stdout;
    assert!(
        github.contains(". token: region us-east-2, account 493817260574, not"),
        "{github}"
    );
}

/// A token with no key ID near it still names its region and account; with no key account
/// there is nothing to compare, so no mismatch field.
#[test]
fn a_lone_token_names_its_account() {
    let t = token(Some("ap-southeast-2"), Some("205836917442"), 3);
    let run = scan_stdin(
        format!("aws_session_token = {t}\n").as_bytes(),
        &["--format", "json"],
    );
    let findings = run.findings();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["kind"], "aws_session_token");
    assert_eq!(findings[0]["risk"], "low");
    assert_eq!(
        meta(&findings[0]),
        (
            None,
            None,
            some("ap-southeast-2"),
            some("205836917442"),
            None
        )
    );
}

/// Each field is left out when the token does not carry it, and old token formats carry none.
#[test]
fn missing_values_are_left_out() {
    let key = "ASIA2PSAGESIXFWFUUEI";
    let region_only = token(Some("us-gov-west-1"), None, 4);
    let account_only = token(None, Some("720615384209"), 5);
    let neither = token(None, None, 6);
    let old = format!("FwoGZXIvYXdz{}", &token(Some("us-east-1"), None, 7)[16..]);
    let mut text = String::new();
    for t in [&region_only, &account_only, &neither, &old] {
        text.push_str(&format!(
            "[profile]\naws_access_key_id = {key}\naws_session_token = {t}\n\n\n\n\n\n\n"
        ));
    }
    let run = scan_stdin(text.as_bytes(), &["--format", "json"]);
    let got: Vec<Meta> = run.findings().iter().map(meta).collect();
    let k = || (some(key), some("720615384209"));
    assert_eq!(
        got,
        [
            (k().0, k().1, some("us-gov-west-1"), None, None),
            (k().0, k().1, None, some("720615384209"), Some(false)),
            (k().0, k().1, None, None, None),
            (k().0, k().1, None, None, None),
        ]
    );
}

/// Bytes after the prefix that are no token message: huge and overflowing lengths, varints
/// that never end, a message cut inside a field, noise. Each is reported as a token, alone,
/// without metadata (the one with a whole region field before the junk keeps its region).
#[test]
fn junk_after_the_prefix_never_breaks_a_scan() {
    let mut fill = Filler(99);
    let junk: Vec<Vec<u8>> = vec![
        [vec![0x2a], vec![0xff; 9], vec![0x01]].concat(),
        vec![0x2a, 0xff, 0xff, 0xff, 0xff, 0x0f],
        vec![0xff; 8],
        vec![0x1a, 0x09],
        [field(3, b"us-east-1"), vec![0x2a, 0xc0, 0x03, 0x08]].concat(),
        fill.take(40),
        vec![0; 12],
    ];
    let mut text = String::new();
    for (i, j) in junk.iter().enumerate() {
        let mut bytes = j.clone();
        // Long enough to be a token (100+ characters) whatever the junk.
        bytes.extend(Filler(i as u64).take(300));
        text.push_str(&format!("{PREFIX}{}\n\n\n", base64(&bytes)));
    }
    let run = scan_stdin(text.as_bytes(), &["--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let got: Vec<(String, Meta)> = run
        .findings()
        .iter()
        .map(|f| (f["kind"].as_str().unwrap().to_string(), meta(f)))
        .collect();
    let alone = |region: Option<String>| {
        (
            "aws_session_token".to_string(),
            (None, None, region, None, None),
        )
    };
    let mut want = vec![alone(None); junk.len()];
    want[4] = alone(some("us-east-1"));
    assert_eq!(got, want);
}
