//! Presigned URLs: one `presigned_url` finding per signing key ID, its expiry computed from
//! the URL (`X-Amz-Date` + `X-Amz-Expires`, capped at 7 days; SigV2 `Expires`), `low` while
//! valid or unknown and `info` once expired, and the URL's signature and token never printed.
//! Runs fix "now" with `KEYLEAK_NOW`; testdata/README.md says what each file holds.

use serde_json::{Value, json};

use crate::common::{FIXED_NOW, scan_at, scan_stdin_at};

/// 2025-01-01T00:00:00Z.
const JAN1_2025: i64 = 1_735_689_600;

/// The expiry fields of one finding, as the tests compare them.
#[derive(Debug, PartialEq)]
struct Row {
    at: String,
    kind: String,
    key_id: String,
    risk: String,
    expired: Value,
    expires_at: Value,
    presigned: Value,
    has_secret: bool,
    session_token: Value,
}

fn rows(findings: &[Value]) -> Vec<Row> {
    findings
        .iter()
        .map(|f| Row {
            at: format!(
                "{}:{}:{}",
                f["path"].as_str().unwrap(),
                f["line"],
                f["column"]
            ),
            kind: f["kind"].as_str().unwrap().into(),
            key_id: f["key_id"].as_str().unwrap_or("-").into(),
            risk: f["risk"].as_str().unwrap().into(),
            expired: f["expired"].clone(),
            expires_at: f["expires_at"].clone(),
            presigned: f["presigned"].clone(),
            has_secret: f["has_secret"].as_bool().unwrap(),
            session_token: f["session_token"].clone(),
        })
        .collect()
}

/// Parses [`PRESIGNED`]: one finding per line, columns separated by spaces, `-` for null.
fn table() -> Vec<Row> {
    let opt = |c: &str| (c != "-").then(|| c.to_string());
    PRESIGNED
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(|l| {
            let c: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(c.len(), 9, "{l}");
            Row {
                at: format!("testdata/positive/presigned/{}", c[0]),
                kind: "presigned_url".into(),
                key_id: c[1].into(),
                risk: c[2].into(),
                expired: json!(c[3] == "expired"),
                expires_at: json!(opt(c[4])),
                presigned: json!({
                    "signature_version": c[5],
                    "signed_at": opt(c[6]),
                    "expires_in": opt(c[7]).map(|n| n.parse::<i64>().unwrap()),
                    "lifetime_capped": c[8] == "capped",
                }),
                has_secret: false,
                session_token: Value::Null,
            }
        })
        .collect()
}

/// Every finding in testdata/positive/presigned at [`FIXED_NOW`], 2026-06-01T12:00:00Z.
const PRESIGNED: &str = "
    // path:line:col           key_id                risk  expired  expires_at            version  signed_at             expires_in  capped
    access.log:1:93            AKIAVRUVS7NI3SH2AK3B  low   valid    2026-06-02T12:00:00Z  sigv2    -                     -           -
    access.log:2:155           AKIAS73GWDLBGKFC26BO  info  expired  2023-11-14T22:13:20Z  sigv2    -                     -           -
    access.log:3:127           AKIA2PSAGESIQFQ3JTZ7  low   valid    -                     sigv4    -                     -           -
    api-response.json:4:130    AKIAVRUVS7NI7K6MN6W5  info  expired  2026-06-01T00:00:00Z  sigv4    2026-05-31T12:00:00Z  43200       -
    download.html:6:144        ASIA2PSAGESIQEWFDYAJ  low   valid    2026-06-01T12:05:00Z  sigv4    2026-06-01T11:50:00Z  900         -
    redirect.log:2:177         ASIA2PSAGESIUJZDEGXD  low   valid    2026-06-01T12:30:00Z  sigv4    2026-06-01T11:30:00Z  3600        -
    redirect.log:3:98          AKIAS73GWDLBNCF32EPF  info  expired  2023-11-14T22:13:20Z  sigv2    -                     -           -
    share-links.md:5:146       AKIAVRUVS7NIRKJYE62L  low   valid    2026-06-02T09:00:00Z  sigv4    2026-06-01T09:00:00Z  86400       -
    share-links.md:6:164       AKIA2PSAGESI4L34XAVW  info  expired  2025-01-10T09:30:00Z  sigv4    2025-01-10T08:30:00Z  3600        -
    share-links.md:7:186       AKIAS73GWDLBGJ7U6WOO  low   valid    2026-06-06T12:00:00Z  sigv4    2026-05-30T12:00:00Z  1209600     capped
