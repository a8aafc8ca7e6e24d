//! Values in error messages: a configuration or baseline error says which line and why, but
//! never echoes a value that could be a secret (a user pasting into `allow.key_ids` the
//! secret keyleak just reported).
//!
//! [`describe`] is for values keyleak quotes itself; [`hide_quoted`] rewrites the messages of
//! other crates (toml, serde_json, globset), which quote what they could not read.

use crate::redact::redact;

/// Longest value shown whole: shorter than the 12-character piece the no-leak tests look for,
/// and long enough for every `fail_on` name and a short typo.
pub const SHOWN_WHOLE: usize = 11;

/// `"high"` for a short value (escaped as Rust's `{:?}` does); `a 40-character value
/// ("Zm9H…")` for a longer one, which could be a secret.
pub fn describe(value: &str) -> String {
    let n = value.chars().count();
    if n <= SHOWN_WHOLE {
        format!("{value:?}")
    } else {
        format!("a {n}-character value ({:?})", redact(value))
    }
}

/// Is a quoted piece of another crate's message safe to keep: short, or a lower-case
/// identifier (a field name such as `aws_secret_access_key`, never a mixed-case secret)?
fn keep(quoted: &str) -> bool {
    quoted.chars().count() <= SHOWN_WHOLE
        || quoted.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-')
        })
}

/// `message` with every quoted piece (`"…"`, `` `…` `` or `'…'`, backslash escapes honoured)
/// replaced by its [`describe`]d form, unless it is short or a lower-case identifier (a field
/// name such as `aws_secret_access_key`); the rest is left alone.
pub fn hide_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`', '\'']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        let body_start = open + 1;
        let Some(len) = closing(&rest[body_start..], quote) else {
            break;
        };
        let body = &rest[body_start..body_start + len];
        out.push_str(&rest[..open]);
        if keep(body) {
            out.push_str(&rest[open..body_start + len + 1]);
        } else {
            out.push_str(&describe(body));
        }
        rest = &rest[body_start + len + 1..];
    }
    // An unclosed quote: what follows it is hidden too, unless it is short.
    if let Some(open) = rest.find(['"', '`', '\'']) {
        out.push_str(&rest[..open]);
        let tail = &rest[open + 1..];
        if keep(tail) {
            out.push_str(&rest[open..]);
        } else {
            out.push_str(&describe(tail));
        }
    } else {
        out.push_str(rest);
    }
    out
}

/// Byte length of a quoted body up to its closing `quote`, skipping backslash escapes.
fn closing(body: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == quote => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "Zm9Hq2Lw8KxT3vRpY7cN1dBs6FgJ0aUeVi4oWtQk";

    #[test]
    fn short_values_show_long_ones_are_described() {
        assert_eq!(describe("sometimes"), "\"sometimes\"");
        assert_eq!(describe("AKIA123"), "\"AKIA123\"");
        assert_eq!(describe(SECRET), "a 40-character value (\"Zm9H…\")");
        assert_eq!(
            describe("AKIAUJZDEGXDNCF32EPF1"),
            "a 21-character value (\"AKIA…\")"
        );
    }

    #[test]
    fn quoted_pieces_of_other_messages_are_hidden() {
        assert_eq!(
            hide_quoted(&format!(
                "invalid type: string \"{SECRET}\", expected a boolean"
            )),
            "invalid type: string a 40-character value (\"Zm9H…\"), expected a boolean"
        );
        assert_eq!(
            hide_quoted(&format!(
                "error parsing glob '{SECRET}[': unclosed character class"
            )),
            "error parsing glob a 41-character value (\"Zm9H…\"): unclosed character class"
        );
        assert_eq!(
            hide_quoted(
                "unknown field `aws_secret_access_key`, expected one of `fail_on`, `verify`"
            ),
            "unknown field `aws_secret_access_key`, expected one of `fail_on`, `verify`"
        );
        assert_eq!(
            hide_quoted(&format!("unknown field `{SECRET}`")),
            "unknown field a 40-character value (\"Zm9H…\")"
        );
        let escaped = format!("invalid value \"ab\\\"{SECRET}\" here");
        assert_eq!(
            hide_quoted(&escaped),
            "invalid value a 44-character value (\"ab\\\\\\\"…\") here"
        );
        assert_eq!(
            hide_quoted(&format!("unterminated \"{SECRET}")),
            "unterminated a 40-character value (\"Zm9H…\")"
        );
        assert_eq!(hide_quoted("expected `,` or `]`"), "expected `,` or `]`");
    }

    #[test]
    fn no_piece_of_a_secret_survives() {
        for msg in [
            format!("\"{SECRET}\""),
            format!("'{SECRET}'"),
            format!("`{SECRET}`"),
            format!("x \"{SECRET}"),
            format!("a \"b\" '{SECRET}' `c`"),
        ] {
            let out = hide_quoted(&msg);
            for i in 0..=SECRET.len() - 12 {
                assert!(!out.contains(&SECRET[i..i + 12]), "{msg} -> {out}");
            }
        }
    }
}
