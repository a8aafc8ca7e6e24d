//! STS outputs state their expiry (`Expiration`): a temporary key next to one that has passed
//! is `expired` and `low` in a file scan too, with `expires_at` in JSON and "(expired …)" in
//! the human headline; one still to come says "(valid until …)" and keeps its risk. "Now" is
//! `KEYLEAK_NOW`, the clock history expiry and presigned URLs use. Only the expiry of the
//! key's own JSON object or record counts: another object's, and a long-term key's, change
//! nothing. testdata/README.md says what each file holds.

use serde_json::{Value, json};

use crate::common::{FIXED_NOW, scan_at, scan_stdin_at};

/// (path:line:col, key ID, risk, expired, expires_at, first words of the first step) of one
/// finding.
type Row = (String, String, String, Value, Value, String);

fn rows(findings: &[Value]) -> Vec<Row> {
    findings
        .iter()
        .map(|f| {
            let first = f["advice"]["first_step"].as_str().unwrap();
            (
                format!(
                    "{}:{}:{}",
                    f["path"].as_str().unwrap(),
                    f["line"],
                    f["column"]
                ),
                f["key_id"].as_str().unwrap().to_string(),
                f["risk"].as_str().unwrap().to_string(),
                f.get("expired").cloned().unwrap_or(json!("absent")),
                f.get("expires_at").cloned().unwrap_or(json!("absent")),
                first.split(' ').take(3).collect::<Vec<_>>().join(" "),
            )
        })
        .collect()
}

fn row(at: &str, key: &str, risk: &str, expired: Value, expires_at: Value, first: &str) -> Row {
    (
        at.into(),
        key.into(),
        risk.into(),
        expired,
        expires_at,
        first.into(),
    )
}

const CACHE: &str =
    "testdata/positive/.aws/cli/cache/6f2d9c0b4e1a87f35d2c9b0e41a7f3c58d6e2b19.json";
const EXPIRED_STEP: &str = "Expired: the expiry";
const VALID_STEP: &str = "Temporary credentials stay";

/// Every finding of the STS-shaped files at [`FIXED_NOW`], 2026-06-01T12:00:00Z.
fn at_fixed_now() -> Vec<Row> {
    let absent = || json!("absent");
    vec![
        // The CLI cache: botocore writes `2026-05-29T17:41:09UTC`; three days ago.
        row(
            &format!("{CACHE}:1:34"),
            "ASIAC73GWDLBH47KEKUY",
            "low",
            json!(true),
            json!("2026-05-29T17:41:09Z"),
            EXPIRED_STEP,
        ),
        // `aws sts assume-role`, `+00:00`, two years ago.
        row(
            "testdata/positive/sts/assume-role.json:3:25",
            "ASIA2PSAGESIXFWFUUEI",
            "low",
            json!(true),
            json!("2024-06-14T09:02:17Z"),
            EXPIRED_STEP,
        ),
        // credential_process output, fractional seconds, 30 s ago.
        row(
            "testdata/positive/sts/credential-process.json:3:19",
            "ASIA2PSAGESIQMAPWOOU",
            "low",
            json!(true),
            json!("2026-06-01T11:59:30Z"),
            EXPIRED_STEP,
        ),
        // `aws configure export-credentials --format env`: valid another hour.
        row(
            "testdata/positive/sts/export-credentials.env:1:26",
            "ASIAC73GWDLBADIV4XNU",
            "medium",
            json!(false),
            json!("2026-06-01T13:05:11Z"),
            VALID_STEP,
        ),
        // `aws sts get-session-token`: valid.
        row(
            "testdata/positive/sts/get-session-token.json:3:25",
            "ASIAVRUVS7NIU6DHFG2S",
            "medium",
            json!(false),
            json!("2026-06-01T21:14:05Z"),
            VALID_STEP,
        ),
        // IMDS `iam/security-credentials/ROLE` (`"Expiration" : "…"`): valid.
        row(
            "testdata/positive/sts/imds-security-credentials.json:5:20",
            "ASIAFRUVS7NIXQT3PAWY",
            "medium",
            json!(false),
            json!("2026-06-01T16:38:02Z"),
            VALID_STEP,
        ),
        // A long-term key never expires, whatever its neighbour says.
        row(
            "testdata/positive/sts/long-term-process.json:3:19",
            "AKIAS73GWDLBCKFJU4WG",
            "critical",
            absent(),
            absent(),
            "Deactivate and delete",
        ),
        // The `Expiration` is the OAuth token's, in another object: the key's is unknown.
        row(
            "testdata/positive/sts/session-state.json:4:21",
            "ASIAVRUVS7NI6YPUCYWG",
            "medium",
            absent(),
            absent(),
            VALID_STEP,
        ),
        // `aws sso get-role-credentials`: Unix milliseconds, four hours ago.
        row(
            "testdata/positive/sts/sso-role-credentials.json:3:25",
            "ASIAKPSAGESIXFDZ5Y4K",
            "low",
            json!(true),
            json!("2026-06-01T08:00:00Z"),
            EXPIRED_STEP,
        ),
    ]
}

