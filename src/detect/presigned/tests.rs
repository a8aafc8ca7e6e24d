use super::*;

const KEY: &str = "AKIARZPUZDIKGB2VALC4";
const SIG: &str = "3f1c6a2b9d8e7f6051a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2";
/// 2025-01-01T00:00:00Z.
const JAN1: i64 = 1_735_689_600;

fn sigv4(sep: &str, date: &str, expires: &str) -> String {
    format!(
        "https://b.s3.amazonaws.com/r.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256{sep}\
         X-Amz-Credential={KEY}%2F20250101%2Fus-east-1%2Fs3%2Faws4_request{sep}\
         X-Amz-Date={date}{sep}X-Amz-Expires={expires}{sep}X-Amz-SignedHeaders=host{sep}\
         X-Amz-Signature={SIG}"
    )
}

/// What `at` says about the first key ID in `text`.
fn read(text: &str) -> Option<Presigned> {
    at(
        text.as_bytes(),
        text.find(KEY).expect("the key is in the text"),
    )
}

#[test]
fn sigv4_expiry_is_date_plus_expires() {
    for sep in ["&", "&amp;", "\\u0026"] {
        let p = read(&sigv4(sep, "20250101T000000Z", "3600")).expect(sep);
        assert_eq!(p.version, SigVersion::V4);
        assert_eq!(p.signed_at, Some(JAN1), "{sep}");
        assert_eq!(p.expires_in, Some(3600), "{sep}");
        assert_eq!(p.expires_at, Some(JAN1 + 3600), "{sep}");
        assert!(!p.lifetime_capped());
        assert_eq!(p.token, None);
    }
}

#[test]
fn sigv4_lifetime_is_capped_at_seven_days() {
    let p = read(&sigv4("&", "20250101T000000Z", "604800")).unwrap();
    assert_eq!(p.expires_at, Some(JAN1 + 604_800));
    assert!(!p.lifetime_capped());
    let p = read(&sigv4("&", "20250101T000000Z", "604801")).unwrap();
    assert_eq!(p.expires_in, Some(604_801));
    assert_eq!(p.expires_at, Some(JAN1 + MAX_SIGV4_EXPIRES));
    assert!(p.lifetime_capped());
}

#[test]
fn sigv4_bad_date_or_expires_leaves_expiry_unknown() {
    for (date, expires) in [
        ("20251301T000000Z", "3600"),
        ("20250230T000000Z", "3600"),
        ("20250101T250000Z", "3600"),
        ("2025-01-01T00:00:00Z", "3600"),
        ("20250101T000000Z", "0"),
        ("20250101T000000Z", "-5"),
        ("20250101T000000Z", "1h"),
        ("20250101T000000Z", ""),
        ("20250101T000000Z", "99999999999"),
    ] {
        let p = read(&sigv4("&", date, expires)).expect("still presigned");
        assert_eq!(p.expires_at, None, "{date} {expires}");
    }
    let bare = format!("https://h/k?X-Amz-Credential={KEY}/20250101/us-east-1/s3/aws4_request");
    let p = read(&bare).expect("the credential alone marks SigV4 query signing");
    assert_eq!((p.signed_at, p.expires_at), (None, None));
}

#[test]
fn sigv2_expires_is_a_timestamp() {
    let url = format!(
        "http://b.s3.amazonaws.com/a.zip?AWSAccessKeyId={KEY}&Expires=1767225600&Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D"
    );
    let p = read(&url).unwrap();
    assert_eq!(p.version, SigVersion::V2);
    assert_eq!((p.signed_at, p.expires_in), (None, None));
    assert_eq!(p.expires_at, Some(1_767_225_600));
    let no_expiry = format!("http://h/a?Signature=abc%3D&AWSAccessKeyId={KEY}");
    assert_eq!(read(&no_expiry).unwrap().expires_at, None);
}

#[test]
fn not_presigned() {
    for text in [
        format!("AWSAccessKeyId={KEY}"),
        format!("https://h/a?AWSAccessKeyId={KEY}&Timestamp=2025"),
        format!("aws_access_key_id = {KEY}"),
        format!("https://h/a?fooX-Amz-Credential={KEY}%2F20250101"),
        format!("Credential={KEY}/20250101/us-east-1/s3/aws4_request"),
    ] {
        assert_eq!(read(&text), None, "{text}");
    }
}

#[test]
fn the_url_ends_at_whitespace_quotes_and_brackets() {
    let cut = |end: &str| {
        format!("[a](https://h/k?X-Amz-Credential={KEY}%2Fx{end}&X-Amz-Date=20250101T000000Z")
    };
    for end in [")", "\"", "'", " ", "\n", "<", "\\\""] {
        let p = read(&cut(end)).unwrap();
        assert_eq!(p.signed_at, None, "{end:?}");
    }
    assert_eq!(read(&cut("")).unwrap().signed_at, Some(JAN1));
    // JSON may escape `/` as `\/`: still inside the URL.
    let json = format!(
        r#""https:\/\/h\/k?X-Amz-Credential={KEY}\/20250101\/x&X-Amz-Date=20250101T000000Z""#
    );
    assert_eq!(read(&json).unwrap().signed_at, Some(JAN1));
    // Parameters before the key count, from the `?` on.
    let before = format!("X-Amz-Date=20250101T000000Z x?X-Amz-Expires=60&X-Amz-Credential={KEY}");
    let p = read(&before).unwrap();
    assert_eq!((p.signed_at, p.expires_in), (None, Some(60)));
}

