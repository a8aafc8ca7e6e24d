//! Credentials glued to their neighbours in binary formats: SQLite rows, marshalled Python
//! constants (`.pyc`), Java `.class` constant pools, protobuf. These store strings back to
//! back with length or type bytes that can be letters or digits, so a key ID or a secret
//! touches another alphanumeric byte and the text rules (`key_at`, `secret::candidates_in`)
//! drop it.
//!
//! Owns: whether a blob is binary ([`is_binary`]), the key-ID rule for binary blobs
//! ([`key_at`]) and the pairing of a key ID with a length- or type-prefixed secret in the same
//! record ([`pair_prefixed`]). Text blobs never reach these rules, so text stays strict. It
//! runs once per blob ([`detect`]), after the plain pass and the decoded layers, on the bytes
//! as read: decoded views are never read this way. Must not change what the plain pass found.
//!
//! - A blob is binary when its first 8 KiB hold a NUL or a C0 control byte other than tab,
//!   newline, vertical tab, form feed, carriage return and escape (git's NUL rule, widened
//!   because protobuf without zero bytes is still binary: its tags and lengths are controls).
//! - A key ID there may touch anything before it; after it, it needs a byte outside
//!   `[A-Z2-7]` (else it could be the start of a longer base32 run) or a prefixed secret (see
//!   below) starting right there. It must not end a run of 16+ `[A-Z2-7]` bytes (then it is
//!   the tail of base32-encoded data, not a value glued to a short neighbour).
//! - A secret there is exactly 40 secret bytes (`[A-Za-z0-9/+]`) that look random, at a
//!   position the format fixes, so what follows does not matter: after a length byte 0x28
//!   (protobuf wire type 2 + varint 40, marshal `z`/`Z` + 40, Java `CONSTANT_Utf8` tag 1 +
//!   u16 `00 28`), or (SQLite) right after or right before the key ID when the record header
//!   before them declares the two columns side by side: serial types `0x35 0x5d` (text of 20
//!   bytes = 20·2+13, text of 40 bytes = 40·2+13) or `0x5d 0x35`.
//! - An unpaired key ID (not an IAM identifier) takes the nearest such secret within
//!   [`RECORD`] bytes that no other key took.

use super::key_id::{KEY_ID_LEN, KeyClass, KeyId, is_base32};
use super::secret::{SECRET_LEN, is_placeholder, is_secret_byte, looks_random};
use super::{Detection, Detections, Span};

/// How much of a blob decides whether it is binary (git looks at the first 8,000 bytes).
const SNIFF: usize = 8 * 1024;
/// How far from a key ID its secret may be: one record of the formats above.
pub const RECORD: usize = 256;
/// The length byte of a 40-byte string (varint, u8 or the low byte of a big-endian u16).
const LEN_40: u8 = SECRET_LEN as u8;
/// SQLite serial types of a 20-byte and a 40-byte text column.
const SQLITE_TEXT_20: u8 = (KEY_ID_LEN * 2 + 13) as u8;
const SQLITE_TEXT_40: u8 = (SECRET_LEN * 2 + 13) as u8;
/// How far before a key ID its SQLite record header is looked for.
const SQLITE_HEADER_BACK: usize = 64;
/// A key ID ending a `[A-Z2-7]` run at least this long is base32 data, not a key.
const BASE32_RUN: usize = 16;

/// Is this blob binary (see the module docs)?
pub fn is_binary(hay: &[u8]) -> bool {
    let control = |b: u8| b < 0x20 && !matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0x1b);
    // Branch-free within 64-byte chunks, so the compiler vectorises it: every text blob is
    // sniffed, and a byte-at-a-time `any` cost more than the literal search itself
    // (measured: 7 instructions a byte).
    hay[..hay.len().min(SNIFF)]
        .chunks(64)
        .any(|chunk| chunk.iter().fold(false, |seen, &b| seen | control(b)))
}

