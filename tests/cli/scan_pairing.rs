//! Pairing through the CLI on layouts that leak in practice but are not files in testdata/:
//! which secret and token go with which key ID, read back with `--show-secrets`.

use crate::common::{Run, scan_stdin};

const K1: &str = "AKIAVRUVS7NIUJULA7YF";
const K2: &str = "AKIA2PSAGESIRWAO6JP6";
const T1: &str = "ASIAVRUVS7NI7XTJWVMC";
const T2: &str = "ASIA2PSAGESIV6X5CIFJ";
const S1: &str = "ABkcIpIGICgR0DkqXbpBuzxPSil4m4siFj4AEZ3w";
const S2: &str = "edUeJmWzF/9BCdhIaa1hhZ/8GFgypivOIPGrJl0h";

/// Two distinct STS-shaped session tokens.
fn token(n: u8) -> String {
    let mut t = format!("IQoJb3JpZ2luX2Vj{n}EJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ");
    let filler = ["Xy7Qk2Lm9Pz+Ab3Cd/Ef5Gh", "pL4mZ8+qR2sT6uV0wX3yA9b"][usize::from(n % 2)];
    while t.len() < 420 {
        t.push_str(filler);
    }
    t
}

/// (line, key ID or "-", risk, secret or "-", secret line or 0, token or "-") per finding.
type Row = (u64, String, String, String, u64, String);

fn rows(run: &Run) -> Vec<Row> {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("-").to_string();
    run.findings()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                s(&f["key_id"]),
                s(&f["risk"]),
                s(&f["secret"]),
                f["secret_line"].as_u64().unwrap_or(0),
                s(&f["session_token"]),
            )
        })
        .collect()
}

fn row(line: u64, key: &str, risk: &str, secret: &str, secret_line: u64, tok: &str) -> Row {
    (
        line,
        key.into(),
        risk.into(),
        secret.into(),
        secret_line,
        tok.into(),
    )
}

fn scan_text(text: &str) -> Vec<Row> {
    rows(&scan_stdin(
        text.as_bytes(),
        &["--format", "json", "--show-secrets"],
    ))
}

/// `aws configure export-credentials` / assume-role helpers write one profile per role, each
/// with its own temporary key, secret and token: no token may cross profiles.
#[test]
fn two_temporary_profiles_each_keep_their_secret_and_token() {
    let (a, b) = (token(1), token(2));
    let text = format!(
        "[ci]\naws_access_key_id = {T1}\naws_secret_access_key = {S1}\naws_session_token = {a}\n\
         [deploy]\naws_access_key_id = {T2}\naws_secret_access_key = {S2}\naws_session_token = {b}\n"
    );
    assert_eq!(
        scan_text(&text),
        vec![
            row(2, T1, "medium", S1, 3, &a),
            row(6, T2, "medium", S2, 7, &b)
        ]
    );
}

/// The XML an STS API call returns, pasted into a ticket or a log.
#[test]
fn sts_xml_response() {
    let t = token(3);
    let text = format!(
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n\
         \x20 <AssumeRoleResult>\n    <Credentials>\n\
         \x20     <AccessKeyId>{T1}</AccessKeyId>\n\
         \x20     <SecretAccessKey>{S1}</SecretAccessKey>\n\
         \x20     <SessionToken>{t}</SessionToken>\n\
         \x20     <Expiration>2024-05-14T18:22:41Z</Expiration>\n    </Credentials>\n"
    );
    assert_eq!(scan_text(&text), vec![row(4, T1, "medium", S1, 5, &t)]);
}

/// The CSV the IAM console offers when a key is created (`<user>_accessKeys.csv`).
#[test]
fn iam_console_csv() {
    let text = format!("Access key ID,Secret access key\r\n{K1},{S1}\r\n");
    assert_eq!(scan_text(&text), vec![row(2, K1, "critical", S1, 2, "-")]);
}

/// Minified JSON: both pairs on one line; each key takes the secret after it, not the
/// nearest one before it.
#[test]
fn minified_json_with_two_pairs_on_one_line() {
    let text = format!(
        "{{\"prod\":{{\"accessKeyId\":\"{K1}\",\"secretAccessKey\":\"{S1}\"}},\
         \"dev\":{{\"accessKeyId\":\"{K2}\",\"secretAccessKey\":\"{S2}\"}}}}\n"
    );
    assert_eq!(
        scan_text(&text),
        vec![
            row(1, K1, "critical", S1, 1, "-"),
            row(1, K2, "critical", S2, 1, "-")
        ]
    );
}

#[test]
fn cli_flags_in_a_shell_history() {
    let text = format!(
        "aws configure set aws_access_key_id {K1} && aws configure set aws_secret_access_key {S1}\n"
    );
    assert_eq!(scan_text(&text), vec![row(1, K1, "critical", S1, 1, "-")]);
}

#[test]
fn secret_listed_before_its_key_id() {
    let text = format!("{{\n  \"SecretAccessKey\": \"{S1}\",\n  \"AccessKeyId\": \"{K1}\"\n}}\n");
    assert_eq!(scan_text(&text), vec![row(3, K1, "critical", S1, 2, "-")]);
}

/// No keyword is needed next to a key ID: a random 40-character value within the window is
/// its secret.
#[test]
fn unlabelled_secret_next_to_a_key_id() {
    let text = format!("creds:\n  - {K1}\n  - {S1}\n");
    assert_eq!(scan_text(&text), vec![row(2, K1, "critical", S1, 3, "-")]);
}

/// Beyond the window (5 lines), a keyword secret is reported alone and the key ID alone;
/// an unlabelled random value that far away is not reported at all.
#[test]
fn values_beyond_the_window_stand_alone_or_not_at_all() {
    let gap = "#\n".repeat(6);
    let text = format!("id = {K1}\n{gap}aws_secret_access_key = {S1}\n{gap}other = {S2}\n");
    assert_eq!(
        scan_text(&text),
        vec![
            row(1, K1, "high", "-", 0, "-"),
            row(8, "-", "high", S1, 8, "-")
        ]
    );
}
