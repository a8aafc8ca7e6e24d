//! Decoder runs near the plain pass's triggers: the windows around key IDs and secret keywords
//! where a secret beside a key may be written `%2F`-encoded, with single escapes, in UTF-16 or
//! in hex, and where a secret may be split into pieces.
//!
//! Owns only where each decoder looks (one pairing window each side of a trigger, overlapping
//! windows searched once) and when it need not look at all: each decoder names the bytes every
//! run it finds starts with or holds (`%`; `\` or `&`; a zero byte), and where none occurs
//! between the first window's start and the last window's end, the windows are not visited.
//! In text dense in secret keywords the windows cover every byte; without the gate each
//! decoder walked them all. The windows and the gate are worked out once per text
//! ([`Windows`]) and shared by the decoders. What a run is stays with the decoders (`decode`).

use super::decode::{self, percent, utf16};
use super::pairing::BYTES_AROUND;

/// A decoder's search of `hay[lo..hi]` for runs starting there.
pub type Find = fn(&[u8], usize, usize) -> Vec<decode::Run>;

/// The bytes every run of a decoder needs inside the window it starts in, as a bit of
/// [`gate_bytes`]: 0 when the decoder has no such byte (hex, split strings).
pub type Needs = u8;

/// `%`: every URL-encoded byte.
pub const PERCENT: (Find, Needs) = (percent::runs_in, 1);
/// `\` or `&`: every single escape.
pub const SINGLES: (Find, Needs) = (decode::singles_in, 2);
/// A zero byte: every UTF-16 stretch of ASCII-range text.
pub const UTF16: (Find, Needs) = (utf16::runs_in, 4);

/// Spans shorter than this are gated by three `memchr`s, longer ones by [`gate_pass`].
const GATE_PASS_FROM: usize = 256 << 10;

/// The [`Needs`] bits of the bytes `text` holds. A span that fits the cache (a file of a tree)
/// is read by three `memchr`s, whose vector loops beat one of three comparisons (800 MB in
/// 16 KiB pieces, each read 20 times: 19 ms against 44); a larger one (a big keyword-dense
/// file, which the windows cover whole) in one pass from memory ([`gate_pass`]), not three.
fn gate_bytes(text: &[u8]) -> Needs {
    if text.len() >= GATE_PASS_FROM {
        return gate_pass(text);
    }
    (u8::from(memchr::memchr(b'%', text).is_some()) * PERCENT.1)
        | (u8::from(memchr::memchr2(b'\\', b'&', text).is_some()) * SINGLES.1)
        | (u8::from(memchr::memchr(0, text).is_some()) * UTF16.1)
}

/// [`gate_bytes`] in one pass: blocks of 1 KiB, each byte compared without early exit, which
/// the compiler vectorises, until every bit is set. (One flag per decoder folded over the
/// block: a byte of bits per input byte took a third more instructions.)
fn gate_pass(text: &[u8]) -> Needs {
    let all = PERCENT.1 | SINGLES.1 | UTF16.1;
    let bits = |[percent, single, zero]: [bool; 3]| {
        (u8::from(percent) * PERCENT.1)
            | (u8::from(single) * SINGLES.1)
            | (u8::from(zero) * UTF16.1)
    };
    let flags = |block: &[u8]| {
        let mut flags = [false; 3];
        for &b in block {
            flags[0] |= b == b'%';
            flags[1] |= (b == b'\\') | (b == b'&');
            flags[2] |= b == 0;
        }
        flags
    };
    let mut found = 0;
    let mut blocks = text.chunks_exact(1024);
    for block in &mut blocks {
        found |= bits(flags(block));
        if found == all {
            return found;
        }
    }
    found | bits(flags(blocks.remainder()))
}

/// The pairing windows around some offsets of a text, cut where they overlap so each byte is
/// searched once, and which decoders' bytes the text holds from the first window's start to
/// the last one's end: worked out once and shared by every decoder that looks near the same
/// offsets (each worked them out again, sorting the windows each time).
pub struct Windows {
    /// Every window, sorted.
    sorted: Vec<(usize, usize)>,
    /// The windows, each cut to start where the ones before it end (empty ones dropped).
    pieces: Vec<(usize, usize)>,
    gates: Needs,
}

impl Windows {
    pub fn around(text: &[u8], near: &[usize]) -> Windows {
        let sorted: Vec<(usize, usize)> = near.iter().map(|&at| window(at)).collect();
        Windows::of(text, sorted, true)
    }

