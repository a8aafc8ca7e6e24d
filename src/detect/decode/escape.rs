//! Escaped text: runs of string escapes and character references — `\u0041`, `\u{41}`,
//! `\x41`, `\/`, `&#x41;`, `&#65;`, `&sol;`, `&plus;` — as JavaScript, JSON, Python and HTML
//! write them. Only escapes of printable ASCII are decoded (a key is ASCII), so a view never
//! gains or loses a line break. A run found by the prefilter must decode to at least
//! [`MIN_RUN_CHARS`] characters; one stray `\u00e9` starts nothing. Near a key ID or a secret
//! keyword, single escapes of a secret's bytes are decoded too ([`singles_in`]): PHP writes
//! `/` as `\/`, .NET `+` as `\u002B`, HTML encoders `+` as `&#43;`, one in a secret.

use super::Run;

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
    for (name, byte) in [(&b"&sol;"[..], b'/'), (b"&plus;", b'+'), (b"\\/", b'/')] {
        if rest.starts_with(name) {
            return Some((byte, name.len()));
        }
    }
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

/// Each single escape of a secret access key's byte (`[A-Za-z0-9/+=]`) in `hay[lo..hi]`, as
/// one-byte runs: where a detector looks for the secret of a key ID it found.
pub fn singles_in(hay: &[u8], lo: usize, hi: usize) -> Vec<Run> {
    let hi = hi.min(hay.len());
    let mut out: Vec<Run> = Vec::new();
    if lo >= hi {
        return out;
    }
    let mut next = lo;
    for at in memchr::memchr2_iter(b'\\', b'&', &hay[lo..hi]).map(|i| lo + i) {
        if at < next {
            continue;
        }
        let Some((byte, len)) = escape_at(hay, at) else {
            continue;
        };
        if byte.is_ascii_alphanumeric() || matches!(byte, b'/' | b'+' | b'=') {
            out.push(Run {
                start: at,
                end: at + len,
                decoded: vec![byte],
                origins: vec![at],
            });
            next = at + len;
        }
    }
    out
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
            (r"\/", (b'/', 2)),
            ("&sol;", (b'/', 5)),
            ("&plus;", (b'+', 6)),
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
    fn single_escapes_of_secret_bytes() {
        let hay = br"s=ab\/cd\u002Bef&#43;gh&#x2f;ij&sol;k\n&amp;\u0020";
        let runs = singles_in(hay, 0, hay.len());
        let decoded: Vec<u8> = runs.iter().map(|r| r.decoded[0]).collect();
        assert_eq!(decoded, b"/++//");
        assert_eq!((runs[0].start, runs[0].end), (4, 6));
        assert!(singles_in(hay, 7, 7).is_empty());
    }

    #[test]
    fn short_runs_are_ignored() {
        assert!(run_at(br"\u0041\u0042 and more", 0).is_none());
    }
}