";

/// Why the rows of [`PRESIGNED`] are what they are:
/// - access.log 1: SigV2, `Expires` = now + 24 h: valid, low. 2: SigV2 expired in 2023, the
///   key last in the query: info. 3: SigV4 logged without `X-Amz-Date`/`X-Amz-Expires`:
///   expiry unknown, low.
/// - api-response.json: Go's JSON writes `&` as `\u0026`; 2026-05-31T12:00Z + 12 h is
///   midnight: expired, info.
/// - download.html: `&amp;` separators, ASIA key with its session token (decoded from the
///   URL), 11:50 + 15 min: valid, low.
/// - redirect.log: presigned URLs URL-encoded inside another URL's query (a login redirect's
///   `next=`, a form body): 2, SigV4 with a token encoded twice, 11:30 + 1 h: valid, low;
///   3, SigV2 expired in 2023: info.
/// - share-links.md: 09:00 + 24 h valid (low); a January 2025 link (info); 14 days asked,
///   capped at 7 from 2026-05-30T12:00Z, so valid until 06-06 (low).
#[test]
fn presigned_testdata_exact() {
    let run = scan_at(
        FIXED_NOW,
        &[
            "testdata/positive/presigned",
            "--format",
            "json",
            "--show-secrets",
        ],
    );
    assert_eq!(
        run.code, 1,
        "valid presigned URLs are low: they fail at --fail-on low"
    );
    let mut want = table();
    want[4].session_token = json!(url_token("download.html", "=", "&amp;", "%"));
    // In redirect.log the whole URL, token included, is encoded once more.
    want[5].session_token = json!(url_token("redirect.log", "%3D", "%26", "%25"));
    let findings = run.findings();
    assert_eq!(rows(&findings), want);
    for f in &findings {
        assert_eq!(f["has_session_token"], f["session_token"].is_string());
        assert!(f.get("canary").is_none(), "canary is left out when false");
    }
}

/// The `X-Amz-Security-Token` of testdata file `file`, written with `eq` after its name and
/// `sep` after its value, its `+`, `/` and `=` escaped as `{pct}2B`, `{pct}2F`, `{pct}3D`:
/// decoded, as keyleak must report it (worked out here by plain replacement, not keyleak's
/// decoder).
fn url_token(file: &str, eq: &str, sep: &str, pct: &str) -> String {
    let text = testdata(file);
    let encoded = text
        .split(&format!("X-Amz-Security-Token{eq}"))
        .nth(1)
        .unwrap()
        .split(sep)
        .next()
        .unwrap();
    let decoded = encoded
        .replace(&format!("{pct}2B"), "+")
        .replace(&format!("{pct}2F"), "/")
        .replace(&format!("{pct}3D"), "=");
    assert!(decoded.starts_with("IQoJb3JpZ2luX2Vj") && !decoded.contains('%'));
    decoded
}

/// The same file read on other days: before the January link expired every URL is live; a
/// year later all are dead and nothing fails the build.
#[test]
fn expiry_follows_now() {
    let risks = |now: i64| -> (i32, Vec<(String, bool)>) {
        let run = scan_at(
            now,
            &[
                "testdata/positive/presigned/share-links.md",
                "--format",
                "json",
            ],
        );
        let r = run
            .findings()
            .iter()
            .map(|f| {
                (
                    f["risk"].as_str().unwrap().to_string(),
                    f["expired"].as_bool().unwrap(),
                )
            })
            .collect();
        (run.code, r)
    };
    let live = ("low".to_string(), false);
    let dead = ("info".to_string(), true);
    // 2025-01-10T09:00Z: 30 minutes before the January link expires.
    assert_eq!(
        risks(1_736_499_600),
        (1, vec![live.clone(), live.clone(), live.clone()])
    );
    assert_eq!(
        risks(FIXED_NOW),
        (1, vec![live.clone(), dead.clone(), live.clone()])
    );
    assert_eq!(
        risks(FIXED_NOW + 365 * 86_400),
        (0, vec![dead.clone(), dead.clone(), dead])
    );
}

