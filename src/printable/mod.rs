//! What may reach a terminal, a CI log or a workflow command: the one place text from the
//! input (file and member names, git authors and refs, configuration values, STS answers,
//! error messages of other crates) is made printable.
//!
//! Two rules, applied at print time by every reporter and by the warning and error printers;
//! the data itself (paths for fingerprints and baselines, JSON values) is never changed:
//!
//! - [`escape_controls`]: no control character reaches the output raw. C0 (ESC, CR, LF, BEL,
//!   ...), DEL, C1, the Unicode line and paragraph separators and the bidirectional overrides
//!   and isolates (`U+202A`–`U+202E`, `U+2066`–`U+2069`, which reorder what a reader sees)
//!   are written as visible escapes (`\x1b`, `\n`, `\u{202e}`). The escape is for display,
//!   not reversible: a literal `\` is left alone.
//! - [`names::redact_secrets`]: a name never shows a secret. A run of the base64 alphabets
//!   that looks like a secret access key or a session token shows its first 4 characters and
//!   `…`, as secrets do; ordinary paths stay as they are.
//!
//! [`values`] describes configuration values in errors without echoing them; [`json`] writes
//! JSON whose strings carry no raw DEL, C1 or bidirectional control either.
//!
//! It must not decide what is a finding, and must not be bypassed: a new place that prints
//! input-derived text goes through [`name`] or [`text`].

pub mod json;
pub mod names;
pub mod values;

use std::borrow::Cow;
use std::fmt::Write as _;

/// Is `c` kept out of the output raw? Controls (C0, DEL, C1), the line and paragraph
/// separators, and the bidirectional marks, embeddings, overrides and isolates.
pub fn is_unprintable(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Writes the visible escape of an unprintable `c`: `\n`, `\r`, `\t`, `\xNN` below U+0080,
/// `\u{…}` above.
pub fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if u32::from(c) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// `s` with every [`is_unprintable`] character replaced by its visible escape.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    replace_chars(s, is_unprintable, push_escape)
}

/// `s` with each character `hit` picks written by `escape`; borrowed when none is.
fn replace_chars(s: &str, hit: fn(char) -> bool, escape: fn(&mut String, char)) -> Cow<'_, str> {
    if !s.chars().any(hit) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if hit(c) {
            escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A name from the input (a path, an archive member, a git author, e-mail or ref) as it may
/// be printed: secret-shaped runs redacted unless `show_secrets`, controls escaped.
pub fn name(s: &str, show_secrets: bool) -> String {
    if show_secrets {
        escape_controls(s).into_owned()
    } else {
        escape_controls(&names::redact_secrets(s)).into_owned()
    }
}

/// Text that mixes keyleak's words with input (a warning, an error, an STS answer): the same
/// as [`name`] without `--show-secrets`, so a diagnostic never carries a secret.
pub fn text(s: &str) -> String {
    name(s, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_visibly() {
        assert_eq!(
            escape_controls("a\x1b[2J\x1b]0;x\x07\nb\r\tc\x7f"),
            "a\\x1b[2J\\x1b]0;x\\x07\\nb\\r\\tc\\x7f"
        );
        assert_eq!(
            escape_controls("c1 \u{9b}31m nel\u{85}"),
            "c1 \\u{9b}31m nel\\u{85}"
        );
        assert_eq!(
            escape_controls("evil\u{202e}txt.exe \u{2066}x\u{2069} \u{2028}"),
            "evil\\u{202e}txt.exe \\u{2066}x\\u{2069} \\u{2028}"
        );
    }

    #[test]
    fn printable_text_is_borrowed_unchanged() {
        for s in ["src/main.rs", "naïve café/日本語.txt", "a\\x1b literal", ""] {
            assert!(matches!(escape_controls(s), Cow::Borrowed(_)), "{s}");
        }
    }

    #[test]
    fn escaped_output_has_no_unprintable_character() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let out = escape_controls(&all);
        assert!(!out.chars().any(is_unprintable));
        assert!(!out.contains('\n') && !out.contains('\r'));
    }

    #[test]
    fn names_are_redacted_then_escaped() {
        let n = "x\x1b[31m creds-Zm9Hq2Lw8KxT3vRpY7cN1dBs6FgJ0aUeVi4oWtQk\n.env";
        assert_eq!(name(n, false), "x\\x1b[31m creds-Zm9H…\\n.env");
        assert_eq!(
            name(n, true),
            "x\\x1b[31m creds-Zm9Hq2Lw8KxT3vRpY7cN1dBs6FgJ0aUeVi4oWtQk\\n.env"
        );
    }
}
