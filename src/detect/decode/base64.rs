//! Base64 text holding a key: Kubernetes `Secret` manifests (`data:` values), encoded
//! credentials files, CI variables.
//!
//! Found two ways, both without looking at every base64 run in every file:
//! - [`key_literals`]: a key ID's prefix (`AKIA`, `ASIA`) encodes to a fixed substring at
//!   each of the three byte alignments, so the prefilter finds encoded keys in the same pass
//!   as plain ones; [`run_around`] then decodes the base64 run around the hit.
//! - [`secret_value`]: a value after a secret keyword that is the base64 of a 40-character
//!   secret.
//!
//! Bounded: a run longer than [`MAX_RUN`] is decoded only in a window around each hit, and
//! the caller caps the total decoded per blob.

use super::Run;

/// Key ID prefixes searched for in encoded form: the credentials (identifiers are not).
const ENCODED_PREFIXES: &[&str] = &["AKIA", "ASIA"];
/// Their encodings at the start of a 3-byte group (`fixed(prefix)[0]`, checked in a test):
/// what a twice-encoded key's outer layer decodes to.
const ENCODED_ONCE: &[&str] = &["QUtJQ", "QVNJQ"];

/// Longest run decoded whole (bytes of base64 text); longer runs are decoded only within
/// `WINDOW` bytes of a hit.
pub const MAX_RUN: usize = 1 << 20;
/// Base64 text decoded each side of a hit in a run over [`MAX_RUN`].
const WINDOW: usize = 4096;

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

fn is_base64_byte(b: u8) -> bool {
    value(b).is_some()
}

/// The characters of each key prefix's encoding that do not depend on their neighbours, at
/// each of the three byte alignments; then the same for the first of those (the prefix at the
/// start of a 3-byte group) encoded once more: a key ID that was base64-encoded twice
/// (`echo -n AKIA… | base64 | base64`, a Kubernetes `Secret` value that was already base64).
/// A twice-encoded key elsewhere in its inner text is found only through a keyword.
pub fn key_literals() -> Vec<String> {
    let once = ENCODED_PREFIXES.iter().flat_map(|p| fixed(p));
    once.chain(ENCODED_ONCE.iter().flat_map(|l| fixed(l)))
        .collect()
}

/// What a literal hit must decode to: a key prefix, or its first encoding (a twice-encoded key).
fn shows_key(decoded: &[u8]) -> bool {
    decoded
        .windows(4)
        .any(|w| ENCODED_PREFIXES.iter().any(|p| p.as_bytes() == w))
        || decoded
            .windows(5)
            .any(|w| ENCODED_ONCE.iter().any(|l| l.as_bytes() == w))
}

/// The characters of `literal`'s encoding whose six bits all come from `literal`, at each of
/// the three byte alignments.
fn fixed(literal: &str) -> Vec<String> {
    (0..3)
        .map(|align| {
            let mut bytes = vec![0u8; align];
            bytes.extend_from_slice(literal.as_bytes());
            bytes.resize(bytes.len().div_ceil(3) * 3, 0);
            let (first_bit, end_bit) = (8 * align, 8 * (align + literal.len()));
            (0..bytes.len() / 3 * 4)
                .filter(|i| 6 * i >= first_bit && 6 * i + 6 <= end_bit)
                .map(|i| char::from(STANDARD[usize::from(sextet(&bytes, i))]))
                .collect()
        })
        .collect()
}

/// Sextet `i` of `bytes`' base64 encoding.
fn sextet(bytes: &[u8], i: usize) -> u8 {
    let bit = 6 * i;
    let word = (u16::from(bytes[bit / 8]) << 8) | u16::from(*bytes.get(bit / 8 + 1).unwrap_or(&0));
    ((word >> (10 - bit % 8)) & 0x3F) as u8
}

/// Decodes `hay[start..end]` (base64 characters only, length not ≡ 1 mod 4), recording the
/// input offset of the group behind each decoded byte.
fn decode(hay: &[u8], start: usize, end: usize) -> Option<Run> {
    let text = &hay[start..end];
    if text.len() % 4 == 1 || text.len() < 4 {
        return None;
    }
    let mut decoded = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let mut origins = Vec::with_capacity(decoded.capacity());
    for (g, group) in text.chunks(4).enumerate() {
        let mut acc: u32 = 0;
        for &c in group {
            acc = (acc << 6) | u32::from(value(c)?);
        }
        acc <<= 6 * (4 - group.len());
        for k in 0..group.len() - 1 {
            decoded.push((acc >> (16 - 8 * k)) as u8);
            origins.push(start + 4 * g + k);
        }
    }
    Some(Run {
        start,
        end,
        decoded,
        origins,
    })
}