/// In a binary `hay`, adds the key IDs the text rule dropped to `found.plain` and pairs the
/// unpaired ones with prefixed secrets. Runs on the blob as read, after the plain pass and
/// the decoded layers: a decoded view (UTF-16 beside ASCII, base64) is never read this way,
/// and a key a layer already reports, or one inside a value already found, is not added.
/// `prefixes`: where the plain pass's literal search met a key prefix in `hay` (each key ID
/// begins with one), so the blob is not searched again.
pub(crate) fn detect(hay: &[u8], prefixes: &[usize], found: &mut Detections) {
    // Without a key prefix there is no key ID to add or pair (the plain pass's keys start at
    // one too): most blobs stop here, unsniffed. Then the sniff: text blobs cost 8 KiB more.
    if prefixes.is_empty() || !is_binary(hay) {
        return;
    }
    let taken: Vec<std::ops::Range<usize>> = found
        .plain
        .iter()
        .map(|d| d.anchor())
        .chain(found.plain.iter().flat_map(Detection::values))
        .map(|s| s.start..s.end)
        .chain(found.decoded.iter().flat_map(|layer| {
            layer.detections.iter().flat_map(|d| {
                let anchor = d.anchor();
                std::iter::once(anchor)
                    .chain(d.values())
                    .map(|s| layer.to_level(s.start, 0)..layer.to_level(s.end, 0))
            })
        }))
        .collect();
    let before = found.plain.len();
    for &at in prefixes {
        let end = at + KEY_ID_LEN;
        if taken.iter().any(|r| r.start < end && at < r.end) {
            continue;
        }
        if let Some(key) = key_at(hay, at) {
            found.plain.push(Detection::Key {
                key,
                span: Span::new(at, end),
                secret: None,
                token: None,
            });
        }
    }
    if found.plain.len() > before {
        found.plain.sort_by_key(Detection::anchor);
    }
    pair_prefixed(hay, &mut found.plain);
}

/// A key ID at `at` in a binary blob, bounded by its shape (module docs).
pub fn key_at(hay: &[u8], at: usize) -> Option<KeyId> {
    let end = at + KEY_ID_LEN;
    let key = KeyId::parse(hay.get(at..end)?)?;
    let run_before = hay[..at]
        .iter()
        .rev()
        .take_while(|&&b| is_base32(b))
        .count();
    if run_before >= BASE32_RUN {
        return None;
    }
    let bounded = hay.get(end).is_none_or(|&b| !is_base32(b))
        || type_prefixed(hay, end).is_some()
        || sqlite_after(hay, at).is_some();
    bounded.then_some(key)
}

/// A 40-byte secret-shaped value starting at `start`, random-looking or a placeholder.
fn secret_at(hay: &[u8], start: usize) -> Option<usize> {
    let value = hay.get(start..start + SECRET_LEN)?;
    (value.iter().all(|&b| is_secret_byte(b)) && (looks_random(value) || is_placeholder(value)))
        .then_some(start)
}

/// A type byte and the length byte 40 at `at` (`Z(…`, protobuf tag + `(`), then a secret.
fn type_prefixed(hay: &[u8], at: usize) -> Option<usize> {
    (hay.get(at + 1) == Some(&LEN_40)).then(|| secret_at(hay, at + 2))?
}

/// The secret right after the key ID at `key`, when a SQLite record header declares them.
fn sqlite_after(hay: &[u8], key: usize) -> Option<usize> {
    sqlite_header(hay, key, [SQLITE_TEXT_20, SQLITE_TEXT_40])
        .then(|| secret_at(hay, key + KEY_ID_LEN))?
}

/// The secret right before the key ID at `key`, when a SQLite record header declares them.
fn sqlite_before(hay: &[u8], key: usize) -> Option<usize> {
    let start = key.checked_sub(SECRET_LEN)?;
    sqlite_header(hay, start, [SQLITE_TEXT_40, SQLITE_TEXT_20]).then(|| secret_at(hay, start))?
}

