use super::*;

const KEY: &str = "ASIA2PSAGESIXFWFUUEI";
/// 2024-06-14T09:02:17Z.
const T: i64 = 1_718_355_737;

/// The expiry stated for the first key ID in `text`.
fn read(text: &str) -> Option<i64> {
    let at = text.find(KEY).expect("the key");
    stated(text.as_bytes(), Span::new(at, at + KEY.len()))
}

#[test]
fn dates_as_tools_write_them() {
    for v in [
        "2024-06-14T09:02:17Z",
        "2024-06-14T09:02:17UTC",
        "2024-06-14T09:02:17+00:00",
        "2024-06-14T09:02:17.000Z",
        "2024-06-14T09:02:17.123456+00:00",
        "2024-06-14 09:02:17+00:00",
        "2024-06-14t09:02:17z",
        "2024-06-14T09:02:17",
        "2024-06-14T11:02:17+02:00",
        "2024-06-14T11:02:17+0200",
        "2024-06-14T11:02:17+02",
        "2024-06-14T04:02:17-05:00",
        "1718355737",
        "1718355737000",
        "1718355737.25",
        " 2024-06-14T09:02:17Z ",
    ] {
        assert_eq!(parse_time(v.as_bytes()), Some(T), "{v}");
    }
    for v in [
        "",
        "soon",
        "2024-06-14",
        "2024-13-14T09:02:17Z",
        "2024-02-30T09:02:17Z",
        "2024-06-14T24:02:17Z",
        "2024-06-14T09:02:17Zjunk",
        "2024-06-14T09:02:17CET",
        "2024-06-14T09:02:17+2",
        "2024-06-14T09:02:17.Z",
        "2024/06/14T09:02:17Z",
        "3600",
        "43200",
        "99999999999999",
        "1718355737x",
        "2150-01-01T00:00:00Z",
    ] {
        assert_eq!(parse_time(v.as_bytes()), None, "{v}");
    }
}

#[test]
fn json_members_of_the_keys_object() {
    let sts = format!(
        "{{\n  \"Credentials\": {{\n    \"AccessKeyId\": \"{KEY}\",\n    \"SecretAccessKey\": \"s\",\n    \"Expiration\": \"2024-06-14T09:02:17+00:00\"\n  }}\n}}"
    );
    assert_eq!(read(&sts), Some(T));
    let imds = format!(
        "{{\n  \"Code\" : \"Success\",\n  \"AccessKeyId\" : \"{KEY}\",\n  \"Expiration\" : \"2024-06-14T09:02:17Z\"\n}}"
    );
    assert_eq!(read(&imds), Some(T));
    let sso = format!(
        "{{\"roleCredentials\": {{\"accessKeyId\": \"{KEY}\", \"expiration\": 1718355737000}}}}"
    );
    assert_eq!(read(&sso), Some(T));
    let before = format!(
        "{{\"Expiration\":\"2024-06-14T09:02:17Z\",\"Nested\":{{\"a\":[1,{{}}]}},\"AccessKeyId\":\"{KEY}\"}}"
    );
    assert_eq!(read(&before), Some(T));
    let braces_in_strings =
        format!("{{\"AccessKeyId\":\"{KEY}\",\"Note\":\"}} {{\",\"Expiration\":\"{T}\"}}");
    assert_eq!(read(&braces_in_strings), Some(T));
}

#[test]
fn another_objects_expiry_is_not_the_keys() {
    for text in [
        // The key's object has none; its parent's is another thing's.
        format!(
            "{{\"Credentials\":{{\"AccessKeyId\":\"{KEY}\"}},\"Expiration\":\"2024-06-14T09:02:17Z\"}}"
        ),
        // A sibling object's, after and before.
        format!("[{{\"AccessKeyId\":\"{KEY}\"}},{{\"Expiration\":\"2024-06-14T09:02:17Z\"}}]"),
        format!("[{{\"Expiration\":\"2024-06-14T09:02:17Z\"}},{{\"AccessKeyId\":\"{KEY}\"}}]"),
        // A child object's.
        format!(
            "{{\"AccessKeyId\":\"{KEY}\",\"Token\":{{\"Expiration\":\"2024-06-14T09:02:17Z\"}}}}"
        ),
        // Beyond the reach.
        format!(
            "{{\"AccessKeyId\":\"{KEY}\",\"Pad\":\"{}\",\"Expiration\":\"2024-06-14T09:02:17Z\"}}",
            "x".repeat(REACH_FORWARD)
        ),
        // Not a date, not a name.
        format!("{{\"AccessKeyId\":\"{KEY}\",\"Expiration\":\"never\"}}"),
        format!("{{\"AccessKeyId\":\"{KEY}\",\"Expirations\":\"2024-06-14T09:02:17Z\"}}"),
        format!("{{\"AccessKeyId\":\"{KEY}\",\"DurationSeconds\":3600}}"),
    ] {
        assert_eq!(read(&text), None, "{text}");
    }
}

#[test]
fn the_nearest_wins() {
    let two = format!(
        "[{{\"AccessKeyId\":\"{KEY}\",\"Expiration\":\"2024-06-14T09:02:17Z\"}},\n\
         {{\"AccessKeyId\":\"ASIAVRUVS7NI7XTJWVMC\",\"Expiration\":\"2030-01-01T00:00:00Z\"}}]"
    );
    assert_eq!(read(&two), Some(T));
    let second =
        two.replacen(KEY, "ASIAXXXXXXXXXXXXXXXX", 1)
            .replacen("ASIAVRUVS7NI7XTJWVMC", KEY, 1);
    assert_eq!(read(&second), Some(1_893_456_000));
}

#[test]
fn lines_of_the_keys_block() {
    let env = format!(
        "export AWS_ACCESS_KEY_ID={KEY}\nexport AWS_SECRET_ACCESS_KEY=s\nexport AWS_SESSION_TOKEN=t\nexport AWS_CREDENTIAL_EXPIRATION=2024-06-14T09:02:17+00:00\n"
    );
    assert_eq!(read(&env), Some(T));
    let ini = format!(
        "[saml]\naws_access_key_id        = {KEY}\nx_security_token_expires = 2024-06-14T09:02:17Z\n"
    );
    assert_eq!(read(&ini), Some(T));
    let yaml = format!(
        "Credentials:\n  AccessKeyId: {KEY}\n  Expiration: '2024-06-14T09:02:17+00:00'\n  SecretAccessKey: s\n"
    );
    assert_eq!(read(&yaml), Some(T));
    for text in [
        // Another profile's.
        format!(
            "[a]\naws_access_key_id = {KEY}\n[b]\nx_security_token_expires = 2024-06-14T09:02:17Z\n"
        ),
        // After a blank line: another record.
        format!("AWS_ACCESS_KEY_ID={KEY}\n\nAWS_CREDENTIAL_EXPIRATION=2024-06-14T09:02:17Z\n"),
        // Another YAML mapping's.
        format!("a:\n  AccessKeyId: {KEY}\nb:\n  Expiration: '2024-06-14T09:02:17Z'\n"),
        format!("a:\n  AccessKeyId: {KEY}\n  b:\n    Expiration: '2024-06-14T09:02:17Z'\n"),
        // Not at the start of its line.
        format!("AWS_ACCESS_KEY_ID={KEY}\necho AWS_CREDENTIAL_EXPIRATION=2024-06-14T09:02:17Z\n"),
    ] {
        assert_eq!(read(&text), None, "{text}");
    }
}
