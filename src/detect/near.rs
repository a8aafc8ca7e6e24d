//! Decoder runs near the plain pass's triggers: the windows around key IDs and secret keywords
//! where a secret beside a key may be written `%2F`-encoded, with single escapes, in UTF-16 or
//! in hex, and where a secret may be split into pieces.
//!
//! Owns only where each decoder looks (one pairing window each side of a trigger, overlapping
//! windows searched once) and when it need not look at all: each decoder names the bytes every
//! run it finds starts with or holds (`%`; `\` or `&`; a zero byte), and where none occurs
//! between the first window's start and the last window's end, the windows are not visited.
//! In text dense in secret keywords the windows cover every byte; without the gate each
//! decoder walked them all. What a run is stays with the decoders (`decode`).

use super::decode::{self, percent, utf16};
use super::pairing::BYTES_AROUND;

/// A decoder's search of `hay[lo..hi]` for runs starting there.
pub type Find = fn(&[u8], usize, usize) -> Vec<decode::Run>;

/// A byte test every run of a decoder needs inside the window it starts in: `None` when the
/// decoder has no such byte (hex, split strings).
pub type Needs = Option<fn(&[u8]) -> bool>;

/// `%`: every URL-encoded byte.
pub const PERCENT: (Find, Needs) = (
    percent::runs_in,
    Some(|t| memchr::memchr(b'%', t).is_some()),
);
/// `\` or `&`: every single escape.
pub const SINGLES: (Find, Needs) = (
    decode::singles_in,
    Some(|t| memchr::memchr2(b'\\', b'&', t).is_some()),
);
/// A zero byte: every UTF-16 stretch of ASCII-range text.
pub const UTF16: (Find, Needs) = (utf16::runs_in, Some(|t| memchr::memchr(0, t).is_some()));

/// The windows around `near`, sorted, overlapping ones merged into one.
fn windows(near: &[usize]) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = near
        .iter()
        .map(|&at| (at.saturating_sub(BYTES_AROUND), at + BYTES_AROUND))
        .collect();
    ranges.sort_unstable();
    ranges
}

/// Runs that `find` finds within a pairing window of each offset of `near`, each byte searched
/// once; none when no window holds a byte `needs` asks for.
pub fn runs(text: &[u8], near: &[usize], (find, needs): (Find, Needs)) -> Vec<decode::Run> {
    let (Some(&first), Some(&last)) = (near.iter().min(), near.iter().max()) else {
        return Vec::new();
    };
    let span =
        first.saturating_sub(BYTES_AROUND).min(text.len())..(last + BYTES_AROUND).min(text.len());
    if needs.is_some_and(|needs| !needs(&text[span])) {
        return Vec::new();
    }
    let ranges = windows(near);
    let mut out: Vec<decode::Run> = Vec::new();
    let mut covered = 0;
    for (lo, hi) in ranges {
        let lo = lo.max(covered);
        if lo < hi {
            out.extend(find(text, lo, hi));
            covered = hi;
        }
    }
    out
}

/// `found` (runs of one decoder), and the runs `find` finds near them or near `near` that
/// overlap none of them.
pub fn with_runs(
    text: &[u8],
    mut found: Vec<decode::Run>,
    mut near: Vec<usize>,
    find: Find,
) -> Vec<decode::Run> {
    near.extend(found.iter().map(|r| r.start));
    let more: Vec<decode::Run> = runs(text, &near, (find, None))
        .into_iter()
        .filter(|f| !found.iter().any(|r| f.start < r.end && r.start < f.end))
        .collect();
    found.extend(more);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The gate changes nothing: with and without it, the same runs, for text with and
    /// without the bytes each decoder needs, near and far from them.
    #[test]
    fn gate_finds_what_the_windows_find() {
        let mut text = b"x".repeat(10_000);
        text.extend_from_slice(b"wJalrXUtnFEMI%2FK7MDENG\\/bPx&#43;RfiCY");
        text.extend(b"A\0K\0I\0A\0Q\0Z\0Q\0Z\0Q\0Z\0Q\0Z\0Q\0Z\0Q\0Z\0Q\0Z\0Q\0Z\0");
        text.extend(b"y".repeat(10_000));
        let ends = text.len() - 10_000;
        for near in [
            vec![],
            vec![5],
            vec![5, 9_000],
            vec![ends - 40],
            vec![ends + 2_100],
        ] {
            for (find, needs) in [PERCENT, SINGLES, UTF16] {
                let gated = runs(&text, &near, (find, needs));
                let plain = runs(&text, &near, (find, None));
                assert_eq!(gated, plain, "{near:?}");
            }
        }
        assert_eq!(runs(&text, &[ends - 40], PERCENT).len(), 1);
        assert_eq!(runs(&text, &[ends - 40], SINGLES).len(), 2);
        assert_eq!(runs(&text, &[ends - 40], UTF16).len(), 1);
        assert!(runs(&text, &[5], PERCENT).is_empty());
    }
}
