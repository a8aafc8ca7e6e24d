//! Regressions: inputs keyleak once got wrong (found while writing the testdata tests), kept
//! so they stay fixed.

use crate::common::scan_stdin;

const TMP_KEY: &str = "ASIAVRUVS7NI7XTJWVMC";
const TMP_SECRET: &str = "Yc+TiPWMX9XTn0uR4Ec1Vt/1uDgaBCt5O6xYBzw2";
const SECRET: &str = "ztIlqWOx3DJsJi0cBD5bC9KRTELpsjRC76v7wV0W";

/// A session token shaped like an STS one: known prefix, several hundred base64 characters.
fn token() -> String {
    let mut t = String::from("IQoJb3JpZ2luX2VjUZB/0yk89wCK60gWPYNsZCkwIM+f5F0WwvOWd1IeAeqdv3Qs");
    while t.len() < 420 {
        t.push_str("6nGNiOGukSXvt3JZ9sD7iSOD+qYOS5xwDQSudgUSm9A4rBrESMgUqMVXxXCbD/CH");
    }
    t
}

/// `AWS_SESSION_TOKEN=IQoJ…` (the `.env` and `export` shape): the token value is taken from
/// the `=`, because `=` is in the token alphabet (base64 padding). So the reported token is
/// `=IQoJ…` (redacted `=IQo…`), its column points at the `=`, and its fingerprint hashes the
/// wrong value. With a space (`aws_session_token = IQoJ…`) or a quote it is right.
#[test]
fn token_after_equals_sign_starts_at_the_token() {
    let token = token();
    let paired = format!(
        "AWS_ACCESS_KEY_ID={TMP_KEY}\nAWS_SECRET_ACCESS_KEY={TMP_SECRET}\nAWS_SESSION_TOKEN={token}\n"
    );
    let run = scan_stdin(paired.as_bytes(), &["--format", "json", "--show-secrets"]);
    let f = &run.findings()[0];
    assert_eq!(f["key_id"], TMP_KEY);
    assert_eq!(f["session_token"].as_str(), Some(token.as_str()));

    let alone = format!("AWS_SESSION_TOKEN={token}\n");
    let run = scan_stdin(alone.as_bytes(), &["--format", "json", "--show-secrets"]);
    let f = &run.findings()[0];
    assert_eq!(f["kind"], "aws_session_token");
    assert_eq!(
        f["column"], 19,
        "the token starts after `AWS_SESSION_TOKEN=`"
    );
    assert_eq!(f["session_token"].as_str(), Some(token.as_str()));
}

/// A template that kept AWS's documentation key ID but got a real secret: the secret pairs
/// with the example key, the finding is rated `info` because the key ID is a placeholder,
/// and the run exits 0. A real, random secret access key must not pass silently: it is at
/// least a lone secret (high).
#[test]
fn real_secret_next_to_a_documentation_key_id_still_fails() {
    let text = format!(
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = {SECRET}\n"
    );
    let run = scan_stdin(text.as_bytes(), &["--format", "json", "--show-secrets"]);
    assert_eq!(run.code, 1, "a real secret fails the run");
    let findings = run.findings();
    assert!(
        findings
            .iter()
            .any(|f| f["secret"] == SECRET
                && matches!(f["risk"].as_str(), Some("high" | "critical"))),
        "{findings:#?}"
    );
}

/// Windows line endings: the snippet once kept the `\r` as U+FFFD at its end
/// (`aws_access_key_id = AKIA…�`): control characters were replaced before the trim.
#[test]
fn crlf_line_ending_is_not_part_of_the_snippet() {
    let text = format!(
        "[default]\r\naws_access_key_id = AKIAVRUVS7NIUJULA7YF\r\naws_secret_access_key = {SECRET}\r\n"
    );
    let run = scan_stdin(text.as_bytes(), &["--format", "json"]);
    let f = &run.findings()[0];
    assert_eq!(f["snippet"], "aws_access_key_id = AKIAVRUVS7NIUJULA7YF");
}

/// An allow marker counts only where a reviewer sees it (issue 16, D8): one inside base64
/// text allows nothing once decoded, and one at the top of a minified line does not hide the
/// keys far along it. Near the key, on its line, it still allows.
#[test]
fn allow_markers_count_only_visible_and_near() {
    // base64 of "AWS_ACCESS_KEY_ID=AKIAVRUVS7NIUJULA7YF # keyleak:allow\n
    // AWS_SECRET_ACCESS_KEY=<SECRET>\n", written out so the test shares no code.
    let encoded = "QVdTX0FDQ0VTU19LRVlfSUQ9QUtJQVZSVVZTN05JVUpVTEE3WUYgIyBrZXlsZWFrOmFsbG93CkFXU19TRUNSRVRfQUNDRVNTX0tFWT1abTlIcTJMdzhLeFQzdlJwWTdjTjFkQnM2RmdKMGFVZVZpNG9XdFFrCg==";
    let yaml = format!("apiVersion: v1\nkind: Secret\ndata:\n  credentials: {encoded}\n");
    let run = scan_stdin(yaml.as_bytes(), &["--format", "json"]);
    let found = run.findings();
    assert_eq!(found.len(), 1, "{}", run.stdout);
    assert_eq!(found[0]["key_id"], "AKIAVRUVS7NIUJULA7YF");
    assert_eq!(found[0]["risk"], "critical");
    assert_eq!(found[0]["encoding"], "base64");
    assert_eq!(run.json()["summary"]["suppressed"]["inline"], 0);

    let (k1, k2) = ("AKIAVRUVS7NIUJULA7YF", "AKIAUJZDEGXDNCF32EPF");
    let bundle = format!(
        "/*! lib v1 | see gitleaks:allow docs */var a=1;{}var c={{accessKeyId:\"{k1}\"}};{}\
         var d={{accessKeyId:\"{k2}\"}};/* keyleak:allow */\n",
        "var x=1;".repeat(1000),
        "var y=2;".repeat(1000),
    );
    let run = scan_stdin(bundle.as_bytes(), &["--format", "json"]);
    let keys: Vec<String> = run
        .findings()
        .iter()
        .map(|f| f["key_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys, [k1], "{}", run.stdout);
    assert_eq!(run.json()["summary"]["suppressed"]["inline"], 1);
}
