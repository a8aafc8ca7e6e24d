use proptest::prelude::*;

use super::*;

const KEY: &str = "AKIARZPUZDIKGB2VALC4";
const TMP: &str = "ASIAY34FZKBOKMUTVV7A";
const SECRET: &str = "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";
const SECRET2: &str = "eD4++rSUVbOmDrRI7EDLmskuwpAAddEA0WNwu+fI";

fn detect(text: &str) -> Vec<Detection> {
    Detector::new(DetectOptions::default()).detect(text.as_bytes())
}

/// (key ID, secret, has token) per key detection; lone values as ("", value, false).
fn summary(text: &str) -> Vec<(String, String, bool)> {
    let b = text.as_bytes();
    detect(text)
        .into_iter()
        .map(|d| match d {
            Detection::Key {
                key, secret, token, ..
            } => (
                key.to_string(),
                secret
                    .map(|s| String::from_utf8_lossy(s.bytes(b)).into_owned())
                    .unwrap_or_default(),
                token.is_some(),
            ),
            Detection::Secret { span } => (
                String::new(),
                String::from_utf8_lossy(span.bytes(b)).into_owned(),
                false,
            ),
            Detection::Token { .. } => (String::new(), "<token>".into(), true),
            Detection::Presigned { key, .. } => (key.to_string(), "<presigned>".into(), false),
        })
        .collect()
}

fn token() -> String {
    let mut t = String::from("IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ");
    while t.len() < 400 {
        t.push_str("Xy7Qk2Lm9Pz+Ab3Cd/Ef5Gh");
    }
    t
}

#[test]
fn key_boundaries() {
    assert_eq!(summary(&format!("id={KEY}")).len(), 1);
    assert_eq!(summary(&format!("\"{KEY}\"")).len(), 1);
    assert_eq!(summary(&format!("'{KEY}' ")).len(), 1);
    assert_eq!(summary(KEY).len(), 1);
    assert_eq!(summary(&format!("a\\n{KEY}\\n")).len(), 1);
    assert!(summary(&format!("x{KEY}")).is_empty());
    assert!(summary(&format!("{KEY}Q")).is_empty());
    assert!(summary(&format!("{KEY}2")).is_empty());
    assert!(summary("TODAYINASIAASACKOFRICEFELLOVER").is_empty());
    // URL-encoded separators: `%3D` is `=`, its `D` is not glued to the key.
    assert_eq!(summary(&format!("aws_access_key_id%3D{KEY}%26x")).len(), 1);
    assert_eq!(summary(&format!("Credential%3d{KEY}%2F2026")).len(), 1);
    assert!(summary(&format!("3D{KEY}")).is_empty());
    assert!(summary("msgstr \"Näytä asiakirjamallikansio.\"").is_empty());
}

#[test]
fn identifiers_only_when_asked() {
    let text = "role: AROARZPUZDIKGB2VALC4";
    assert!(summary(text).is_empty());
    let d = Detector::new(DetectOptions {
        include_identifiers: true,
    })
    .detect(text.as_bytes());
    assert_eq!(d.len(), 1);
}

#[test]
fn pairs_on_adjacent_lines_and_same_line() {
    let ini = format!("[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n");
    assert_eq!(summary(&ini), vec![(KEY.into(), SECRET.into(), false)]);
    let colon = format!("{KEY}:{SECRET}");
    assert_eq!(summary(&colon), vec![(KEY.into(), SECRET.into(), false)]);
    // No keyword needed next to a key ID.
    let bare = format!("id: {KEY}\nvalue: {SECRET}\n");
    assert_eq!(summary(&bare), vec![(KEY.into(), SECRET.into(), false)]);
}

#[test]
fn two_profiles_each_get_their_own_secret() {
    let key2 = "AKIAQYLPMN5HFIQR7B3A";
    let ini = format!(
        "[a]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n[b]\naws_access_key_id = {key2}\naws_secret_access_key = {SECRET2}\n"
    );
    assert_eq!(
        summary(&ini),
        vec![
            (KEY.into(), SECRET.into(), false),
            (key2.into(), SECRET2.into(), false)
        ]
    );
}

#[test]
fn secret_outside_window_is_alone_only_with_keyword() {
    let far = "\n".repeat(LINES + 2);
    let text = format!("{KEY}{far}aws_secret_access_key={SECRET}\n{far}value: {SECRET2}\n");
    assert_eq!(
        summary(&text),
        vec![
            (KEY.into(), String::new(), false),
            (String::new(), SECRET.into(), false)
        ]
    );
}
const LINES: usize = pairing::LINES_AROUND;