    /// [`Windows::around`] without the gate, for decoders that need no particular byte.
    pub fn ungated(text: &[u8], near: &[usize]) -> Windows {
        let sorted: Vec<(usize, usize)> = near.iter().map(|&at| window(at)).collect();
        Windows::of(text, sorted, false)
    }

    fn of(text: &[u8], mut sorted: Vec<(usize, usize)>, gate: bool) -> Windows {
        sorted.sort_unstable();
        let lo = sorted.first().map_or(0, |w| w.0).min(text.len());
        let hi = sorted
            .iter()
            .map(|w| w.1)
            .max()
            .unwrap_or(0)
            .min(text.len());
        let gates = match gate && lo < hi {
            true => gate_bytes(&text[lo..hi]),
            false => 0,
        };
        let mut pieces = Vec::with_capacity(sorted.len());
        let mut covered = 0;
        for &(lo, hi) in &sorted {
            let lo = lo.max(covered);
            if lo < hi {
                pieces.push((lo, hi));
                covered = hi;
            }
        }
        Windows {
            sorted,
            pieces,
            gates,
        }
    }

    /// Runs that `find` finds within the windows, each byte searched once; none when no
    /// window holds a byte `needs` asks for.
    pub fn runs(&self, text: &[u8], (find, needs): (Find, Needs)) -> Vec<decode::Run> {
        if self.gates & needs != needs {
            return Vec::new();
        }
        let mut out = Vec::new();
        for &(lo, hi) in &self.pieces {
            out.extend(find(text, lo, hi));
        }
        out
    }

    /// `found` (runs of one decoder), and the runs `find` finds in these windows or near
    /// the runs of `found` that overlap none of them.
    pub fn with_runs(
        &self,
        text: &[u8],
        mut found: Vec<decode::Run>,
        find: Find,
    ) -> Vec<decode::Run> {
        let more = match found.is_empty() {
            true => self.runs(text, (find, 0)),
            false => {
                let mut sorted = self.sorted.clone();
                sorted.extend(found.iter().map(|r| window(r.start)));
                Windows::of(text, sorted, false).runs(text, (find, 0))
            }
        };
        let more: Vec<decode::Run> = more
            .into_iter()
            .filter(|f| !found.iter().any(|r| f.start < r.end && r.start < f.end))
            .collect();
        found.extend(more);
        found
    }
}

fn window(at: usize) -> (usize, usize) {
    (at.saturating_sub(BYTES_AROUND), at + BYTES_AROUND)
}

/// Runs that `find` finds within a pairing window of each offset of `near`, each byte searched
/// once; none when no window holds a byte `needs` asks for.
#[cfg(test)]
fn runs(text: &[u8], near: &[usize], decoder: (Find, Needs)) -> Vec<decode::Run> {
    Windows::around(text, near).runs(text, decoder)
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
                let plain = runs(&text, &near, (find, 0));
                assert_eq!(gated, plain, "{near:?}");
            }
        }
        assert_eq!(runs(&text, &[ends - 40], PERCENT).len(), 1);
        assert_eq!(runs(&text, &[ends - 40], SINGLES).len(), 2);
        assert_eq!(runs(&text, &[ends - 40], UTF16).len(), 1);
        assert!(runs(&text, &[5], PERCENT).is_empty());
    }

    /// One pass finds what a search per byte finds, wherever the bytes sit in the blocks.
    #[test]
    fn gate_bytes_sees_each_byte() {
        for len in [0usize, 1, 63, 64, 65, 1023, 1024, 1025, 3000] {
            for at in [0, len / 2, 1024, len.saturating_sub(1)] {
                for (byte, bit) in [(b'%', 1), (b'\\', 2), (b'&', 2), (0, 4)] {
                    let mut text = b"x".repeat(len);
                    assert_eq!((gate_bytes(&text), gate_pass(&text)), (0, 0));
                    if let Some(b) = text.get_mut(at) {
                        *b = byte;
                        assert_eq!(gate_bytes(&text), bit, "{len} {at} {byte}");
                        assert_eq!(gate_pass(&text), bit, "{len} {at} {byte}");
                    }
                }
            }
        }
        assert_eq!(gate_bytes(b"%\\\0 and more after every bit is set"), 7);
        let mut large = b"x".repeat(GATE_PASS_FROM);
        assert_eq!(gate_bytes(&large), 0);
        large[GATE_PASS_FROM - 1] = 0;
        assert_eq!(gate_bytes(&large), UTF16.1);
    }
}
