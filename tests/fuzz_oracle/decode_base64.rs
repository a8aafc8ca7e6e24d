//! The base64 decoder (`detect::decode::base64`): runs around encoded key prefixes and
//! base64-written secrets, in any bytes.
//!
//! Properties: a run decodes its text as base64 (standard or URL-safe alphabet), checked
//! against a decoder written here, with each byte's origin in the group it came from; a run
//! around a hit shows a key prefix (or, for a key encoded twice, the prefix's encoding); a secret value decodes to exactly 40 bytes; the views map
//! back like any other.

use keyleak::detect::decode::{Encoding, Run, base64};
use keyleak::detect::secret::SECRET_LEN;

pub fn check(hay: &[u8]) {
    let literals = base64::key_literals();
    let mut runs = Vec::new();
    for at in 0..hay.len() {
        if !literals.iter().any(|l| hay[at..].starts_with(l.as_bytes())) {
            continue;
        }
        if let Some((run, _clipped)) = base64::run_around(hay, at) {
            check_decoded(hay, &run);
            // A key prefix, or (a key encoded twice) the prefix's own encoding at the start of
            // a group: base64("AKIA") = "QUtJQQ==", base64("ASIA") = "QVNJQQ==".
            let shows = |p: &[u8]| run.decoded.windows(p.len()).any(|w| w == p);
            assert!(
                [&b"AKIA"[..], b"ASIA", b"QUtJQ", b"QVNJQ"]
                    .iter()
                    .any(|p| shows(p)),
                "{run:?}"
            );
            runs.push(run);
        }
    }
    // Every maximal run of base64 text and padding, as the value after a keyword would be.
    let text = |b: &u8| b.is_ascii_alphanumeric() || b"+/-_=".contains(b);
    let mut at = 0;
    while at < hay.len() {
        let len = hay[at..].iter().take_while(|b| text(b)).count();
        if let Some(run) = base64::secret_value(hay, at, at + len, SECRET_LEN) {
            check_decoded(hay, &run);
            assert_eq!(run.decoded.len(), SECRET_LEN, "{run:?}");
            runs.push(run);
        }
        at += len.max(1);
    }
    super::check_view(hay, Encoding::Base64, &runs, false);
}

fn check_decoded(hay: &[u8], run: &Run) {
    super::check_run_shape(hay, run);
    let text = &hay[run.start..run.end];
    let chars = text.iter().take_while(|&&b| b != b'=').count();
    assert_eq!(
        decode(&text[..chars]).as_ref(),
        Some(&run.decoded),
        "{run:?}"
    );
    for (i, &origin) in run.origins.iter().enumerate() {
        assert_eq!(origin, run.start + 4 * (i / 3) + i % 3, "{run:?}");
    }
}

/// Plain base64 decoding, bit by bit; a trailing partial byte is dropped.
pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    let (mut bits, mut held, mut out) = (0u32, 0, Vec::new());
    for &c in text {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        held += 6;
        if held >= 8 {
            held -= 8;
            out.push((bits >> held) as u8);
            bits &= (1 << held) - 1;
        }
    }
    Some(out)
}