#[test]
fn keyword_secret_shapes() {
    for text in [
        format!("aws_secret_keyToken := `{SECRET}`"),
        format!("secretAccessKey = \"{SECRET}\""),
        format!("SECRET_ACCESS_KEY: {SECRET}"),
        format!("foo.backup.archive.aws.secretkey={SECRET}"),
        format!("\"awsSecretKey\":\"{SECRET}\""),
        format!("--aws-secret-access-key {SECRET}"),
        format!("<aws_secret_keyToken>\n    {SECRET}\n</aws_secret_keyToken>"),
        format!("aws_secret_access_key:\n  {SECRET}\n"),
    ] {
        assert_eq!(
            summary(&text),
            vec![(String::new(), SECRET.into(), false)],
            "{text}"
        );
    }
    for text in [
        "aws_secret_access_key = da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "\"aws_secret_access_key\" =  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaend",
        "aws_secret_key: OOzkR1+hF+1ABCsIFDJMEUtqmtnZ1234567890",
        "secret: $YenOG.PKHl7LcdVYsjaR4LgQiZ1zw3MAnMyiondXC63;",
        "aws_secret_access_key = ThisIsNotARealSecretKeyJustSomeTextHere1",
        "client_secret = 5dkLVuqpZhD6V3Zym1hivdSHOzh6FGPjwplXD+5f",
    ] {
        assert!(summary(text).is_empty(), "{text}");
    }
}

#[test]
fn tokens_pair_with_temporary_keys() {
    let t = token();
    let text =
        format!("aws_access_key_id={TMP}\naws_secret_access_key={SECRET}\naws_session_token={t}\n");
    assert_eq!(summary(&text), vec![(TMP.into(), SECRET.into(), true)]);
    // A long-term key does not take a session token: the token is reported alone.
    let text = format!("aws_access_key_id={KEY}\naws_session_token={t}\n");
    assert_eq!(
        summary(&text),
        vec![
            (KEY.into(), String::new(), false),
            (String::new(), "<token>".into(), true)
        ]
    );
    // Short values after a token keyword are not tokens.
    assert!(summary("SessionToken: abcdefghijklmnopqrstuvwxyz0123456789").is_empty());
}

#[test]
fn prefilter_sees_every_key() {
    // A naive scan for every prefix at every offset finds nothing the prefilter-driven
    // detector misses.
    let text =
        format!("{KEY} xASIAY34FZKBOKMUTVV7A {TMP}\nABIAY34FZKBOKMUTVV7A,ACCAY34FZKBOKMUTVV7A");
    assert_eq!(naive_keys(text.as_bytes()), detected_keys(text.as_bytes()));
    assert_eq!(detected_keys(text.as_bytes()).len(), 4);
}

fn naive_keys(hay: &[u8]) -> Vec<String> {
    (0..hay.len())
        .filter_map(|i| key_at(hay, i))
        .filter(|k| k.class() != key_id::KeyClass::Identifier)
        .map(|k| k.to_string())
        .collect()
}

fn detected_keys(hay: &[u8]) -> Vec<String> {
    Detector::new(DetectOptions::default())
        .detect(hay)
        .into_iter()
        .filter_map(|d| match d {
            Detection::Key { key, .. } | Detection::Presigned { key, .. } => Some(key.to_string()),
            _ => None,
        })
        .collect()
}

