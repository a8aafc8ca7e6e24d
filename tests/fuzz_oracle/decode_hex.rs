//! The hex decoder (`detect::decode::hex`): runs around hex-written key prefixes and
//! secret-sized runs near a key, in any bytes.
//!
//! Properties: every item of a run is two hex digits (after an optional `0x`) that decode to
//! its byte, with only separator bytes between items; a run around a hit holds `AKIA`/`ASIA`
//! and at least 20 bytes from there, and starts no earlier than it is told; a run near a key
//! holds at least 40 bytes and starts in the searched range; the view maps back like any
//! other.

use keyleak::detect::decode::{Encoding, Run, hex};

pub fn check(hay: &[u8]) {
    let mut runs: Vec<Run> = Vec::new();
    for literal in hex::key_literals() {
        let lit = literal.as_bytes();
        for at in (0..hay.len()).filter(|&i| hay[i..].starts_with(lit)) {
            let lo = runs.last().map_or(0, |r| r.end).min(at);
            if let Some(run) = hex::run_around(hay, at, lo) {
                check_items(hay, &run);
                assert!(run.start >= lo, "{run:?} starts before {lo}");
                let key = run
                    .decoded
                    .windows(4)
                    .position(|w| w == b"AKIA" || w == b"ASIA")
                    .expect("a run around a hit holds a key prefix");
                assert!(run.decoded.len() - key >= 20, "{run:?}");
                runs.push(run);
            }
        }
    }
    let lo = usize::from(hay.first().copied().unwrap_or(0)) % (hay.len() + 1);
    let hi = lo + usize::from(hay.get(1).copied().unwrap_or(255)) * 8;
    for run in hex::runs_in(hay, lo, hi) {
        check_items(hay, &run);
        assert!(run.decoded.len() >= hex::SECRET_ITEMS, "{run:?}");
        assert!(
            run.start >= lo && run.start < hi,
            "{run:?} outside {lo}..{hi}"
        );
    }
    // Runs around hits are placed in order, each after the last (as the detector does).
    super::check_view(hay, Encoding::Hex, &runs, false);
}

/// Each decoded byte comes from two hex digits at its origin (after `0x`), and the bytes
/// between items are separators.
fn check_items(hay: &[u8], run: &Run) {
    super::check_run_shape(hay, run);
    let digit = |b: u8| char::from(b).to_digit(16);
    let mut end = run.start;
    for (&byte, &at) in run.decoded.iter().zip(&run.origins) {
        assert!(
            hay[end..at].iter().all(|b| b" \t\r\n,:".contains(b)),
            "{run:?}: not a separator before {at}"
        );
        let d = at
            + if hay[at..].starts_with(b"0x") || hay[at..].starts_with(b"0X") {
                2
            } else {
                0
            };
        let value = digit(hay[d])
            .zip(digit(hay[d + 1]))
            .map(|(h, l)| h * 16 + l);
        assert_eq!(value, Some(u32::from(byte)), "{run:?} at {at}");
        end = d + 2;
    }
    assert_eq!(end, run.end, "{run:?} ends after its last item");
}
