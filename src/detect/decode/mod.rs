//! Decoded views: text that hides a key behind an encoding, decoded so the same detector
//! can read it, with a map back to the original bytes for line and column.
//!
//! - `escape`: string escapes and character references (`\u0041`, `&#65;`);
//! - `percent`: URL encoding of the bytes a secret or token may hold (`%2F`, `%2B`, `%3D`);
//! - `base64`: base64 text holding a key (Kubernetes `Secret` data, encoded config files);
//! - `utf16`: a whole blob of UTF-16 text (PowerShell, Windows tools);
//! - `hex`: hex text holding a key (`xxd -p` dumps, `bytes.fromhex`, `0x41, 0x4b` lists);
//! - `joined`: a key split across string literals (`"AKIA" + "…"`, `'AKIA' '…'`).
//!
//! Each yields [`Run`]s — a range of the input and the bytes it decodes to, with the input
//! offset behind each decoded byte — and a [`View`] puts them in place. Owns decoding and
//! offset mapping only, each bounded; the detector decides when to decode and what to do with
//! a view.

pub mod base64;
mod escape;
pub mod hex;
pub mod joined;
pub mod percent;
pub mod utf16;

pub use escape::{MIN_RUN_CHARS, escape_at, escape_literals, run_at, singles_in};

/// What a view decoded, as reported in a finding's `encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Encoding {
    /// String escapes or HTML character references.
    Escaped,
    /// `%XX` URL encoding.
    Percent,
    Base64,
    /// UTF-16 (LE or BE) text, read as ASCII.
    Utf16,
    /// Hex digits, two a byte (`414b…`, `41 4b …`, `0x41, 0x4b, …`).
    Hex,
    /// String literals joined: `"AKIA" + "…"`, `"AKIA" "…"`, `.concat("…")`.
    Joined,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Escaped => "escaped",
            Encoding::Percent => "percent",
            Encoding::Base64 => "base64",
            Encoding::Utf16 => "utf16",
            Encoding::Hex => "hex",
            Encoding::Joined => "joined",
        }
    }
}

/// A decoded range of the input: `input[start..end]` stands for `decoded`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub start: usize,
    pub end: usize,
    pub decoded: Vec<u8>,
    /// Input offset behind each decoded byte (where its escape or base64 group starts).
    pub origins: Vec<usize>,
}

/// A blob with its runs decoded in place (runs sorted, not overlapping), or a whole blob
/// transcoded (UTF-16).
#[derive(Debug, Clone)]
pub struct View {
    pub encoding: Encoding,
    pub bytes: Vec<u8>,
    map: Map,
}

#[derive(Debug, Clone)]
enum Map {
    /// (decoded start, run) for each run, in order; bytes between runs copied as they were.
    Runs(Vec<(usize, Run)>),
    /// Every decoded byte `i` comes from input offset `start + i * step`: no per-byte table,
    /// so a large UTF-16 file costs its text, not eight bytes per character.
    Stride { start: usize, step: usize },
}

impl View {
    /// Runs are placed in input order. A run that overlaps one already placed is dropped:
    /// triggers of different kinds can find the same text twice (two secret keywords before
    /// one base64 value), and any list of runs must make a view, never a panic.
    pub fn new(encoding: Encoding, hay: &[u8], mut runs: Vec<Run>) -> View {
        runs.sort_by_key(|r| r.start);
        let mut bytes = Vec::with_capacity(hay.len());
        let mut placed = Vec::with_capacity(runs.len());
        let mut copied = 0;
        for run in runs {
            if run.start < copied {
                continue;
            }
            bytes.extend_from_slice(&hay[copied..run.start]);
            placed.push((bytes.len(), run.clone()));
            bytes.extend_from_slice(&run.decoded);
            copied = run.end;
        }
        bytes.extend_from_slice(&hay[copied..]);
        View {
            encoding,
            bytes,
            map: Map::Runs(placed),
        }
    }

    /// A whole-blob transcoding: decoded byte `i` comes from `start + i * step`.
    pub fn strided(encoding: Encoding, bytes: Vec<u8>, start: usize, step: usize) -> View {
        View {
            encoding,
            bytes,
            map: Map::Stride { start, step },
        }
    }

    fn run_containing(runs: &[(usize, Run)], offset: usize) -> Result<usize, usize> {
        runs.binary_search_by(|(start, run)| {
            if offset < *start {
                std::cmp::Ordering::Greater
            } else if offset >= start + run.decoded.len() {
                std::cmp::Ordering::Less
            } else {
                std::cmp::Ordering::Equal
            }
        })
    }

    /// Does this decoded offset come from decoding (rather than bytes copied as they were)?
    pub fn is_decoded(&self, offset: usize) -> bool {
        match &self.map {
            Map::Runs(runs) => View::run_containing(runs, offset).is_ok(),
            Map::Stride { .. } => true,
        }
    }

