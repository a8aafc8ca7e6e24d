//! Keys hidden in escapes (`\u{41}`, `\u0041`, `&#x41;`, `&#65;`), base64, UTF-16 and URL
//! encoding are found, located where they start in the original file (in the UTF-16 text for
//! UTF-16 files), and marked with their `encoding`. testdata/encoded/ is written by
//! scripts/gen_encoded_testdata.py.

use crate::common::{assert_findings, parse_table, scan, scan_stdin};

/// Every finding in `testdata/encoded`. Columns: see `parse_table`.
/// - `k8s-secret.yaml`: a Kubernetes Secret whose `data:` values are the base64 key ID and
///   secret: paired through the decoded text; located at the key's base64 value.
/// - `credentials-secret.yaml`: a whole credentials file as one base64 value.
/// - `profile.ps1`: UTF-16LE with a byte-order mark (PowerShell); `uploader.reg`: UTF-16BE
///   without one, a key ID alone (high). Lines and columns count UTF-16 characters.
/// - `form-body.txt`: a form body whose secret has `%2F` / `%2B` in it: paired like a plain one.
pub const ENCODED: &str = "
    testdata/encoded/credentials-secret.yaml  6:56  aws_access_key  AKIAFRUVS7NI2Z7JX534  381492067153  critical  ciB27mXY85V0EQhP2erUlgqzX3naCzcF+JcMHqDy  6  -  real  kubernetes
    testdata/encoded/form-body.txt            4:27  aws_access_key  AKIAVRUVS7NI7WJ6W7P4  381492067153  critical  OPx3akCl1RXiU4Shsc/gumepyznfEhfxLWdPVT1L  4  -  real  generic
    testdata/encoded/k8s-secret.yaml          7:22  aws_access_key  AKIAVRUVS7NI4DS4CW3C  381492067153  critical  +UWLwxXDJM2iOGkr7pFHiG8eZ9Op0zv1yGhnmQHq  8  -  real  kubernetes
    testdata/encoded/profile.ps1              2:27  aws_access_key  AKIAFRUVS7NIXPY4QBDK  381492067153  critical  Z/ZfzqhniCoqtbp6TuwFM0KoQPqYp1oLfDYkHLib  3  -  real  sdk_code
    testdata/encoded/uploader.reg             4:14  aws_access_key  AKIAVRUVS7NIW7CAROZA  381492067153  high      -                                         -  -  real  generic
";