fn base32_body() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        proptest::sample::select(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".to_vec()),
        16,
    )
    .prop_map(|v| String::from_utf8(v).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A key pair planted in random text, with random separators, is found exactly once and
    /// paired with its own secret.
    #[test]
    fn planted_pair_found_once(
        before in "[a-z .,;:=\\n]{0,200}",
        after in "[a-z .,;:=\\n]{0,200}",
        body in base32_body(),
        sep1 in prop::sample::select(vec![" = ", "=", ": ", ":", "\t", "\n", "\",\"", "\n  secret: "]),
        quote in prop::sample::select(vec!["", "\"", "'", "`"]),
    ) {
        let key = format!("AKIA{body}");
        let kid = KeyId::parse(key.as_bytes()).unwrap();
        prop_assume!(!kid.is_placeholder());
        let text = format!("{before} {quote}{key}{quote}{sep1}{quote}{SECRET}{quote} {after}");
        prop_assert_eq!(summary(&text), vec![(key, SECRET.to_string(), false)]);
    }

    /// On arbitrary bytes salted with prefixes, the prefilter-driven detector finds the same
    /// key IDs as a check at every offset.
    #[test]
    fn prefilter_never_drops(chunks in proptest::collection::vec(prop::sample::select(vec![
        "AKIA", "ASIA", "ABIA", "ACCA", "Z", "7", "Q2", " ", "\n", "x", "\\n", "RZPUZDIKGB2VALC4", "=",
    ]), 0..60)) {
        let text: String = chunks.concat();
        prop_assert_eq!(naive_keys(text.as_bytes()), detected_keys(text.as_bytes()));
    }

    /// Random base64-ish noise never yields a keyword secret without a keyword.
    #[test]
    fn noise_has_no_lone_secrets(noise in "[A-Za-z0-9/+=\\n ]{0,400}") {
        let lone = detect(&noise).iter().any(|d| matches!(d, Detection::Secret { .. }));
        prop_assert!(!lone);
    }
}

#[test]
fn escaped_keys_are_found_in_a_decoded_layer() {
    let escaped: String = KEY.bytes().map(|b| format!("\\u{{{b:x}}}")).collect();
    let text = format!("const k = \"{escaped}\";\n");
    let found = Detector::new(DetectOptions::default()).detect_layers(text.as_bytes());
    assert!(found.plain.is_empty());
    assert_eq!(found.decoded.len(), 1);
    let layer = &found.decoded[0];
    match &layer.detections[..] {
        [Detection::Key { key, span, .. }] => {
            assert_eq!(key.as_str(), KEY);
            assert_eq!(layer.to_level(span.start, 0), text.find("\\u").unwrap());
        }
        other => panic!("{other:?}"),
    }
    let html: String = KEY.bytes().map(|b| format!("&#x{b:x};")).collect();
    let found =
        Detector::new(DetectOptions::default()).detect_layers(format!("<b>{html}</b>").as_bytes());
    assert_eq!(found.decoded.len(), 1);
    // A plain key is reported once, by the plain pass only.
    let text = format!("{KEY} and \\u0041\\u0042\\u0043\\u0044");
    let found = Detector::new(DetectOptions::default()).detect_layers(text.as_bytes());
    assert_eq!((found.plain.len(), found.decoded.len()), (1, 0));
}

#[test]
fn token_after_equals_starts_after_it() {
    let t = token();
    let text = format!("AWS_SESSION_TOKEN={t}\n");
    let found = detect(&text);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].anchor().start, "AWS_SESSION_TOKEN=".len());
}

#[test]
fn documentation_key_does_not_take_a_real_secret() {
    let text =
        format!("aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = {SECRET}\n");
    assert_eq!(
        summary(&text),
        vec![
            ("AKIAIOSFODNN7EXAMPLE".into(), String::new(), false),
            (String::new(), SECRET.into(), false)
        ]
    );
}

#[test]
fn presigned_url_keys_are_set_aside_unpaired() {
    let tmp_url = format!(
        "https://b.s3.amazonaws.com/k?X-Amz-Credential={TMP}%2F20250101%2Fus-east-1%2Fs3%2Faws4_request\
         &X-Amz-Security-Token={}&X-Amz-Signature=00ff",
        token()
    );
    // The token inside the URL is part of the URL's finding, not a lone session token.
    assert_eq!(
        summary(&tmp_url),
        vec![(TMP.into(), "<presigned>".into(), false)]
    );
    // A secret next to a presigned URL does not pair with the URL's key: it pairs with the
    // same key written plainly, or stays alone when announced by a keyword.
    let url = format!("https://h/k?X-Amz-Credential={KEY}%2F20250101&X-Amz-Date=20250101T000000Z");
    let text = format!("{url}\naws_secret_access_key = {SECRET}\n");
    assert_eq!(
        summary(&text),
        vec![
            (KEY.into(), "<presigned>".into(), false),
            (String::new(), SECRET.into(), false)
        ]
    );
    let text = format!("{url}\nid = {KEY}\nsecret = {SECRET}\n");
    assert_eq!(
        summary(&text),
        vec![
            (KEY.into(), "<presigned>".into(), false),
            (KEY.into(), SECRET.into(), false)
        ]
    );
}