    /// Is any byte of `start..end` decoded?
    pub fn any_decoded(&self, start: usize, end: usize) -> bool {
        match &self.map {
            Map::Runs(runs) => match View::run_containing(runs, start) {
                Ok(_) => true,
                Err(i) => runs.get(i).is_some_and(|(s, _)| *s < end),
            },
            Map::Stride { .. } => true,
        }
    }

    /// The byte ranges of the view that decoding wrote (the whole view for a transcoding).
    pub fn decoded_ranges(&self) -> Vec<std::ops::Range<usize>> {
        match &self.map {
            Map::Runs(runs) => runs
                .iter()
                .map(|(start, run)| *start..start + run.decoded.len())
                .collect(),
            Map::Stride { .. } => std::iter::once(0..self.bytes.len()).collect(),
        }
    }

    /// Where ranges of the text below this view land in it: copied bytes by their offset; a
    /// decoded run any part of a range touches, as the whole of what it decoded to.
    pub fn forward(&self, below: &[std::ops::Range<usize>]) -> Vec<std::ops::Range<usize>> {
        let runs = match &self.map {
            Map::Runs(runs) => runs,
            Map::Stride { start, step } => {
                let at = |x: usize| x.saturating_sub(*start) / step;
                return below
                    .iter()
                    .map(|r| at(r.start)..at(r.end + step - 1))
                    .collect();
            }
        };
        // A view offset for input offset `x`: inside a run, its decoded start (or end).
        let at = |x: usize, end: bool| {
            let i = runs.partition_point(|(_, run)| run.start <= x);
            match i.checked_sub(1).map(|i| &runs[i]) {
                None => x,
                Some((placed, run)) if x < run.end => match end {
                    true => placed + run.decoded.len(),
                    false => *placed,
                },
                Some((placed, run)) => placed + run.decoded.len() + (x - run.end),
            }
        };
        below
            .iter()
            .map(|r| at(r.start, false)..at(r.end, true).max(at(r.start, false)))
            .collect()
    }

    /// Does the view show its text as the user reads the file (UTF-16), so lines and columns
    /// are counted in the view rather than in the raw bytes?
    pub fn is_transcoding(&self) -> bool {
        matches!(self.map, Map::Stride { .. })
    }

    /// The original offset of a decoded offset.
    pub fn to_original(&self, offset: usize) -> usize {
        let runs = match &self.map {
            Map::Runs(runs) => runs,
            Map::Stride { start, step } => return start + offset * step,
        };
        match View::run_containing(runs, offset) {
            Ok(i) => {
                let (start, run) = &runs[i];
                run.origins[offset - start]
            }
            Err(0) => offset,
            Err(i) => {
                // Copied bytes after run i-1: same distance past its end.
                let (start, run) = &runs[i - 1];
                run.end + (offset - start - run.decoded.len())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_maps_back() {
        let hay = br#"k = "\u0041\u004b\u0049\u0041" + x"#;
        let run = run_at(hay, 5).unwrap();
        assert_eq!(run.decoded, b"AKIA");
        let view = View::new(Encoding::Escaped, hay, vec![run]);
        assert_eq!(view.bytes, br#"k = "AKIA" + x"#);
        assert_eq!(view.to_original(0), 0);
        assert_eq!(view.to_original(5), 5);
        assert_eq!(view.to_original(6), 11);
        assert!(view.is_decoded(6) && !view.is_decoded(9));
        assert_eq!(view.to_original(9), 29);
        assert_eq!(hay[view.to_original(13)], b'x');
    }

    #[test]
    fn ranges_below_a_view_land_where_copied_or_decoded() {
        let hay = br#"k = "\u0041\u004b\u0049\u0041" + x"#;
        let view = View::new(Encoding::Escaped, hay, vec![run_at(hay, 5).unwrap()]);
        // `k` copied; the escapes (any part) as `AKIA`; ` + x` copied after them.
        let below = [0..1, 7..8, 30..34];
        let got: Vec<_> = view
            .forward(&below)
            .into_iter()
            .map(|r| (r.start, r.end))
            .collect();
        assert_eq!(got, [(0, 1), (5, 9), (10, 14)]);
        assert_eq!(&view.bytes[10..14], b" + x");
    }

    /// Found by fuzzing (`fuzz/`): two secret keywords before one base64 value gave the same
    /// run twice, and placing it twice sliced backwards.
    #[test]
    fn overlapping_runs_are_placed_once() {
        let hay = br#"a "\u0041\u004b\u0049\u0041" b"#;
        let run = run_at(hay, 3).unwrap();
        let inner = Run {
            start: 9,
            end: 27,
            decoded: b"KIA".to_vec(),
            origins: vec![9, 15, 21],
        };
        let view = View::new(Encoding::Escaped, hay, vec![run.clone(), inner, run]);
        assert_eq!(view.bytes, br#"a "AKIA" b"#);
        assert_eq!(view.to_original(4), 9);
        assert_eq!(view.to_original(9), hay.len() - 1);
    }
}