fn scan_sts(now: i64, format: &str) -> crate::common::Run {
    scan_at(
        now,
        &[
            "testdata/positive/sts",
            "testdata/positive/.aws/cli",
            "--format",
            format,
        ],
    )
}

#[test]
fn sts_outputs_exact_expiry() {
    let run = scan_sts(FIXED_NOW, "json");
    assert_eq!(run.code, 1);
    assert_eq!(rows(&run.findings()), at_fixed_now());
}

/// The same files a week earlier (`KEYLEAK_NOW` moved back): only the 2024 one has expired.
#[test]
fn now_is_keyleak_now() {
    let run = scan_sts(FIXED_NOW - 7 * 86_400, "json");
    let risks: Vec<(String, String, Value)> = rows(&run.findings())
        .into_iter()
        .map(|(at, _, risk, expired, ..)| (at, risk, expired))
        .collect();
    let want: Vec<(String, String, Value)> = at_fixed_now()
        .into_iter()
        .map(|(at, _, risk, expired, ..)| {
            if at.contains("assume-role") || expired != json!(true) {
                (at, risk, expired)
            } else {
                (at, "medium".into(), json!(false))
            }
        })
        .collect();
    assert_eq!(risks, want);
}

#[test]
fn human_headline_says_when() {
    let run = scan_sts(FIXED_NOW, "human");
    let heads: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("low:") || l.starts_with("medium:"))
        .collect();
    let pair = "temporary AWS access key with its secret and session token";
    assert_eq!(
        heads,
        [
            format!("low: {pair} (expired 2026-05-29T17:41:09Z)"),
            format!("low: {pair} (expired 2024-06-14T09:02:17Z)"),
            format!("low: {pair} (expired 2026-06-01T11:59:30Z)"),
            format!("medium: {pair} (valid until 2026-06-01T13:05:11Z)"),
            format!("medium: {pair} (valid until 2026-06-01T21:14:05Z)"),
            format!("medium: {pair} (valid until 2026-06-01T16:38:02Z)"),
            format!("medium: {pair}"),
            format!("low: {pair} (expired 2026-06-01T08:00:00Z)"),
        ]
    );
}

/// Shapes read from standard input: the CLI's YAML output and a saml2aws profile; the
/// expiry of another record (after a blank line, another profile) is not the key's.
#[test]
fn line_records_on_stdin() {
    let key = "ASIAVRUVS7NI6YPUCYWG";
    let secret = "wJ7rQ2mX9kLp4TzV8bN3cF6hY1dS5gA0eR+uI/oK";
    let cases = [
        (
            format!(
                "Credentials:\n  AccessKeyId: {key}\n  SecretAccessKey: {secret}\n  Expiration: '2026-06-01T10:00:00+00:00'\n"
            ),
            ("low", json!(true), json!("2026-06-01T10:00:00Z")),
        ),
        (
            format!(
                "[saml]\naws_access_key_id        = {key}\naws_secret_access_key    = {secret}\nx_security_token_expires = 2026-06-01T13:00:00+00:00\n"
            ),
            ("medium", json!(false), json!("2026-06-01T13:00:00Z")),
        ),
        (
            format!(
                "[a]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n[b]\nx_security_token_expires = 2026-06-01T10:00:00Z\n"
            ),
            ("medium", json!("absent"), json!("absent")),
        ),
        (
            format!(
                "AWS_ACCESS_KEY_ID={key}\nAWS_SECRET_ACCESS_KEY={secret}\n\nAWS_CREDENTIAL_EXPIRATION=2026-06-01T10:00:00Z\n"
            ),
            ("medium", json!("absent"), json!("absent")),
        ),
    ];
    for (input, (risk, expired, expires_at)) in cases {
        let run = scan_stdin_at(FIXED_NOW, input.as_bytes(), &["--format", "json"]);
        let found = rows(&run.findings());
        assert_eq!(found.len(), 1, "{input}");
        let (_, k, r, e, at, _) = &found[0];
        assert_eq!(
            (k.as_str(), r.as_str(), e, at),
            (key, risk, &expired, &expires_at),
            "{input}"
        );
    }
}