#[test]
fn encoded_testdata_exact_findings_and_encodings() {
    let run = scan(&["testdata/encoded", "--format", "json", "--show-secrets"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = run.findings();
    assert_findings(&found, &parse_table(ENCODED));
    let encodings: Vec<&str> = found
        .iter()
        .map(|f| f["encoding"].as_str().unwrap())
        .collect();
    assert_eq!(encodings, ["base64", "percent", "base64", "utf16", "utf16"]);
}

/// A base64 blob over the whole-run limit (here 50 MB on one line) is decoded only around the
/// encoded key: found, fast, with a warning; a plain key after it is not lost.
#[test]
fn huge_base64_blob_is_bounded_and_warned() {
    let mut text = String::from("blob: ");
    text.push_str(&"QUJD".repeat(50 << 18));
    // base64 of "\nAKIA2PSAGESIV6X5CIFQ\n", written out so the test shares no code.
    text.push_str("CkFLSUEyUFNBR0VTSVY2WDVDSUZRCg==");
    text.push_str(&format!("\nplain = \"{KEY}\"\n"));
    let run = scan_stdin(text.as_bytes(), &["--format", "json"]);
    assert_eq!(run.code, 1);
    let keys: Vec<(String, u64, Option<String>)> = run
        .findings()
        .iter()
        .map(|f| {
            (
                f["key_id"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["encoding"].as_str().map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            (
                "AKIA2PSAGESIV6X5CIFQ".to_string(),
                1,
                Some("base64".to_string())
            ),
            (KEY.to_string(), 2, None),
        ]
    );
    assert!(
        run.stderr
            .contains("a base64 run over 1 MiB: decoded only around encoded key IDs"),
        "{}",
        run.stderr
    );
    // No time limit here: a timed test flakes on a loaded machine (it did at 30 s with other
    // builds running). The warning above says the run was bounded; the release build takes
    // 0.2 s on this input.
}
const KEY: &str = "AKIAVRUVS7NI7XTJWVMC";

#[test]
fn escaped_key_ids_are_found_where_they_start() {
    let js: String = KEY.bytes().map(|b| format!("\\u{{{b:x}}}")).collect();
    let json: String = KEY.bytes().map(|b| format!("\\u{b:04x}")).collect();
    let html: String = KEY.bytes().map(|b| format!("&#x{b:x};")).collect();
    let dec: String = KEY.bytes().map(|b| format!("&#{b};")).collect();
    let text = format!(
        "const a = \"{js}\";\n{{\"b\": \"{json}\"}}\n<p>{html}</p>\nx={dec}\nplain {KEY}\n"
    );
    let run = scan_stdin(text.as_bytes(), &["--format", "json"]);
    assert_eq!(run.code, 1);
    let got: Vec<(String, u64, u64, Option<String>)> = run
        .findings()
        .iter()
        .map(|f| {
            (
                f["key_id"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["encoding"].as_str().map(str::to_string),
            )
        })
        .collect();
    let escaped = Some("escaped".to_string());
    assert_eq!(
        got,
        [
            (KEY.to_string(), 1, 12, escaped.clone()),
            (KEY.to_string(), 2, 8, escaped.clone()),
            (KEY.to_string(), 3, 4, escaped.clone()),
            (KEY.to_string(), 4, 3, escaped),
            (KEY.to_string(), 5, 7, None),
        ]
    );
}

/// A plain key ID whose secret is written in `\u` escapes: reported once, paired, and the
/// snippet (the decoded line) shows the secret redacted, not half of it as escapes.
#[test]
fn escaped_secret_pairs_with_a_plain_key_and_stays_redacted() {
    let secret = "q7Tn3Kv0Yb6Hw1Rj5Lm9Px2Cs4Df7Gu0Ei3Ao6BZ";
    let escaped: String = secret.bytes().map(|b| format!("\\u{b:04x}")).collect();
    let text = format!("{{\"id\":\"{KEY}\",\"secret\":\"{escaped}\"}}\n");
    let run = scan_stdin(text.as_bytes(), &["--format", "json"]);
    assert_eq!(run.code, 1);
    let found = run.findings();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["risk"], "critical");
    assert_eq!(found[0]["secret"], "q7Tn…");
    assert_eq!(found[0]["encoding"], "escaped");
    assert_eq!(
        (found[0]["line"].as_u64(), found[0]["column"].as_u64()),
        (Some(1), Some(8))
    );
    assert!(!run.stdout.contains(&secret[..12]) && !run.stdout.contains(&escaped[..24]));
}

/// Decoded text is decoded again, two levels deep: base64 values inside a UTF-16 file are
/// found, paired, and located in the UTF-16 text.
#[test]
fn base64_inside_utf16_is_found_two_levels_deep() {
    // base64 of AKIAVRUVS7NI7XTJWVMC and of the secret, written out.
    let text = "kind: Secret\r\ndata:\r\n  aws_access_key_id: QUtJQVZSVVZTN05JN1hUSldWTUM=\r\n  \
                aws_secret_access_key: cTdUbjNLdjBZYjZIdzFSajVMbTlQeDJDczREZjdHdTBFaTNBbzZCWg==\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let run = scan_stdin(&bytes, &["--format", "json", "--show-secrets"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = run.findings();
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    assert_eq!(f["key_id"], KEY);
    assert_eq!(f["secret"], "q7Tn3Kv0Yb6Hw1Rj5Lm9Px2Cs4Df7Gu0Ei3Ao6BZ");
    assert_eq!(f["risk"], "critical");
    assert_eq!(f["encoding"], "base64");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(3), Some(22))
    );
    assert_eq!(f["secret_line"], 4);
}
