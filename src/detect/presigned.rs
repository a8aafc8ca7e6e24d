//! Presigned URLs: a key ID that is the credential of a URL's query-string signature
//! (SigV4 `X-Amz-Credential=AKIA…/20250101/us-east-1/s3/aws4_request`, SigV2
//! `AWSAccessKeyId=AKIA…&Expires=…&Signature=…`).
//!
//! Such a URL carries no secret: it is a capability for one request, valid until it expires.
//! This module reads the URL around the key and tells when that is. It owns the query parsing
//! (bounded: the URL ends at whitespace, a quote or a bracket, and is read at most
//! [`REACH_BACK`] bytes before the key and [`REACH_FORWARD`] after), the `X-Amz-Date` format
//! and the SigV4 seven-day cap. Risk and wording are `risk`'s business.

use super::Span;

/// The longest a SigV4 presigned URL can live: 7 days. AWS rejects a larger `X-Amz-Expires`.
pub const MAX_SIGV4_EXPIRES: i64 = 7 * 24 * 3600;

/// Bytes read before the key ID for the start of the query.
pub const REACH_BACK: usize = 4096;
/// Bytes read after the key ID for the rest of the query: room for a URL-encoded session
/// token (1–3 KiB).
pub const REACH_FORWARD: usize = 8192;

/// Which query-string signature the URL uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SigVersion {
    /// `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires` (seconds, at most 7 days).
    V4,
    /// `AWSAccessKeyId`, `Expires` (Unix seconds), `Signature`.
    V2,
}

impl SigVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            SigVersion::V4 => "sigv4",
            SigVersion::V2 => "sigv2",
        }
    }
}

/// What a presigned URL says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Presigned {
    pub version: SigVersion,
    /// The query parameters read, from the first to the last: nothing in it is a credential
    /// of its own (a piece of the encoded token is no secret access key).
    pub query: Span,
    /// SigV4 `X-Amz-Date`, Unix seconds; `None` for SigV2 or when missing or malformed.
    pub signed_at: Option<i64>,
    /// SigV4 `X-Amz-Expires` as written, in seconds, when it is a positive number.
    pub expires_in: Option<i64>,
    /// When the URL stops working, Unix seconds: SigV4 `X-Amz-Date` + `X-Amz-Expires` (capped
    /// at [`MAX_SIGV4_EXPIRES`]), SigV2 `Expires`. `None` when a part is missing or malformed.
    pub expires_at: Option<i64>,
    /// The value of `X-Amz-Security-Token`, still URL-encoded, when the URL has one.
    pub token: Option<Span>,
    /// The URL was itself URL-encoded inside another URL's query (`?next=https%3A%2F%2F…`):
    /// its spans are in the outer text, where the token is encoded twice.
    pub nested: bool,
}

impl Presigned {
    /// `X-Amz-Expires` was over the SigV4 maximum, so [`Presigned::expires_at`] was capped.
    pub fn lifetime_capped(&self) -> bool {
        self.expires_in.is_some_and(|e| e > MAX_SIGV4_EXPIRES)
    }
}

fn ends_with_ignore_case(hay: &[u8], end: usize, suffix: &str) -> bool {
    end >= suffix.len() && hay[end - suffix.len()..end].eq_ignore_ascii_case(suffix.as_bytes())
}

/// A byte that cannot be part of a URL as written in text: it ends the URL.
fn ends_url(b: u8) -> bool {
    !b.is_ascii_graphic()
        || matches!(
            b,
            b'"' | b'\'' | b'`' | b'<' | b'>' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'|'
        )
}

/// `&` as JSON writes it when it escapes HTML-significant characters (Go's encoder does).
const JSON_AMP: &[u8] = b"\\u0026";
const HTML_AMP: &[u8] = b"&amp;";

