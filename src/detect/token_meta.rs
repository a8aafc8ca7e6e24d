//! What a current STS session token says about itself, read offline: the region that issued
//! it and, often, the account it belongs to.
//!
//! A token starting `IQoJb3JpZ2luX2Vj` is base64 (standard alphabet) of one format byte
//! (`0x21`) and a protocol-buffers message. AWS does not document it; public decodings of real
//! tokens show length-delimited fields in this order: `origin_ec` (the signing scheme), the
//! signing key number, the region in ASCII (`us-east-2`), a DER ECDSA signature, then a nested
//! message whose third field is the 12-digit account ID in ASCII (followed by an IV and
//! encrypted session data), the creation time, and more encrypted data. Both values sit in
//! the first ~130 bytes.
//!
//! Because the layout is undocumented, field numbers are not trusted: the reader walks the
//! message (and one level of nested messages) and takes the first complete length-delimited
//! field that is exactly a region name, and the first that is exactly twelve ASCII digits.
//! Encrypted bytes shaped like either by chance are about as likely as a 96-bit collision.
//!
//! Best effort by design: at most [`MAX_TEXT`] characters are decoded, anything malformed or
//! truncated ends the walk with what was found so far, and nothing here fails or panics on any
//! input. Owns only the reading; whether the token and its key agree is the caller's business
//! ([`TokenMeta::account_mismatch`] compares).

use super::token::TOKEN_PREFIXES;

/// The token prefix this reader understands: current STS tokens.
pub const META_PREFIX: &str = TOKEN_PREFIXES[0];

/// Characters of token text decoded at most (768 bytes): the region and account sit in the
/// first ~130 bytes of real tokens, so this leaves room for longer leading fields while
/// bounding the work on a hostile multi-megabyte "token".
pub const MAX_TEXT: usize = 1024;

/// Length-delimited fields examined at most per message, so a run of empty fields ends fast.
const MAX_FIELDS: usize = 64;

/// Format byte that precedes the message in `IQoJ…` tokens (`!`).
const FORMAT_BYTE: u8 = 0x21;

/// What a session token carries in clear text. At least one of the two is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenMeta {
    /// The region that issued the token (`eu-west-3`, `us-gov-west-1`, `cn-north-1`).
    pub region: Option<String>,
    /// The 12-digit account the session belongs to.
    pub account: Option<u64>,
}

impl TokenMeta {
    /// Whether the token's account differs from the one a paired key ID encodes; `None` when
    /// either is unknown, so there is nothing to compare.
    pub fn account_mismatch(&self, key_account: Option<u64>) -> Option<bool> {
        Some(self.account? != key_account?)
    }
}

/// Reads the region and account from a session token's text. `None` when the token is not an
/// `IQoJ…` token or neither value is found.
pub fn read(token: &[u8]) -> Option<TokenMeta> {
    if !token.starts_with(META_PREFIX.as_bytes()) {
        return None;
    }
    let bytes = decode_base64(&token[..token.len().min(MAX_TEXT)]);
    let (&first, message) = bytes.split_first()?;
    if first != FORMAT_BYTE {
        return None;
    }
    let mut meta = TokenMeta {
        region: None,
        account: None,
    };
    walk(message, 0, &mut meta);
    (meta.region.is_some() || meta.account.is_some()).then_some(meta)
}

/// Standard-alphabet base64, up to the first byte outside the alphabet (padding included); a
/// trailing partial group gives the bytes it holds whole.
fn decode_base64(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in text {
        let Some(v) = sextet(c) else { break };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// A protobuf varint at `at`: (value, offset after it). At most 10 bytes.
fn varint(msg: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &b) in msg.get(at..)?.iter().take(10).enumerate() {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b < 0x80 {
            return Some((value, at + i + 1));
        }
    }
    None
}

/// Walks one message, filling what `meta` still lacks; descends one level into
/// length-delimited fields (which may be cut short by [`MAX_TEXT`]).
fn walk(msg: &[u8], depth: u8, meta: &mut TokenMeta) {
    let mut at = 0;
    for _ in 0..MAX_FIELDS {
        if at >= msg.len() || (meta.region.is_some() && meta.account.is_some()) {
            return;
        }
        let Some((tag, next)) = varint(msg, at) else {
            return;
        };
        if tag >> 3 == 0 {
            return;
        }
        at = match tag & 7 {
            0 => match varint(msg, next) {
                Some((_, after)) => after,
                None => return,
            },
            1 => next + 8,
            5 => next + 4,
            2 => {
                let Some((len, start)) = varint(msg, next) else {
                    return;
                };
                let end = usize::try_from(len)
                    .ok()
                    .and_then(|len| start.checked_add(len))
                    .unwrap_or(usize::MAX);
                let body = &msg[start..end.min(msg.len())];
                let whole = end <= msg.len();
                if whole && meta.region.is_none() && is_region(body) {
                    meta.region = String::from_utf8(body.to_vec()).ok();
                } else if whole && meta.account.is_none() && is_account(body) {
                    meta.account = std::str::from_utf8(body).ok().and_then(|s| s.parse().ok());
                } else if depth == 0 {
                    walk(body, depth + 1, meta);
                }
                end
            }
            _ => return,
        };
    }
}

/// An AWS region name: lower-case words joined by `-`, then a number: `us-east-1`,
/// `ap-southeast-2`, `us-gov-west-1`, `us-isob-east-1`, `eusc-de-east-1`.
fn is_region(b: &[u8]) -> bool {
    if !(9..=32).contains(&b.len()) {
        return false;
    }
    let mut parts = b.split(|&c| c == b'-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=4).contains(&p.len()) && p.iter().all(u8::is_ascii_lowercase));
    let rest: Vec<&[u8]> = parts.collect();
    let Some((number, words)) = rest.split_last() else {
        return false;
    };
    first_ok
        && (1..=3).contains(&words.len())
        && words
            .iter()
            .all(|w| (2..=12).contains(&w.len()) && w.iter().all(u8::is_ascii_lowercase))
        && (1..=2).contains(&number.len())
        && number.iter().all(u8::is_ascii_digit)
}

fn is_account(b: &[u8]) -> bool {
    b.len() == 12 && b.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
#[path = "token_meta/tests.rs"]
mod tests;
