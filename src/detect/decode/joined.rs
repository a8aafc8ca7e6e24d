//! Keys split across string literals: `"AKIA" + "IOSF…"` (JavaScript, Java, C#, Python, Go),
//! `'AKIA' . '…'` (PHP, Perl), `"AKIA" .. "…"` (Lua), `"AKIA".concat("…")`, adjacent literals
//! (`"AKIA" "…"` in Python, C and shell, also across lines inside parentheses, `"AKIA""…"`), and
//! a backslash-newline inside a string (shell, C). The run of a split string is the
//! concatenation of the literals' contents; each character maps to its byte, so a key is
//! located at its first piece.
//!
//! Found without looking at every string in every file:
//! - [`key_run_at`]: at a key prefix the plain pass found but could not read as a key ID (fewer
//!   than 20 characters before a closing quote), join the literals that follow;
//! - [`value_run_after`]: the value after a secret keyword, when it is split;
//! - [`secret_runs_in`]: near a key ID, split strings that join to 40 secret characters.
//!
//! Only string contents are joined, never a variable: `"AKIA" + suffix` joins nothing.

use super::Run;
use crate::detect::key_id::KEY_ID_LEN;
use crate::detect::secret::{SECRET_LEN, is_secret_byte};

/// Literals joined at most, and content bytes at most: a key or a secret in a few pieces.
pub const MAX_PIECES: usize = 16;
pub const MAX_JOINED: usize = 256;
/// Bytes between two literals at most (spaces, line breaks, an operator, an indentation).
const MAX_SEP: usize = 64;
/// Bytes back from a key prefix to its literal's opening quote, on the same line.
const MAX_BACK: usize = 128;

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'')
}

/// A backslash-newline (`\` then `\n` or `\r\n`) at `at`: its length.
fn continuation(hay: &[u8], at: usize) -> Option<usize> {
    match hay.get(at..(at + 3).min(hay.len()))? {
        [b'\\', b'\n', ..] => Some(2),
        [b'\\', b'\r', b'\n'] => Some(3),
        _ => None,
    }
}

/// The literal's content from `at` up to its closing quote `q`, appended to `out` as (byte,
/// origin); a backslash-newline inside is skipped, other escapes are kept as written. Returns
/// the closing quote's offset and whether a continuation was skipped.
fn content(hay: &[u8], at: usize, q: u8, out: &mut Vec<(u8, usize)>) -> Option<(usize, bool)> {
    let mut i = at;
    let mut continued = false;
    while out.len() < MAX_JOINED {
        let b = *hay.get(i)?;
        if b == q {
            return Some((i, continued));
        }
        if b == b'\n' {
            return None;
        }
        if b == b'\\' {
            if let Some(n) = continuation(hay, i) {
                continued = true;
                i += n;
                continue;
            }
            out.push((b, i));
            i += 1;
            let &next = hay.get(i)?;
            if next == b'\n' {
                return None;
            }
        }
        out.push((hay[i], i));
        i += 1;
    }
    None
}

/// Spaces, tabs, line breaks and backslash-newlines from `at`, at most up to `limit`.
fn skip_space(hay: &[u8], mut at: usize, limit: usize) -> usize {
    while at < limit {
        match hay[at] {
            b' ' | b'\t' | b'\r' | b'\n' => at += 1,
            _ => match continuation(hay, at) {
                Some(n) => at += n,
                None => break,
            },
        }
    }
    at
}

/// After a literal closing at `close`, the next literal joined to it: its content start and
/// quote. `open` counts the `.concat(` calls whose `)` is still to come.
fn next_literal(hay: &[u8], close: usize, open: &mut usize) -> Option<(usize, u8)> {
    let limit = hay.len().min(close + 1 + MAX_SEP);
    let mut i = skip_space(hay, close + 1, limit);
    while *open > 0 && hay.get(i) == Some(&b')') {
        *open -= 1;
        i = skip_space(hay, i + 1, limit);
    }
    let rest = &hay[i.min(hay.len())..];
    let op = if rest.starts_with(b".concat(") {
        *open += 1;
        8
    } else if rest.starts_with(b"..") || rest.starts_with(b"++") {
        2
    } else if matches!(rest.first(), Some(b'+' | b'.'))
        || (*open > 0 && rest.first() == Some(&b','))
    {
        1
    } else {
        0
    };
    let mut i = skip_space(hay, i + op, limit);
    // A string prefix: Python `r"…"`/`b"…"`/`u"…"`, C `L"…"`, C# `@"…"`.
    if matches!(
        hay.get(i),
        Some(b'r' | b'R' | b'b' | b'B' | b'u' | b'U' | b'L' | b'@')
    ) && hay.get(i + 1).is_some_and(|&b| is_quote(b))
    {
        i += 1;
    }
    let &q = hay.get(i).filter(|&&b| is_quote(b))?;
    (i < limit).then_some((i + 1, q))
}

/// The literals joined from `at` (inside a literal quoted with `q`) on, when there is
/// something to join (two literals or more, or one with a backslash-newline): a run from `at`
/// to the last literal's closing quote.
fn join_from(hay: &[u8], at: usize, q: u8) -> Option<Run> {
    let mut chars = Vec::new();
    let (mut close, mut joined) = content(hay, at, q, &mut chars)?;
    let mut open = 0;
    for _ in 1..MAX_PIECES {
        let Some((start, q)) = next_literal(hay, close, &mut open) else {
            break;
        };
        let before = chars.len();
        match content(hay, start, q, &mut chars) {
            Some((c, _)) => {
                close = c;
                joined = true;
            }
            None => {
                chars.truncate(before);
                break;
            }
        }
    }
    joined.then(|| Run {
        start: at,
        end: close,
        decoded: chars.iter().map(|&(b, _)| b).collect(),
        origins: chars.iter().map(|&(_, o)| o).collect(),
    })
}

