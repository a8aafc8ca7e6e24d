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

/// Bytes of a span [`gate_bytes`] searches at a time: each piece is searched by up to two
/// `memchr`s while it is in the cache, so a span larger than the cache is read from memory once.
const GATE_CHUNK: usize = 64 << 10;

/// The [`Needs`] bits of the bytes `text` holds: per piece of [`GATE_CHUNK`] bytes, a `memchr`
/// for the zero byte and a `memchr3` for `%`, `\` and `&`, which after a hit goes on for the
/// bytes whose bit is still unset only; done once every bit is set. The `memchr`s' vector loops
/// take about a quarter of the instructions of one pass comparing each byte with the four (40
/// MB of keyword-dense text, which the windows cover whole: 8 M instead of 30 M).
fn gate_bytes(text: &[u8]) -> Needs {
    let all = PERCENT.1 | SINGLES.1 | UTF16.1;
    let mut found = 0;
    for piece in text.chunks(GATE_CHUNK) {
        if found & UTF16.1 == 0 && memchr::memchr(0, piece).is_some() {
            found |= UTF16.1;
        }
        let mut at = 0;
        loop {
            let rest = &piece[at..];
            let hit = match (found & PERCENT.1 == 0, found & SINGLES.1 == 0) {
                (true, true) => memchr::memchr3(b'%', b'\\', b'&', rest),
                (true, false) => memchr::memchr(b'%', rest),
                (false, true) => memchr::memchr2(b'\\', b'&', rest),
                (false, false) => None,
            };
            let Some(i) = hit else { break };
            found |= match rest[i] {
                b'%' => PERCENT.1,
                _ => SINGLES.1,
            };
            at += i + 1;
        }
        if found == all {
            break;
        }
    }
    found
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

    /// [`Windows::around`], and the runs `find` finds in the windows as
    /// [`Windows::runs`] does for a decoder that needs no byte, in one walk: the gate's search
    /// goes up to a [`GATE_CHUNK`] ahead of `find`, which then reads the windows from the
    /// cache. Over a span larger than the cache (a large keyword-dense file, which the windows
    /// cover whole), the gate and then `find` read it from memory twice.
    pub fn around_with(text: &[u8], near: &[usize], find: Find) -> (Windows, Vec<decode::Run>) {
        let sorted: Vec<(usize, usize)> = near.iter().map(|&at| window(at)).collect();
        let mut windows = Windows::of(text, sorted, false);
        let (lo, hi) = span(text, &windows.sorted);
        let all = PERCENT.1 | SINGLES.1 | UTF16.1;
        let (mut gated, mut gates) = (lo, 0);
        let mut runs = Vec::new();
        for &(from, to) in &windows.pieces {
            while gated < to.min(hi) && gates != all {
                let ahead = (gated + GATE_CHUNK).min(hi);
                gates |= gate_bytes(&text[gated..ahead]);
                gated = ahead;
            }
            runs.extend(find(text, from, to));
        }
        windows.gates = gates;
        (windows, runs)
    }

    fn of(text: &[u8], mut sorted: Vec<(usize, usize)>, gate: bool) -> Windows {
        sorted.sort_unstable();
        let (lo, hi) = span(text, &sorted);
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

/// From the first window's start to the last one's end, within `text`: what the gate reads.
fn span(text: &[u8], sorted: &[(usize, usize)]) -> (usize, usize) {
    let lo = sorted.first().map_or(0, |w| w.0).min(text.len());
    let hi = sorted.iter().map(|w| w.1).max().unwrap_or(0);
    (lo, hi.min(text.len()))
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

    /// One walk for the gate and a decoder's runs: the same gate as [`Windows::around`] and
    /// the same runs as [`Windows::runs`], over spans shorter and longer than a
    /// [`GATE_CHUNK`], gate bytes before, between and after the windows.
    #[test]
    fn around_with_gates_and_finds_as_apart() {
        let mut text = b"x".repeat(3 * GATE_CHUNK);
        // A secret's 40 characters in hex, which `hex::runs_in` decodes near a window.
        let hex = b"77 4a 61 6c 72 58 55 74 6e 46 45 4d 49 4b 37 4d 44 45 4e 47 \
            62 50 78 52 66 69 43 59 45 58 41 4d 50 4c 45 4b 45 59 31 32";
        text.extend_from_slice(hex);
        text.extend(b"y".repeat(GATE_CHUNK));
        let hex_at = 3 * GATE_CHUNK;
        let nears: [&[usize]; 5] = [
            &[],
            &[10],
            &[hex_at + 5],
            &[5, GATE_CHUNK + 7, 2 * GATE_CHUNK, hex_at],
            &[hex_at - 3 * GATE_CHUNK / 2, hex_at + GATE_CHUNK / 2],
        ];
        for bytes in [
            vec![],
            vec![(b'%', 0)],
            vec![(0, GATE_CHUNK + 100), (b'&', hex_at + 900)],
        ] {
            let mut text = text.clone();
            for &(b, at) in &bytes {
                text[at] = b;
            }
            for near in nears {
                let apart = Windows::around(&text, near);
                let (together, runs) = Windows::around_with(&text, near, decode::hex::runs_in);
                assert_eq!(together.gates, apart.gates, "{near:?} {bytes:?}");
                assert_eq!(
                    runs,
                    apart.runs(&text, (decode::hex::runs_in, 0)),
                    "{near:?}"
                );
            }
        }
        let (_, runs) = Windows::around_with(&text, &[hex_at], decode::hex::runs_in);
        assert_eq!(runs.len(), 1);
    }

    /// The bits of the bytes `text` holds, byte by byte: what [`gate_bytes`] must answer.
    fn gate_by_byte(text: &[u8]) -> Needs {
        text.iter().fold(0, |bits, &b| {
            bits | match b {
                b'%' => PERCENT.1,
                b'\\' | b'&' => SINGLES.1,
                0 => UTF16.1,
                _ => 0,
            }
        })
    }

    /// The pieces' search finds what a search per byte finds, for one gate byte or two (the
    /// search after a hit goes on for the others only), wherever they sit, in a piece or
    /// across the end of one.
    #[test]
    fn gate_bytes_sees_each_byte() {
        let gate = [b'%', b'\\', b'&', 0];
        let edge = GATE_CHUNK;
        for len in [
            0usize,
            1,
            63,
            64,
            65,
            1025,
            edge - 1,
            edge,
            edge + 1,
            2 * edge + 7,
        ] {
            let places = [
                0,
                1,
                len / 2,
                edge - 1,
                edge,
                edge + 1,
                len.saturating_sub(1),
            ];
            for &at in places.iter().filter(|&&at| at < len.max(1)) {
                for &first in &gate {
                    let mut text = b"x".repeat(len);
                    assert_eq!(gate_bytes(&text), 0);
                    let Some(b) = text.get_mut(at) else { continue };
                    *b = first;
                    assert_eq!(gate_bytes(&text), gate_by_byte(&text), "{len} {at} {first}");
                    for &later in places.iter().filter(|&&l| l > at && l < len) {
                        for &second in &gate {
                            let mut two = text.clone();
                            two[later] = second;
                            assert_eq!(gate_bytes(&two), gate_by_byte(&two), "{at} {later}");
                        }
                    }
                }
            }
        }
        assert_eq!(gate_bytes(b"%\\\0 and more after every bit is set"), 7);
        assert_eq!(gate_bytes(b"&x&y%"), PERCENT.1 | SINGLES.1);
    }
}