/// A URL is expired from the second its expiry is reached, not before.
#[test]
fn expiry_boundary() {
    let url = "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIAVRUVS7NIRKJYE62L/20250101/us-east-1/s3/aws4_request&X-Amz-Date=20250101T000000Z&X-Amz-Expires=60&X-Amz-Signature=00";
    let at = |now: i64| {
        let run = scan_stdin_at(now, url.as_bytes(), &["--format", "json"]);
        let f = &run.findings()[0];
        (
            f["risk"].as_str().unwrap().to_string(),
            f["expired"].as_bool().unwrap(),
            f["expires_at"].as_str().unwrap().to_string(),
        )
    };
    let end = "2025-01-01T00:01:00Z".to_string();
    assert_eq!(at(JAN1_2025 + 59), ("low".into(), false, end.clone()));
    assert_eq!(at(JAN1_2025 + 60), ("info".into(), true, end));
}

/// The key ID written plainly next to the URL is still an access key, paired with its
/// secret; the URL's copy is the URL's finding.
#[test]
fn the_same_key_outside_a_url_is_still_a_key() {
    let key = "AKIAVRUVS7NIRKJYE62L";
    let text = format!(
        "curl 'https://b.s3.amazonaws.com/k?X-Amz-Credential={key}%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20250101T000000Z&X-Amz-Expires=60&X-Amz-Signature=00'\n\
         AWS_ACCESS_KEY_ID={key}\nAWS_SECRET_ACCESS_KEY=qDy7eZ/ZfzqhniCoqtbp6TuwFM0KoQPqYp1oLfDY\n"
    );
    let run = scan_stdin_at(FIXED_NOW, text.as_bytes(), &["--format", "json"]);
    let got: Vec<(u64, String, String, bool)> = run
        .findings()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["kind"].as_str().unwrap().into(),
                f["risk"].as_str().unwrap().into(),
                f["has_secret"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (1, "presigned_url".into(), "info".into(), false),
            (2, "aws_access_key".into(), "critical".into(), true)
        ]
    );
    // Only presigned URLs (and history scans) carry the expiry fields.
    let plain = &run.findings()[1];
    for field in ["expired", "expires_at", "presigned", "canary"] {
        assert!(plain.get(field).is_none(), "{field}");
    }
}

/// A key ID after `AWSAccessKeyId=` outside a signed query is a key, not a URL.
#[test]
fn access_key_id_parameter_alone_is_not_a_url() {
    let text = "AWSAccessKeyId=AKIAVRUVS7NIRKJYE62L\nAWSSecretKey=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\n";
    let run = scan_stdin_at(FIXED_NOW, text.as_bytes(), &["--format", "json"]);
    let kinds: Vec<String> = run
        .findings()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["aws_access_key"]);
}

fn testdata(file: &str) -> String {
    let path = format!("{}/testdata/positive/presigned/{file}", crate::common::ROOT);
    std::fs::read_to_string(path).expect("testdata file")
}