/// The opening quote of the literal holding `at`: the nearest quote before it on its line.
fn opening_quote(hay: &[u8], at: usize) -> Option<u8> {
    hay[at.saturating_sub(MAX_BACK)..at]
        .iter()
        .rev()
        .take_while(|&&b| b != b'\n')
        .find(|&&b| is_quote(b))
        .copied()
}

/// At a key prefix (`at`) that starts fewer than 20 letters and digits before a closing quote
/// or a backslash-newline: the split key's run, from the prefix on.
pub fn key_run_at(hay: &[u8], at: usize) -> Option<Run> {
    let shaped = hay[at..]
        .iter()
        .take(KEY_ID_LEN)
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        .count();
    let end = at + shaped;
    if shaped >= KEY_ID_LEN || !hay.get(end).is_some_and(|&b| is_quote(b) || b == b'\\') {
        return None;
    }
    let q = opening_quote(hay, at)?;
    if is_quote(hay[end]) && hay[end] != q {
        return None;
    }
    join_from(hay, at, q).filter(|run| run.decoded.len() >= KEY_ID_LEN)
}

/// The value after a secret keyword ending at `from`: the first literal on the line (or the
/// next), when it is split and joins to at least a secret's length.
pub fn value_run_after(hay: &[u8], from: usize) -> Option<Run> {
    let limit = hay.len().min(from + MAX_BACK);
    let mut lines = 0;
    let quote = hay[from..limit].iter().position(|&b| {
        lines += usize::from(b == b'\n');
        is_quote(b) || lines > 1
    })? + from;
    if !is_quote(hay[quote]) {
        return None;
    }
    join_from(hay, quote + 1, hay[quote]).filter(|run| run.decoded.len() >= SECRET_LEN)
}

/// Split strings starting in `hay[lo..hi]` that join to at least 40 secret characters in a
/// row: a secret beside a key ID, written in pieces.
pub fn secret_runs_in(hay: &[u8], lo: usize, hi: usize) -> Vec<Run> {
    let hi = hi.min(hay.len());
    let mut out = Vec::new();
    let mut at = lo;
    while let Some(i) = memchr::memchr2(b'"', b'\'', &hay[at.min(hi)..hi]) {
        let quote = at + i;
        let run = join_from(hay, quote + 1, hay[quote]).filter(|run| {
            let longest = run
                .decoded
                .split(|&b| !is_secret_byte(b))
                .map(<[u8]>::len)
                .max();
            longest.unwrap_or(0) >= SECRET_LEN
        });
        match run {
            Some(run) => {
                at = run.end + 1;
                out.push(run);
            }
            None => at = quote + 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AKIAQZQZQZQZQZQZQZQZ";

    fn key_run(text: &str) -> Option<Run> {
        key_run_at(text.as_bytes(), text.find("AKIA").unwrap())
    }

    /// Each form joins to the key, and each character's origin holds it.
    #[test]
    fn every_form_joins() {
        for text in [
            r#"k = "AKIA" + "QZQZQZQZQZQZQZQZ";"#,
            r#"k = "AKIAQZQZ" +
                 "QZQZQZQZQZQZ""#,
            "k = ('AKIAQZQZ'\n     'QZQZQZQZ' 'QZQZ')",
            r#"$k = 'AKIAQZQZ' . 'QZQZQZQZQZQZ';"#,
            r#"k = "AKIAQZQZ" .. "QZQZQZQZQZQZ""#,
            r#"k = "AKIAQZ".concat("QZQZQZ").concat("QZQZQZQZ")"#,
            r#"k = "AKIAQZ".concat("QZQZQZ", "QZQZQZQZ")"#,
            r#"K="AKIAQZQZ""QZQZQZQZQZQZ""#,
            "K=\"AKIAQZQZ\\\nQZQZQZQZQZQZ\"",
            "char *k = \"AKIAQZQZQZ\"\n           L\"QZQZQZQZQZ\";",
        ] {
            let run = key_run(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(run.decoded, KEY.as_bytes(), "{text}");
            for (&b, &o) in run.decoded.iter().zip(&run.origins) {
                assert_eq!(text.as_bytes()[o], b, "{text}");
            }
            assert!(is_quote(text.as_bytes()[run.end]), "{text}");
        }
    }

    #[test]
    fn nothing_to_join() {
        for text in [
            r#"k = "AKIA" + suffix"#,
            r#"k = "AKIA""#,
            r#"k = ["AKIAQZQZ", "QZQZQZQZQZQZ"]"#,
            r#"k = "AKIAQZQZ" + "qz""#,
            r#"k = "AKIAQZQZQZQZQZQZQZQZ" + "x""#,
            "k = \"AKIAQZQZ\" +\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\"QZQZQZQZQZQZ\"",
        ] {
            assert_eq!(key_run(text), None, "{text}");
        }
    }

    #[test]
    fn secrets_after_keywords_and_near_keys() {
        let text = r#"secret = "wJalrXUtnFEMI/K7MDENG" + "/bPxRfiCYzzzzzzzzzzz" ; x = "a" + "b""#;
        let run = value_run_after(text.as_bytes(), 6).unwrap();
        assert_eq!(run.decoded, b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzzz");
        assert_eq!(run.start, 10);
        let runs = secret_runs_in(text.as_bytes(), 0, text.len());
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert_eq!(runs[0].start, 10);
        assert!(secret_runs_in(text.as_bytes(), 50, text.len()).is_empty());
    }
}
