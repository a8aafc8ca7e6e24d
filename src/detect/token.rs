//! Session token candidates: long base64 runs after a token keyword or starting with a known
//! STS token prefix.

/// The alphabet of an STS session token (base64 with padding).
pub fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+' | b'=')
}

/// Shortest run accepted as a session token. Real STS tokens are several hundred characters;
/// 100 keeps short base64 values next to the word `SessionToken` out.
pub const MIN_TOKEN_LEN: usize = 100;

/// How STS session tokens start once base64-encoded: `IQoJb3JpZ2luX2Vj` (current,
/// "\x21\n\torigin_ec..."), `FwoGZXIvYXdz` and `FQoGZXIvYXdz` (2017–2020 formats), `AQoDYXdz`
/// (older, and the AWS documentation example).
pub const TOKEN_PREFIXES: &[&str] = &[
    "IQoJb3JpZ2luX2Vj",
    "FwoGZXIvYXdz",
    "FQoGZXIvYXdz",
    "AQoDYXdz",
];

/// `=` only pads the end of a token: a run with `=` inside (`x===…===y`, a pasted header dump
/// `IQoJ…EqK====…TMTb`) is not one token. Reporting it would print it whole, since redaction
/// ends a base64 run at `=`.
pub fn padded_only_at_end(value: &[u8]) -> bool {
    let body_end = value.len() - value.iter().rev().take_while(|&&b| b == b'=').count();
    !value[..body_end].contains(&b'=')
}

/// From a prefix hit at `at`, the end of the token run if it is a bounded token. A `=` before
/// it is an assignment, not padding.
pub fn prefixed_token_end(hay: &[u8], at: usize) -> Option<usize> {
    let glued = |b: u8| b != b'=' && is_token_byte(b);
    if at > 0 && glued(hay[at - 1]) && !super::escaped_letter_at(hay, at - 1) {
        return None;
    }
    let len = hay[at..].iter().take_while(|&&b| is_token_byte(b)).count();
    (len >= MIN_TOKEN_LEN && padded_only_at_end(&hay[at..at + len])).then_some(at + len)
}