/// Length of the parameter separator at `hay[at..]`: `&`, `&amp;` (HTML) or `\u0026` (JSON).
fn separator_len(hay: &[u8]) -> usize {
    if hay.len() >= HTML_AMP.len() && hay[..HTML_AMP.len()].eq_ignore_ascii_case(HTML_AMP) {
        HTML_AMP.len()
    } else if hay.first() == Some(&b'&') {
        1
    } else if hay.starts_with(JSON_AMP) {
        JSON_AMP.len()
    } else {
        0
    }
}

/// A backslash at `hay[0]` that is part of a URL in a JSON string: `\u0026` (`&`) or `\/`.
fn json_escape(hay: &[u8]) -> bool {
    hay.starts_with(JSON_AMP) || hay.starts_with(b"\\/")
}

/// The URL (or bare query) around `at`, within the reach limits. A backslash ends it unless it
/// starts a JSON escape of `&` or `/`.
fn extent(hay: &[u8], at: usize) -> (usize, usize) {
    let floor = at.saturating_sub(REACH_BACK);
    let mut lo = at;
    while lo > floor {
        let b = hay[lo - 1];
        if ends_url(b) || (b == b'\\' && !json_escape(&hay[lo - 1..])) {
            break;
        }
        lo -= 1;
    }
    let ceiling = hay.len().min(at + REACH_FORWARD);
    let mut hi = at;
    while hi < ceiling {
        let b = hay[hi];
        if ends_url(b) || (b == b'\\' && !json_escape(&hay[hi..])) {
            break;
        }
        hi += 1;
    }
    (lo, hi)
}

/// One `name=value` query parameter.
#[derive(Debug, Clone, Copy)]
struct Param {
    name: Span,
    value: Span,
}

/// The parameters of the query that holds `at`: from the last `?` before it (or the start of
/// the extent) to the end of the extent.
fn params(hay: &[u8], at: usize) -> (Span, Vec<Param>) {
    let (lo, hi) = extent(hay, at);
    let start = hay[lo..at]
        .iter()
        .rposition(|&b| b == b'?')
        .map_or(lo, |q| lo + q + 1);
    let mut out = Vec::new();
    let mut piece = start;
    let mut i = start;
    while i <= hi {
        let sep = if i == hi {
            0
        } else {
            separator_len(&hay[i..hi])
        };
        if i == hi || sep > 0 {
            if let Some(eq) = hay[piece..i].iter().position(|&b| b == b'=') {
                out.push(Param {
                    name: Span::new(piece, piece + eq),
                    value: Span::new(piece + eq + 1, i),
                });
            }
            i += sep.max(1);
            piece = i;
        } else {
            i += 1;
        }
    }
    (Span::new(start, hi), out)
}

/// If the key ID at `key_at` is the credential of a presigned URL, what the URL says.
///
/// A presigned URL URL-encoded inside another URL (a redirect target, a link in a query or a
/// form body: `X-Amz-Credential%3DAKIA…`) is decoded once and read the same way.
pub fn at(hay: &[u8], key_at: usize) -> Option<Presigned> {
    if let Some(url) = at_plain(hay, key_at) {
        return Some(url);
    }
    let nested = ["X-Amz-Credential%3D", "AWSAccessKeyId%3D"]
        .iter()
        .any(|name| ends_with_ignore_case(hay, key_at, name));
    if !nested {
        return None;
    }
    let (lo, hi) = extent(hay, key_at);
    let (decoded, origin) = percent_decode_mapped(&hay[lo..hi]);
    let key_in_decoded = origin.iter().position(|&o| o == key_at - lo)?;
    let url = at_plain(&decoded, key_in_decoded)?;
    let back = |s: Span| Span::new(lo + origin[s.start], lo + origin[s.end]);
    Some(Presigned {
        query: back(url.query),
        token: url.token.map(back),
        nested: true,
        ..url
    })
}