#[test]
fn reach_is_bounded() {
    let pad = "x".repeat(REACH_FORWARD);
    let far = format!("https://h/k?X-Amz-Credential={KEY}&pad={pad}&X-Amz-Date=20250101T000000Z");
    assert_eq!(read(&far).unwrap().signed_at, None);
    let near = format!("https://h/k?X-Amz-Credential={KEY}&X-Amz-Date=20250101T000000Z&pad={pad}");
    assert_eq!(read(&near).unwrap().signed_at, Some(JAN1));
}

#[test]
fn security_token_is_found_and_decoded() {
    let tmp = KEY.replacen("AKIA", "ASIA", 1);
    let body = "Q".repeat(90);
    let url = |token: &str| {
        format!(
            "https://h/k?X-Amz-Credential={tmp}%2F20250101%2Fus-east-1%2Fs3%2Faws4_request\
             &X-Amz-Security-Token={token}&X-Amz-Signature={SIG}"
        )
    };
    let full = url(&format!("IQoJb3JpZ2luX2Vj%2F{body}%2Bcd%3D%3D"));
    let hay = full.as_bytes();
    let p = at(hay, full.find(&tmp).unwrap()).unwrap();
    let token = p.token.expect("token");
    assert_eq!(
        percent_decode(token.bytes(hay)),
        format!("IQoJb3JpZ2luX2Vj/{body}+cd==")
    );
    assert_eq!(p.query.end, hay.len());
    // A cut-off value (fuzzing found `IQ`) is no token: the URL is still reported, alone.
    let cut = url("IQoJb3JpZ2luX2Vj%2Fab");
    let p = at(cut.as_bytes(), cut.find(&tmp).unwrap()).unwrap();
    assert_eq!(p.token, None);
}

#[test]
fn amz_dates() {
    assert_eq!(parse_amz_date(b"19700101T000000Z"), Some(0));
    assert_eq!(parse_amz_date(b"20250101T000000Z"), Some(JAN1));
    assert_eq!(parse_amz_date(b"20240229T120000Z"), Some(1_709_208_000));
    assert_eq!(parse_amz_date(b"20230229T120000Z"), None);
    assert_eq!(parse_amz_date(b"20250101T000000"), None);
    assert_eq!(parse_amz_date(b"20250101 000000Z"), None);
}

#[test]
fn percent_decoding_keeps_what_is_not_an_escape() {
    assert_eq!(percent_decode(b"a%2Fb%2bc"), "a/b+c");
    assert_eq!(percent_decode(b"100%"), "100%");
    assert_eq!(percent_decode(b"%zz%4"), "%zz%4");
}

#[test]
fn a_url_encoded_inside_another_is_read_and_mapped_back() {
    // The inner URL, with a token, percent-encoded as a whole into a redirect's `next=`.
    let tmp = KEY.replacen("AKIA", "ASIA", 1);
    let body = "Q".repeat(90);
    let inner = format!(
        "https%3A%2F%2Fb.s3.amazonaws.com%2Fr.pdf%3FX-Amz-Credential%3D{tmp}%252F20250101\
         %252Fus-east-1%252Fs3%252Faws4_request%26X-Amz-Date%3D20250101T000000Z\
         %26X-Amz-Expires%3D600%26X-Amz-Security-Token%3DIQoJb3JpZ2luX2Vj%252F{body}%253D\
         %26X-Amz-Signature%3D{SIG}"
    );
    let text = format!("see https://login.example.com/?next={inner}&lang=en here");
    let hay = text.as_bytes();
    let p = at(hay, text.find(&tmp).unwrap()).expect("the nested URL is presigned");
    assert!(p.nested);
    assert_eq!(p.version, SigVersion::V4);
    assert_eq!(p.expires_at, Some(JAN1 + 600));
    // Spans are in the outer text: the query starts after the encoded `?` and runs to the end
    // of the outer URL; the token is still encoded twice there.
    assert_eq!(p.query.start, text.find("X-Amz-Credential%3D").unwrap());
    assert_eq!(p.query.end, text.find(" here").unwrap());
    let token = percent_decode(p.token.expect("token").bytes(hay));
    assert_eq!(
        percent_decode(token.as_bytes()),
        format!("IQoJb3JpZ2luX2Vj/{body}=")
    );
    // The same key after a plain `%3D` that is no URL parameter name is still a key.
    let not_a_url = format!("value%3D{tmp}");
    assert_eq!(at(not_a_url.as_bytes(), 8), None);
}
