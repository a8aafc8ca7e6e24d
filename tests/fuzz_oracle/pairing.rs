//! The detector's plain pass (`Detector::detect`): spans, shapes and pairing.
//!
//! Properties: detections come sorted by anchor; every key ID, secret and token has the shape
//! and boundaries docs/detection.md describes; every bounded key ID in the input is reported (the
//! prefilter drops none); a paired value starts inside its key's window, goes to one key only,
//! and only where it may (tokens to temporary keys, real secrets not to documentation keys).

use keyleak::detect::key_id::{KEY_ID_LEN, KeyClass, KeyId};
use keyleak::detect::lines::newlines_between;
use keyleak::detect::secret::{SECRET_LEN, is_placeholder, is_secret_byte, looks_random};
use keyleak::detect::token::{MIN_TOKEN_LEN, is_token_byte};
use keyleak::detect::{DetectOptions, Detection, Span};

/// docs/detection.md: a secret or token pairs when it starts within 5 lines and 2 KiB of its
/// key ID.
const LINES_AROUND: usize = 5;
const BYTES_AROUND: usize = 2048;

pub fn check(hay: &[u8], options: DetectOptions) {
    let detector = super::detector(options);
    let found = detector.detect(hay);
    assert!(
        found.windows(2).all(|w| w[0].anchor() <= w[1].anchor()),
        "{found:?}"
    );
    let mut values: Vec<Span> = Vec::new();
    let mut keys = Vec::new();
    for d in &found {
        match *d {
            Detection::Key {
                key,
                span,
                secret,
                token,
            } => {
                check_key(hay, key, span, options);
                keys.push(span.start);
                if let Some(s) = secret {
                    check_secret(hay, s);
                    check_in_window(hay, span, s);
                    assert_ne!(key.class(), KeyClass::Identifier, "{d:?}");
                    assert!(
                        !key.is_placeholder() || is_placeholder(s.bytes(hay)),
                        "a documentation key took a real secret: {d:?}"
                    );
                    values.push(s);
                }
                if let Some(t) = token {
                    check_token(hay, t);
                    check_in_window(hay, span, t);
                    assert_eq!(key.class(), KeyClass::Temporary, "{d:?}");
                    values.push(t);
                }
            }
            Detection::Secret { span } => {
                check_secret(hay, span);
                values.push(span);
            }
            Detection::Token { span } => {
                check_token(hay, span);
                values.push(span);
            }
            // A presigned URL's key ID: found, never paired (the URL holds no secret).
            Detection::Presigned { key, span, .. } => {
                check_key(hay, key, span, options);
                keys.push(span.start);
            }
            _ => {}
        }
    }
    values.sort();
    assert!(
        values.windows(2).all(|w| w[0] != w[1]),
        "a value reported twice: {found:?}"
    );
    assert_eq!(
        keys,
        super::every_key_id(hay, options),
        "key IDs found vs present"
    );
}

fn check_key(hay: &[u8], key: KeyId, span: Span, options: DetectOptions) {
    assert_eq!(span.end - span.start, KEY_ID_LEN, "{key:?}");
    assert_eq!(KeyId::parse(span.bytes(hay)), Some(key), "{span:?}");
    assert!(options.include_identifiers || key.class() != KeyClass::Identifier);
}

fn check_secret(hay: &[u8], span: Span) {
    assert_eq!(span.end - span.start, SECRET_LEN, "{span:?}");
    let value = span.bytes(hay);
    assert!(value.iter().all(|&b| is_secret_byte(b)), "{span:?}");
    assert!(looks_random(value) || is_placeholder(value), "{span:?}");
    assert!(
        super::bounded_before(hay, span.start, |&b| is_secret_byte(b))
            || after_keyword(hay, span.start),
        "{span:?}"
    );
    let after = hay.get(span.end);
    assert!(
        after.is_none_or(|&b| !is_secret_byte(b) && b != b'='),
        "{span:?}"
    );
}

/// A keyword secret may start right where its keyword ends, glued to it
/// (`aws_secret_access_keyZI2t…`, `--aws-secret-access-key+f5F…`): the keyword rules accept
/// no separator (`src/detect/keywords.rs`, `value_after`). Allowed here; see the regression test
/// `fuzz_twins::secret_glued_to_its_keyword`.
fn after_keyword(hay: &[u8], at: usize) -> bool {
    let before = hay[..at].to_ascii_lowercase();
    before.ends_with(b"key") || before.ends_with(b"secret")
}

fn check_token(hay: &[u8], span: Span) {
    assert!(span.end - span.start >= MIN_TOKEN_LEN, "{span:?}");
    assert!(
        span.bytes(hay).iter().all(|&b| is_token_byte(b)),
        "{span:?}"
    );
}

fn check_in_window(hay: &[u8], key: Span, value: Span) {
    let lines = newlines_between(hay, key.start, value.start);
    assert!(
        lines <= LINES_AROUND,
        "{value:?} is {lines} lines from {key:?}"
    );
    assert!(
        value.start + BYTES_AROUND >= key.start && value.start < key.end + BYTES_AROUND,
        "{value:?} is too far from {key:?}"
    );
}