/// `v` with every `%XX` decoded, and for each decoded byte (plus one past the end) the offset
/// in `v` it came from.
fn percent_decode_mapped(v: &[u8]) -> (Vec<u8>, Vec<usize>) {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(v.len());
    let mut origin = Vec::with_capacity(v.len() + 1);
    let mut i = 0;
    while i < v.len() {
        origin.push(i);
        let escape = || Some(hex(*v.get(i + 1)?)? * 16 + hex(*v.get(i + 2)?)?);
        match if v[i] == b'%' { escape() } else { None } {
            Some(b) => {
                out.push(b as u8);
                i += 3;
            }
            None => {
                out.push(v[i]);
                i += 1;
            }
        }
    }
    origin.push(v.len());
    (out, origin)
}

/// [`at`] for a URL written as it is.
///
/// SigV4: the key is the value of `X-Amz-Credential`, which alone marks query-string signing.
/// SigV2: the key is the value of `AWSAccessKeyId` and the same query has `Signature` or
/// `Expires` (`AWSAccessKeyId=` alone is a config line, not a URL). Parameter names compare
/// without case.
fn at_plain(hay: &[u8], key_at: usize) -> Option<Presigned> {
    let version = if ends_with_ignore_case(hay, key_at, "X-Amz-Credential=") {
        SigVersion::V4
    } else if ends_with_ignore_case(hay, key_at, "AWSAccessKeyId=") {
        SigVersion::V2
    } else {
        return None;
    };
    let (query, params) = params(hay, key_at);
    // The name must be a whole parameter name (`?` or a separator before it).
    let name_len = match version {
        SigVersion::V4 => "X-Amz-Credential".len(),
        SigVersion::V2 => "AWSAccessKeyId".len(),
    };
    if !params
        .iter()
        .any(|p| p.value.start == key_at && p.name.end - p.name.start == name_len)
    {
        return None;
    }
    let value = |name: &str| {
        params
            .iter()
            .find(|p| p.name.bytes(hay).eq_ignore_ascii_case(name.as_bytes()))
            .map(|p| p.value.bytes(hay))
    };
    let token = params
        .iter()
        .find(|p| {
            p.name
                .bytes(hay)
                .eq_ignore_ascii_case(b"X-Amz-Security-Token")
                // A cut-off value is no usable token (real ones run to hundreds of characters).
                && p.value.end - p.value.start >= crate::detect::token::MIN_TOKEN_LEN
        })
        .map(|p| p.value);
    let (signed_at, expires_in, expires_at) = match version {
        SigVersion::V4 => {
            let signed_at = value("X-Amz-Date").and_then(parse_amz_date);
            let expires_in = value("X-Amz-Expires")
                .and_then(|v| parse_decimal(v, 10))
                .filter(|&e| e > 0);
            let expires_at = signed_at
                .zip(expires_in)
                .map(|(d, e)| d + e.min(MAX_SIGV4_EXPIRES));
            (signed_at, expires_in, expires_at)
        }
        SigVersion::V2 => {
            if value("Signature").is_none() && value("Expires").is_none() {
                return None;
            }
            (
                None,
                None,
                value("Expires").and_then(|v| parse_decimal(v, 12)),
            )
        }
    };
    Some(Presigned {
        version,
        query,
        signed_at,
        expires_in,
        expires_at,
        token,
        nested: false,
    })
}

/// A decimal number of at most `max_digits` digits, nothing else.
fn parse_decimal(v: &[u8], max_digits: usize) -> Option<i64> {
    if v.is_empty() || v.len() > max_digits || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(v).ok()?.parse().ok()
}

/// `X-Amz-Date`'s ISO 8601 basic format, `YYYYMMDDTHHMMSSZ`, to Unix seconds.
pub fn parse_amz_date(v: &[u8]) -> Option<i64> {
    if v.len() != 16 || v[8] != b'T' || v[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| parse_decimal(&v[r], 4);
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) || hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss)
}

pub(crate) fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Decodes `%XX` escapes (a session token in a query is URL-encoded); anything else is kept.
pub fn percent_decode(v: &[u8]) -> String {
    String::from_utf8_lossy(&percent_decode_mapped(v).0).into_owned()
}

#[cfg(test)]
mod tests;
