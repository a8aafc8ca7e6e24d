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
//! ([`Windows`]) and shared by the decoders; the gate takes what the prefilter's pass noted of
//! the text (`prefilter::Notes`) and searches only what it did not note. What a run is
//! stays with the decoders (`decode`).

use super::decode::{self, percent, utf16};
use super::pairing::BYTES_AROUND;
use super::prefilter::Notes;

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

/// The [`Needs`] bits of the gate bytes `text[lo..hi]` may hold: what `notes` says of the
/// noted stretches (bit `i` for `GATE_BYTES[i]`: the zero byte, `%`, `\`, `&`), and a search
/// of the rest.
fn gates_of(text: &[u8], notes: &Notes, lo: usize, hi: usize) -> Needs {
    let mut searched = 0;
    let noted = notes.gates(lo, hi, |a, b| searched |= gate_bytes(&text[a..b]));
    let bit = |i: u8, needs: Needs| if noted & 1 << i != 0 { needs } else { 0 };
    searched | bit(0, UTF16.1) | bit(1, PERCENT.1) | bit(2, SINGLES.1) | bit(3, SINGLES.1)
}

impl Windows {
    /// The windows around `near`, gated: by what the prefilter's pass noted of the text where
    /// it did, by a search of the text elsewhere.
    pub fn around(text: &[u8], near: &[usize], notes: &Notes) -> Windows {
        let mut windows = Windows::ungated(near);
        let (lo, hi) = span(text, &windows.sorted);
        windows.gates = gates_of(text, notes, lo, hi);
        windows
    }

    /// [`Windows::around`] without the gate, for decoders that need no particular byte.
    pub fn ungated(near: &[usize]) -> Windows {
        let sorted: Vec<(usize, usize)> = near.iter().map(|&at| window(at)).collect();
        Windows::of(sorted)
    }

    /// [`Windows::around`], and the runs `find` finds in the windows as [`Windows::runs`]
    /// does for a decoder that needs no byte, in one walk: where the text was not noted, the
    /// gate's search goes up to a [`GATE_CHUNK`] ahead of `find`, which then reads the
    /// windows from the cache. Over a span larger than the cache (a large keyword-dense file,
    /// which the windows cover whole), the gate and then `find` read it from memory twice.
    pub fn around_with(
        text: &[u8],
        near: &[usize],
        notes: &Notes,
        find: impl Fn(&[u8], usize, usize) -> Vec<decode::Run>,
    ) -> (Windows, Vec<decode::Run>) {
        let mut windows = Windows::ungated(near);
        let (lo, hi) = span(text, &windows.sorted);
        let all = PERCENT.1 | SINGLES.1 | UTF16.1;
        let (mut gated, mut gates) = (lo, 0);
        let mut runs = Vec::new();
        for &(from, to) in &windows.pieces {
            while gated < to.min(hi) && gates != all {
                let ahead = (gated + GATE_CHUNK).min(hi);
                gates |= gates_of(text, notes, gated, ahead);
                gated = ahead;
            }
            runs.extend(find(text, from, to));
        }
        windows.gates = gates;
        (windows, runs)
    }

    /// The windows `sorted` once sorted, cut where they overlap; no gate yet.
    fn of(mut sorted: Vec<(usize, usize)>) -> Windows {
        sorted.sort_unstable();
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
            gates: 0,
        }
    }

    /// Runs that `find` finds within the windows, each byte searched once; none when no
    /// window holds a byte `needs` asks for.
    pub fn runs(&self, text: &[u8], (find, needs): (Find, Needs)) -> Vec<decode::Run> {
        match self.gates & needs == needs {
            true => self.all_runs(text, find),
            false => Vec::new(),
        }
    }

    /// Runs that `find` finds within the windows, ungated.
    fn all_runs(
        &self,
        text: &[u8],
        find: impl Fn(&[u8], usize, usize) -> Vec<decode::Run>,
    ) -> Vec<decode::Run> {
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
        find: impl Fn(&[u8], usize, usize) -> Vec<decode::Run>,
    ) -> Vec<decode::Run> {
        let more = match found.is_empty() {
            true => self.all_runs(text, find),
            false => {
                let mut sorted = self.sorted.clone();
                sorted.extend(found.iter().map(|r| window(r.start)));
                Windows::of(sorted).all_runs(text, find)
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
    Windows::around(text, near, &Notes::default()).runs(text, decoder)
}

#[cfg(test)]
mod tests;