/// Every value that must not be printed: signatures and the token, as written in the files.
fn url_secrets(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    // `Signature=` is also the end of `X-Amz-Signature=`: each value is kept once.
    for name in ["Signature=", "X-Amz-Security-Token="] {
        for piece in text.split(name).skip(1) {
            let end = piece
                .find(['&', ' ', '"', '\\', ')', '>', '\n'])
                .unwrap_or(piece.len());
            out.push(piece[..end].to_string());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The first 8 characters of `value` after its shown head found in `text`: a redacted value
/// shows 4 characters.
fn leaked<'v>(text: &str, value: &'v str) -> Option<&'v str> {
    (4..value.len().saturating_sub(7))
        .map(|i| &value[i..i + 8])
        .find(|p| text.contains(p))
}

#[test]
fn signatures_and_tokens_are_redacted_in_every_format() {
    let mut secrets = Vec::new();
    for file in ["share-links.md", "download.html", "access.log"] {
        secrets.extend(url_secrets(&testdata(file)));
    }
    secrets.extend(url_secrets(&testdata("api-response.json")));
    assert_eq!(secrets.len(), 9, "{secrets:?}");
    // The SigV2 signatures are URL-encoded into runs too short for the base64 rule: only
    // their names get them redacted.
    for format in ["human", "json", "jsonl", "sarif", "github", "gitlab"] {
        let run = scan_at(
            FIXED_NOW,
            &["testdata/positive/presigned", "--format", format],
        );
        for s in &secrets {
            assert_eq!(leaked(&run.stdout, s), None, "{format}: {}…", &s[..4]);
        }
    }
    let run = scan_at(
        FIXED_NOW,
        &[
            "testdata/positive/presigned/access.log",
            "--format",
            "json",
            "--show-secrets",
        ],
    );
    assert!(
        run.stdout
            .contains("Signature=NziTiVCQIoP0HTXUItCYo0VypoQ%3D")
    );
    let run = scan_at(
        FIXED_NOW,
        &["testdata/positive/presigned/access.log", "--format", "json"],
    );
    assert!(run.stdout.contains("Signature=NziT…"));
}

/// A snippet cut 120 characters before the key must not show a piece of a token or signature
/// that precedes it: the line is redacted before it is cut, so the name that gets them
/// redacted is always seen.
#[test]
fn a_snippet_never_starts_inside_a_token() {
    let token: String = "IQoJb3JpZ2luX2Vj"
        .chars()
        .chain((0..40).flat_map(|i| format!("Zq{i}x7Lm%2Fw9").chars().collect::<Vec<_>>()))
        .collect();
    let url = format!(
        "https://b.s3.amazonaws.com/k?X-Amz-Security-Token={token}&X-Amz-Signature=ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12&X-Amz-Credential=ASIA2PSAGESIQEWFDYAJ%2F20260601%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260601T115000Z&X-Amz-Expires=900"
    );
    for format in ["human", "json"] {
        let run = scan_stdin_at(FIXED_NOW, url.as_bytes(), &["--format", format]);
        assert_eq!(
            leaked(&run.stdout, "x7Lm%2Fw9Zq39x7Lm%2Fw9"),
            None,
            "{format}:\n{}",
            run.stdout
        );
        assert_eq!(
            leaked(&run.stdout, "ab12cd34ef56ab12cd34ef56"),
            None,
            "{format}"
        );
    }
    let run = scan_stdin_at(FIXED_NOW, url.as_bytes(), &["--format", "json"]);
    let f = &run.findings()[0];
    assert_eq!(f["kind"], "presigned_url");
    assert_eq!(f["risk"], "low");
    assert!(
        f["snippet"]
            .as_str()
            .unwrap()
            .starts_with(
                "https://b.s3.amazonaws.com/k?X-Amz-Security-Token=IQoJ…&X-Amz-Signature=ab12…&X-Amz-Credential=ASIA"
            ),
        "{}",
        f["snippet"]
    );
}

/// Human output: the headline says signature version and expiry; the advice says what a
/// presigned URL is and that it cannot be revoked on its own.
#[test]
fn human_output() {
    let run = scan_at(
        FIXED_NOW,
        &["testdata/positive/presigned/share-links.md", "--show-info"],
    );
    let heads: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("presigned AWS URL"))
        .collect();
    assert_eq!(
        heads,
        [
            "low: presigned AWS URL (SigV4, valid until 2026-06-02T09:00:00Z)",
            "info: presigned AWS URL (SigV4, expired 2025-01-10T09:30:00Z)",
            "low: presigned AWS URL (SigV4, valid until 2026-06-06T12:00:00Z, X-Amz-Expires over the 7-day maximum)",
        ]
    );
    assert!(run.stdout.contains("cannot be revoked on its own"));
    let run = scan_at(FIXED_NOW, &["testdata/positive/presigned/download.html"]);
    assert!(
        run.stdout.contains(
            "(SigV4, valid until 2026-06-01T12:05:00Z, signed with temporary credentials)"
        ),
        "{}",
        run.stdout
    );
    let run = scan_at(FIXED_NOW, &["testdata/positive/presigned/access.log"]);
    assert!(
        run.stdout
            .contains("low: presigned AWS URL (SigV4, expiry unknown)"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_bad_now_is_a_usage_error() {
    let run = crate::common::finish(
        crate::common::scan_cmd(std::path::Path::new(crate::common::ROOT))
            .env("KEYLEAK_NOW", "yesterday")
            .arg("testdata/positive/presigned"),
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("KEYLEAK_NOW"), "{}", run.stderr);
}
