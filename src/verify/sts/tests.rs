//! Tests of `sts`.

use super::*;
use proptest::prelude::*;

proptest! {
    // An endpoint answers whatever it likes: reading it never panics, and only a 200
    // with an Arn is `active`.
    #[test]
    fn any_answer_is_read(status in 100u16..600, body in ".{0,300}") {
        let v = interpret(status, &body);
        prop_assert_eq!(v.status == Status::Active, status == 200 && v.arn.is_some());
    }

    #[test]
    fn any_endpoint_text_is_parsed_or_refused(text in "(https?://)?[a-zA-Z0-9.:/@\\[\\]-]{0,40}") {
        if let Ok(e) = Endpoint::parse(&text) {
            prop_assert!(e.url.starts_with("https://") || e.loopback);
            prop_assert!(e.url.ends_with('/'));
        }
    }
}

#[test]
fn endpoints() {
    let e = Endpoint::parse(crate::cli::DEFAULT_STS_ENDPOINT).unwrap();
    assert_eq!(e.url, "https://sts.amazonaws.com/");
    assert_eq!(
        (e.host.as_str(), e.region.as_str()),
        ("sts.amazonaws.com", "us-east-1")
    );
    let e = Endpoint::parse("https://STS.eu-west-1.amazonaws.com:443/").unwrap();
    assert_eq!(e.host, "sts.eu-west-1.amazonaws.com");
    assert_eq!(e.region, "eu-west-1");
    let e = Endpoint::parse("https://vpce-0a1.sts.us-west-2.vpce.amazonaws.com").unwrap();
    assert_eq!(e.region, "us-west-2");
    let e = Endpoint::parse("https://sts-fips.us-east-2.amazonaws.com").unwrap();
    assert_eq!(e.region, "us-east-2");
    let e = Endpoint::parse("http://127.0.0.1:5000").unwrap();
    assert_eq!(
        (e.url.as_str(), e.host.as_str()),
        ("http://127.0.0.1:5000/", "127.0.0.1:5000")
    );
    assert_eq!(e.region, "us-east-1");
    assert!(Endpoint::parse("http://[::1]:8080").is_ok());
    assert!(Endpoint::parse("http://localhost").is_ok());
    for bad in [
        "http://sts.amazonaws.com",
        "http://10.0.0.1:5000",
        "ftp://sts.amazonaws.com",
        "sts.amazonaws.com",
        "https://sts.amazonaws.com/path",
        "https://user@sts.amazonaws.com",
        "https://sts.amazonaws.com:x",
        "https://",
    ] {
        assert!(Endpoint::parse(bad).is_err(), "{bad} accepted");
    }
    assert!(Endpoint::parse("http://127.0.0.1:65535").is_ok());
    for bad in ["0", "00", "65536", "99999", "18446744073709551617"] {
        let text = format!("http://127.0.0.1:{bad}");
        assert_eq!(
            Endpoint::parse(&text),
            Err(format!("`{text}`: the port must be from 1 to 65535"))
        );
    }
}

#[test]
fn an_error_message_is_kept_short_and_on_one_line() {
    let long = format!(
        "<Error><Code>Throttling</Code><Message>{}</Message></Error>",
        "é".repeat(30_000)
    );
    let v = interpret(400, &long);
    let want = format!(
        "STS answered Throttling: {}…",
        "é".repeat(MAX_MESSAGE_CHARS)
    );
    assert_eq!(v.detail.as_deref(), Some(want.as_str()));
    let hostile = "<Error><Code>Odd\x1b[2J</Code><Message>a\r\n::error::x\x07\tb</Message></Error>";
    assert_eq!(
        interpret(400, hostile).detail.as_deref(),
        Some("STS answered Odd\u{fffd}[2J: a  ::error::x\u{fffd} b")
    );
    let huge_arn = format!("<Arn>arn:{}</Arn>", "x".repeat(60_000));
    let arn = interpret(200, &huge_arn).arn.unwrap();
    assert_eq!(arn.chars().count(), MAX_IDENTITY_CHARS + 1);
    assert!(arn.ends_with("x…"));
}

#[test]
fn an_active_answer_names_the_caller() {
    let body = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
        <GetCallerIdentityResult><UserId>AIDAEXAMPLE</UserId>\
        <Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/a&amp;b</Arn>\
        </GetCallerIdentityResult></GetCallerIdentityResponse>";
    let v = interpret(200, body);
    assert_eq!(v.status, Status::Active);
    assert_eq!(v.arn.as_deref(), Some("arn:aws:iam::123456789012:user/a&b"));
    assert_eq!(v.account.as_deref(), Some("123456789012"));
    assert_eq!(v.user_id.as_deref(), Some("AIDAEXAMPLE"));
}

fn error_body(code: &str) -> String {
    format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>\
         <Message>says {code}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
    )
}

#[test]
fn error_codes_map_to_states() {
    let v = interpret(403, &error_body("InvalidClientTokenId"));
    assert_eq!(v.status, Status::Invalid);
    assert_eq!(v.code.as_deref(), Some(UNKNOWN_KEY));
    assert_eq!(
        v.detail.as_deref(),
        Some("InvalidClientTokenId: says InvalidClientTokenId")
    );
    let v = interpret(403, &error_body("SignatureDoesNotMatch"));
    assert_eq!(v.status, Status::Invalid);
    assert!(v.detail.unwrap().starts_with("the key ID exists"));
    assert_eq!(
        interpret(403, &error_body("ExpiredToken")).status,
        Status::Expired
    );
    for (status, body) in [
        (400, error_body("Throttling")),
        (403, error_body("AccessDenied")),
        (500, String::new()),
        (200, "<html>captive portal</html>".to_string()),
    ] {
        let v = interpret(status, &body);
        assert_eq!(v.status, Status::Error, "{status} {body}");
        assert!(v.arn.is_none());
    }
    assert_eq!(
        interpret(503, "").detail.as_deref(),
        Some("STS answered HTTP 503")
    );
}
