//! Decoded views: text that hides a key behind an encoding, decoded so the same detector
//! can read it, with a map back to the original bytes for line and column.
//!
//! Escaped text is the first encoding: runs of string escapes and character references —
//! `\u0041`, `\u{41}`, `\x41`, `&#x41;`, `&#65;` — as JavaScript, JSON, Python and HTML write
//! them. Only escapes of printable ASCII are decoded (a key is ASCII), so a view never gains
//! or loses a line break and its line numbers are the original's. A run must decode to at
//! least [`MIN_RUN_CHARS`] characters; one stray `\u00e9` starts nothing.
//!
//! Owns decoding and offset mapping only; the detector decides what to do with a view.

/// Literals that may start an escape of printable ASCII; the prefilter looks for them in the
/// same pass as the key prefixes, so a blob without them costs nothing more.
///
/// Three bytes each, not the two-byte `\u`, `\x`, `&#`: the vectorised search (Teddy) works
/// on the shortest literal's length, and two-byte literals let far more positions through to
/// verification (measured: 185 M vs 115 M instructions on 45 MB of mixed source). The third
/// byte is whatever every printable-ASCII escape has there: `\u0`+3 hex digits, `\u{`,
/// `\x2`..`\x7`, `&#x`/`&#X`, `&#` and a decimal digit.
pub fn escape_literals() -> Vec<String> {
    let mut out = vec!["\\u0".to_string(), "\\u{".to_string()];
    out.extend((b'2'..=b'7').map(|d| format!("\\x{}", d as char)));
    out.extend(["&#x".to_string(), "&#X".to_string()]);
    out.extend((b'0'..=b'9').map(|d| format!("&#{}", d as char)));
    out
}

/// Shortest decoded run worth a second look.
pub const MIN_RUN_CHARS: usize = 4;

/// What a view decoded, as reported in a finding's `encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Encoding {
    /// String escapes or HTML character references.
    Escaped,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Escaped => "escaped",
        }
    }
}

fn hex_value(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// Length of the run of bytes satisfying `f` at `hay[at..]`, at most `max`.
fn run_len(hay: &[u8], at: usize, max: usize, f: fn(&u8) -> bool) -> usize {
    hay[at.min(hay.len())..]
        .iter()
        .take(max)
        .take_while(|b| f(b))
        .count()
}

/// One escape at `at`: the byte it stands for and its length in the source. Public so the
/// fuzz oracles (`tests/fuzz_oracle`) can check a view against the escapes it came from.
pub fn escape_at(hay: &[u8], at: usize) -> Option<(u8, usize)> {
    let rest = &hay[at..];
    let (value, len) = if rest.starts_with(b"\\u{") {
        let n = run_len(hay, at + 3, 6, u8::is_ascii_hexdigit);
        (rest.get(3 + n) == Some(&b'}')).then_some(())?;
        (hex_value(&rest[3..3 + n])?, n + 4)
    } else if rest.starts_with(b"\\u") {
        (hex_value(rest.get(2..6)?)?, 6)
    } else if rest.starts_with(b"\\x") {
        (hex_value(rest.get(2..4)?)?, 4)
    } else if rest.starts_with(b"&#x") || rest.starts_with(b"&#X") {
        let n = run_len(hay, at + 3, 6, u8::is_ascii_hexdigit);
        (rest.get(3 + n) == Some(&b';')).then_some(())?;
        (hex_value(&rest[3..3 + n])?, n + 4)
    } else if rest.starts_with(b"&#") {
        let n = run_len(hay, at + 2, 7, u8::is_ascii_digit);
        (n > 0 && rest.get(2 + n) == Some(&b';')).then_some(())?;
        (
            std::str::from_utf8(&rest[2..2 + n]).ok()?.parse().ok()?,
            n + 3,
        )
    } else {
        return None;
    };
    let byte = u8::try_from(value)
        .ok()
        .filter(|b| (0x20..0x7f).contains(b))?;
    Some((byte, len))
}

/// A run of consecutive escapes in the original bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub start: usize,
    pub end: usize,
    /// The decoded bytes, one per escape.
    pub decoded: Vec<u8>,
    /// Original offset of the escape behind each decoded byte.
    pub origins: Vec<usize>,
}

/// The run of escapes starting at `at`, if it decodes to [`MIN_RUN_CHARS`] or more.
pub fn run_at(hay: &[u8], at: usize) -> Option<Run> {
    let mut run = Run {
        start: at,
        end: at,
        decoded: Vec::new(),
        origins: Vec::new(),
    };
    while let Some((byte, len)) = escape_at(hay, run.end) {
        run.decoded.push(byte);
        run.origins.push(run.end);
        run.end += len;
    }
    (run.decoded.len() >= MIN_RUN_CHARS).then_some(run)
}

/// A blob with its escape runs decoded in place.
#[derive(Debug, Clone)]
pub struct View {
    pub encoding: Encoding,
    pub bytes: Vec<u8>,
    /// (decoded start, run) for each run, in order.
    runs: Vec<(usize, Run)>,
}

impl View {
    pub fn new(encoding: Encoding, hay: &[u8], runs: Vec<Run>) -> View {
        let mut bytes = Vec::with_capacity(hay.len());
        let mut placed = Vec::with_capacity(runs.len());
        let mut copied = 0;
        for run in runs {
            bytes.extend_from_slice(&hay[copied..run.start]);
            placed.push((bytes.len(), run.clone()));
            bytes.extend_from_slice(&run.decoded);
            copied = run.end;
        }
        bytes.extend_from_slice(&hay[copied..]);
        View {
            encoding,
            bytes,
            runs: placed,
        }
    }

    fn run_containing(&self, offset: usize) -> Result<usize, usize> {
        self.runs.binary_search_by(|(start, run)| {
            if offset < *start {
                std::cmp::Ordering::Greater
            } else if offset >= start + run.decoded.len() {
                std::cmp::Ordering::Less
            } else {
                std::cmp::Ordering::Equal
            }
        })
    }

    /// Does this decoded offset come from an escape (rather than bytes copied as they were)?
    pub fn is_decoded(&self, offset: usize) -> bool {
        self.run_containing(offset).is_ok()
    }

    /// The original offset of a decoded offset.
    pub fn to_original(&self, offset: usize) -> usize {
        match self.run_containing(offset) {
            Ok(i) => {
                let (start, run) = &self.runs[i];
                run.origins[offset - start]
            }
            Err(0) => offset,
            Err(i) => {
                // Copied bytes after run i-1: same distance past its end.
                let (start, run) = &self.runs[i - 1];
                run.end + (offset - start - run.decoded.len())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_forms() {
        for (text, want) in [
            (r"\u0041", (b'A', 6)),
            (r"\u{41}", (b'A', 6)),
            (r"\u{4b}", (b'K', 6)),
            (r"\x49", (b'I', 4)),
            ("&#x41;", (b'A', 6)),
            ("&#65;", (b'A', 5)),
        ] {
            assert_eq!(escape_at(text.as_bytes(), 0), Some(want), "{text}");
        }
        for text in [
            r"\u00e9",
            r"\u000a",
            r"\u12",
            "&#x41",
            "&#;",
            r"\xZZ",
            r"\u{1F600}",
        ] {
            assert_eq!(escape_at(text.as_bytes(), 0), None, "{text}");
        }
    }

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
    fn short_runs_are_ignored() {
        assert!(run_at(br"\u0041\u0042 and more", 0).is_none());
    }
}