/// The base64 run around a prefilter hit at `at`, decoded so that the key prefix shows; also
/// says whether the run was too long and only a window around the hit was decoded.
pub fn run_around(hay: &[u8], at: usize) -> Option<(Run, bool)> {
    let mut lo = at;
    while lo > 0 && is_base64_byte(hay[lo - 1]) {
        lo -= 1;
    }
    let mut hi = at;
    while hi < hay.len() && is_base64_byte(hay[hi]) {
        hi += 1;
    }
    let clipped = hi - lo > MAX_RUN;
    let run_end = hi;
    let (lo, hi) = if clipped {
        (at.saturating_sub(WINDOW).max(lo), (at + WINDOW).min(hi))
    } else {
        (lo, hi)
    };
    // The run's four-character grid is unknown when it was clipped or starts after a
    // base64-looking word (`data:QUtJ…` is fine, `keyQUtJ…` is not): try each shift and keep
    // the one where the hit decodes to a key prefix.
    (0..4).find_map(|shift| {
        let start = lo + shift;
        let len = hi.checked_sub(start)?;
        // Whole groups only where the window cuts the run; at the run's real end a partial
        // group decodes too (a lone trailing character never does).
        let len = if hi < run_end {
            len / 4 * 4
        } else {
            len - usize::from(len % 4 == 1)
        };
        let mut run = decode(hay, start, start + len)?;
        if run.end == run_end {
            // Padding belongs to the run: left in the view, `…secret==` reads as a longer value.
            run.end += hay[run_end..]
                .iter()
                .take(2)
                .take_while(|&&b| b == b'=')
                .count();
        }
        shows_key(&run.decoded).then_some((run, clipped))
    })
}

/// A 40-character secret written as base64 in `hay[start..end]` (the value after a secret
/// keyword): its 56 (or unpadded 54) characters decode to 40 bytes.
pub fn secret_value(hay: &[u8], start: usize, end: usize, len: usize) -> Option<Run> {
    let text_end = start + hay[start..end].iter().take_while(|&&b| b != b'=').count();
    let chars = text_end - start;
    if chars != (len * 4).div_ceil(3) {
        return None;
    }
    let run = decode(hay, start, text_end)?;
    (run.decoded.len() == len).then_some(Run { end, ..run })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(bytes: &[u8]) -> String {
        let mut padded = bytes.to_vec();
        padded.resize(bytes.len().div_ceil(3) * 3, 0);
        let chars = (bytes.len() * 8).div_ceil(6);
        let mut s: String = (0..chars)
            .map(|i| char::from(STANDARD[usize::from(sextet(&padded, i))]))
            .collect();
        while !s.len().is_multiple_of(4) {
            s.push('=');
        }
        s
    }

    #[test]
    fn literals_appear_in_every_alignment() {
        let lits = key_literals();
        assert_eq!(lits.len(), 12);
        assert!(lits.contains(&"UVV0Sl".to_string()), "{lits:?}");
        for (prefix, once) in ENCODED_PREFIXES.iter().zip(ENCODED_ONCE) {
            assert_eq!(&fixed(prefix)[0], once);
        }
        assert!(lits.contains(&"QUtJQ".to_string()), "{lits:?}");
        for prefix in ["x", "xy", "xyz"] {
            let text = encode(format!("{prefix}AKIAQZQZQZQZQZQZQZQZ").as_bytes());
            assert!(lits.iter().any(|l| text.contains(l.as_str())), "{text}");
        }
    }

    #[test]
    fn decodes_the_run_around_a_hit() {
        for prefix in ["", "k=", "id: "] {
            let text = format!(
                "data: {}\n",
                encode(format!("{prefix}AKIAQZQZQZQZQZQZQZQZ\n").as_bytes())
            );
            let hit = key_literals()
                .iter()
                .find_map(|l| text.find(l.as_str()))
                .expect("a literal");
            let (run, clipped) = run_around(text.as_bytes(), hit).expect("decodes");
            assert!(!clipped);
            let shown = String::from_utf8_lossy(&run.decoded).into_owned();
            assert!(shown.contains("AKIAQZQZQZQZQZQZQZQZ"), "{shown:?}");
            assert_eq!(run.origins[0], run.start);
            assert_eq!(
                run.end,
                text.len() - 1,
                "padding is part of the run: {text}"
            );
        }
    }

    #[test]
    fn a_huge_run_is_decoded_around_the_hit_only() {
        let mut text = "QUJD".repeat(MAX_RUN / 2);
        text.push_str(&encode(b"AKIAQZQZQZQZQZQZQZQZ"));
        text.push_str(&"QUJD".repeat(MAX_RUN / 2));
        let hit = text.find("QUtJQ").unwrap();
        let (run, clipped) = run_around(text.as_bytes(), hit).expect("decodes");
        assert!(clipped);
        assert!(run.end - run.start <= 2 * WINDOW);
        assert!(run.decoded.windows(4).any(|w| w == b"AKIA"));
    }

    #[test]
    fn secret_values() {
        let secret = "Zq8Tn3Kv0Yb6Hw1Rj5Lm9Px2Cs4Df7Gu0Ei3Ao6B";
        let text = format!("k: {}\n", encode(secret.as_bytes()));
        let end = text.len() - 1;
        let run = secret_value(text.as_bytes(), 3, end, 40).expect("a secret");
        assert_eq!(run.decoded, secret.as_bytes());
        assert_eq!(run.end, end);
        assert!(secret_value(b"k: QUJD\n", 3, 7, 40).is_none());
    }
}
