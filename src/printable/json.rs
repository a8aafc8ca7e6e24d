//! JSON (and SARIF) as written: serde_json escapes C0 controls, `"` and `\` in strings, but
//! writes DEL, C1 controls (`U+009B` is a CSI to some terminals) and the bidirectional
//! overrides raw. These writers escape them as `\uXXXX` too, so `cat report.json` on a
//! terminal is as safe as the human format. The decoded strings are unchanged.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use super::is_unprintable;

/// What serde_json leaves raw inside strings: [`is_unprintable`] from DEL up. (It escapes
/// every C0 control in a string itself; a raw newline in its output is indentation.)
fn left_raw(c: char) -> bool {
    u32::from(c) >= 0x7f && is_unprintable(c)
}

/// Serialised JSON with every unprintable character serde_json left raw (DEL and up: C1,
/// bidirectional controls, line separators) written as `\uXXXX`. Outside strings JSON is
/// ASCII punctuation and whitespace, so each is inside a string, where the escape means the
/// same character.
pub fn escape_unprintable(json: &str) -> Cow<'_, str> {
    // Every unprintable character is in the Basic Multilingual Plane: four hex digits.
    super::replace_chars(json, left_raw, |out, c| {
        let _ = write!(out, "\\u{:04x}", u32::from(c));
    })
}

/// Writes `value` as indented JSON and a newline.
pub fn write_pretty<T: Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    out.write_all(escape_unprintable(&text).as_bytes())?;
    out.write_all(b"\n")
}

/// Writes `value` as one line of JSON and a newline.
pub fn write_line<T: Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    let text = serde_json::to_string(value)?;
    out.write_all(escape_unprintable(&text).as_bytes())?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_controls_become_json_escapes_with_the_same_meaning() {
        let value = "a\x1b[2J\n\u{7f}\u{9b}31m\u{202e}z";
        let mut buf = Vec::new();
        write_line(&mut buf, &serde_json::json!({ "path": value })).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(
            text,
            "{\"path\":\"a\\u001b[2J\\n\\u007f\\u009b31m\\u202ez\"}\n"
        );
        assert!(!text.trim_end().chars().any(is_unprintable));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["path"], value);
    }

    #[test]
    fn indentation_stays_as_it_is() {
        let mut buf = Vec::new();
        write_pretty(&mut buf, &serde_json::json!({ "a": ["\u{9b}"] })).unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "{\n  \"a\": [\n    \"\\u009b\"\n  ]\n}\n"
        );
    }
}