/// Do the two serial types occur side by side in the [`SQLITE_HEADER_BACK`] bytes before
/// `first` (where the first of the two values starts)?
fn sqlite_header(hay: &[u8], first: usize, types: [u8; 2]) -> bool {
    let from = first.saturating_sub(SQLITE_HEADER_BACK);
    hay[from..first].windows(2).any(|w| w == types)
}

/// Every position near the key ID at `key` where the format fixes a 40-byte secret.
fn prefixed_secrets(hay: &[u8], key: usize) -> Vec<usize> {
    let lo = key.saturating_sub(RECORD);
    let hi = (key + KEY_ID_LEN + RECORD).min(hay.len());
    let mut out: Vec<usize> = memchr::memchr_iter(LEN_40, &hay[lo..hi])
        .filter_map(|i| secret_at(hay, lo + i + 1))
        .collect();
    out.extend(sqlite_after(hay, key));
    out.extend(sqlite_before(hay, key));
    // Not overlapping the key ID itself.
    out.retain(|&s| s + SECRET_LEN <= key || s >= key + KEY_ID_LEN);
    out
}

/// Gives each unpaired key ID in `found` the nearest prefixed secret in its record (module
/// docs); a lone secret detection it takes is dropped. `found` stays ordered by anchor.
pub(crate) fn pair_prefixed(hay: &[u8], found: &mut Vec<Detection>) {
    let mut taken: Vec<usize> = found
        .iter()
        .filter_map(|d| match d {
            Detection::Key {
                secret: Some(s), ..
            } => Some(s.start),
            _ => None,
        })
        .collect();
    let mut paired = Vec::new();
    for d in found.iter_mut() {
        let Detection::Key {
            key,
            span,
            secret: secret @ None,
            ..
        } = d
        else {
            continue;
        };
        if key.class() == KeyClass::Identifier {
            continue;
        }
        let nearest = prefixed_secrets(hay, span.start)
            .into_iter()
            .filter(|s| !taken.contains(s))
            // A documentation key ID does not vouch for a real secret (as in `pairing`).
            .filter(|&s| !key.is_placeholder() || is_placeholder(&hay[s..s + SECRET_LEN]))
            .min_by_key(|&s| (s.abs_diff(span.start), s));
        if let Some(s) = nearest {
            taken.push(s);
            paired.push(s);
            *secret = Some(Span::new(s, s + SECRET_LEN));
        }
    }
    found.retain(|d| !matches!(d, Detection::Secret { span } if paired.contains(&span.start)));
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AKIARZPUZDIKGB2VALC4";
    const SECRET: &str = "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";

    fn bytes(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    #[test]
    fn binary_sniff() {
        assert!(!is_binary(b"export AKIA\tx\r\n\x1b[0m\x0c"));
        assert!(is_binary(b"a\0b"));
        assert!(is_binary(b"\x0a\x14AKIA"));
        assert!(!is_binary(b""));
        // Anywhere in the sniffed start, chunk edges included; not past it.
        for at in [0, 63, 64, 65, 127, SNIFF - 1, SNIFF] {
            let mut hay = vec![b'a'; SNIFF + 100];
            hay[at] = 0x02;
            assert_eq!(is_binary(&hay), at < SNIFF, "{at}");
        }
    }

    #[test]
    fn glued_key_bounds() {
        let k = KEY.as_bytes();
        assert!(key_at(&bytes(&[b"exportZ", k, b"\0"]), 7).is_some());
        assert!(key_at(&bytes(&[b"x", k, b"a"]), 1).is_some());
        // Followed by base32: the start of a longer run, unless a prefixed secret follows.
        assert!(key_at(&bytes(&[b"x", k, b"Q"]), 1).is_none());
        let marshal = bytes(&[b"\x14", k, b"Z(", SECRET.as_bytes(), b"N"]);
        assert!(key_at(&marshal, 1).is_some());
        // The tail of a long base32 run is data.
        let run = bytes(&[b"MZXW6YTBOIMZXW6YTB", k, b"\0"]);
        assert!(key_at(&run, 18).is_none());
    }

    fn keys_and_secrets(hay: &[u8]) -> Vec<(String, Option<usize>)> {
        let found =
            super::super::Detector::new(super::super::DetectOptions::default()).detect_layers(hay);
        found
            .plain
            .iter()
            .map(|d| match d {
                Detection::Key { key, secret, .. } => (key.to_string(), secret.map(|s| s.start)),
                other => (format!("{other:?}"), None),
            })
            .collect()
    }

    #[test]
    fn binary_blobs_only() {
        let glued = bytes(&[b"B\x14", KEY.as_bytes(), b"J(", SECRET.as_bytes(), b"R"]);
        assert_eq!(keys_and_secrets(&glued), [(KEY.to_string(), Some(24))]);
        let text = bytes(&[b"B_", KEY.as_bytes(), b"J(", SECRET.as_bytes(), b"R"]);
        assert!(keys_and_secrets(&text).is_empty());
    }

    /// The plain pass hands glued every key-prefix hit the prefilter finds, valid key ID or
    /// not, in order (glued no longer searches the blob itself).
    #[test]
    fn the_plain_pass_hands_over_every_key_prefix_hit() {
        let detector = super::super::Detector::new(super::super::DetectOptions::default());
        let hay = bytes(&[
            b"\0AKIA\x14",
            KEY.as_bytes(),
            b"z\\x41ASIAx secret ",
            KEY.as_bytes(),
        ]);
        let want: Vec<usize> = detector
            .prefilter
            .hits(&hay, None)
            .filter(|&(_, a)| a == super::super::prefilter::Anchor::KeyPrefix)
            .map(|(at, _)| at)
            .collect();
        assert_eq!(want, [1, 6, 31, 44]);
        assert_eq!(super::super::layers::detect(&detector, &hay).1, want);
    }

    #[test]
    fn documentation_keys_take_no_real_secret() {
        let doc = bytes(&[b"\0\x14AKIAIOSFODNN7EXAMPLEz(", SECRET.as_bytes(), b"z"]);
        assert_eq!(
            keys_and_secrets(&doc),
            [("AKIAIOSFODNN7EXAMPLE".to_string(), None)]
        );
    }

    #[test]
    fn nearest_free_secret_per_key() {
        let other = "eD4++rSUVbOmDrRI7EDLmskuwpAAddEA0WNwu+fI";
        let key2 = "AKIAVRUVS7NI7XTJWVMC";
        let hay = bytes(&[
            b"\0\x14",
            KEY.as_bytes(),
            b"z(",
            SECRET.as_bytes(),
            b"z\x14",
            key2.as_bytes(),
            b"z(",
            other.as_bytes(),
            b"N",
        ]);
        assert_eq!(
            keys_and_secrets(&hay),
            [(KEY.to_string(), Some(24)), (key2.to_string(), Some(88))]
        );
    }

    #[test]
    fn sqlite_adjacent_columns() {
        let row = bytes(&[
            b"\x04\x01\x35\x5d\x17",
            KEY.as_bytes(),
            SECRET.as_bytes(),
            b"x",
        ]);
        assert!(key_at(&row, 5).is_some());
        assert_eq!(prefixed_secrets(&row, 5), vec![25]);
        let rev = bytes(&[b"\x03\x5d\x35", SECRET.as_bytes(), KEY.as_bytes(), b"Q"]);
        assert_eq!(prefixed_secrets(&rev, 43), vec![3]);
        // No header: nothing glued after the key is a secret.
        let bare = bytes(&[b"\x04\x01\x35\x17", KEY.as_bytes(), SECRET.as_bytes()]);
        assert!(prefixed_secrets(&bare, 4).is_empty());
    }
}
