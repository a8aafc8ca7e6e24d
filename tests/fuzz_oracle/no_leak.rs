//! No output shows a planted secret (issue 16): for any input, a secret access key written
//! into it — plainly, with any of its `/` and `+` escaped, URL-encoded, in UTF-16 — appears in
//! no reporter's output, not even as a 12-character piece, unless the rest of the input holds
//! that piece too. Checked on the output as printed, on the strings of the JSON formats, and
//! with every escape undone.
//!
//! The input is read as: a form byte, a flags byte, 40 bytes for the secret (mapped onto its
//! alphabet), then context split in two around the planted value.

use keyleak::detect::DetectOptions;
use keyleak::detect::decode::escape_at;
use keyleak::scan::scan_blob;
use keyleak::source::{Blob, Origin};

/// A redacted value shows 4 characters; any 12 in a row is a leak.
const PIECE: usize = 12;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn check(data: &[u8]) {
    let Some((&[form, flags], rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let Some((raw_secret, context)) = rest.split_first_chunk::<40>() else {
        return;
    };
    let secret: String = raw_secret
        .iter()
        .map(|&b| char::from(ALPHABET[usize::from(b % 64)]))
        .collect();
    let (before, after) = context.split_at(context.len() / 2);
    let key = "AKIAUJZDEGXDNCF32EPF";
    let mut hay = before.to_vec();
    if flags & 1 != 0 {
        hay.extend_from_slice(format!("\"AccessKeyId\":\"{key}\",").as_bytes());
    }
    if flags & 2 != 0 {
        hay.extend_from_slice(b"\"SecretAccessKey\":\"");
    }
    let written = write(&secret, form);
    hay.extend_from_slice(&written);
    if flags & 4 != 0 {
        hay.extend_from_slice(format!("\" AKIAQ3T7WZKXM5RDPV2N {key}").as_bytes());
    }
    hay.extend_from_slice(after);
    let background: Vec<u8> = [before, after].concat();
    let background = with_decoded(vec![
        String::from_utf8_lossy(&background).into_owned(),
        unescaped(&String::from_utf8_lossy(&background)),
    ]);
    let blob = Blob {
        origin: Origin::file("fuzz/input.txt"),
        bytes: hay.into(),
    };
    let detector = super::detector(DetectOptions::default());
    let findings = scan_blob(detector, &blob, 1_700_000_000);
    if findings.is_empty() {
        return;
    }
    for (name, out) in super::reports(findings) {
        let mut texts = vec![out.clone()];
        let documents = match name {
            "jsonl" => out.lines().collect(),
            _ => vec![out.as_str()],
        };
        for doc in documents {
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(doc) {
                texts.push(strings_of(&value));
            }
        }
        if name == "github" {
            texts.push(github_unescaped(&out));
        }
        for text in texts {
            for shown in [text.clone(), unescaped(&text)] {
                if let Some(piece) = leaked(&shown, &secret, &background) {
                    panic!("{name} shows {piece:?} of the planted secret:\n{out}");
                }
            }
        }
    }
}

/// The secret as the input writes it: `form` picks the writing.
fn write(secret: &str, form: u8) -> Vec<u8> {
    let esc = |plus: &str, slash: &str| secret.replace('+', plus).replace('/', slash);
    let text = match form % 10 {
        0 => secret.to_string(),
        1 => esc("+", r"\/"),
        2 => esc(r"\u002B", r"\u002F"),
        3 => esc("&#43;", "&#x2F;"),
        4 => esc("&plus;", "&sol;"),
        5 => esc("%2B", "%2F"),
        6 => esc("%252B", "%252F"),
        7 => esc(r"\x2b", r"\\/"),
        8 => return secret.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        _ => return secret.encode_utf16().flat_map(u16::to_be_bytes).collect(),
    };
    text.into_bytes()
}

/// A 12-character piece of `secret` in `shown` that no background text holds.
fn leaked(shown: &str, secret: &str, background: &[String]) -> Option<String> {
    (0..=secret.len() - PIECE)
        .map(|i| &secret[i..i + PIECE])
        .find(|p| shown.contains(p) && !background.iter().any(|b| b.contains(p)))
        .map(str::to_string)
}

/// `texts` and what their base64 runs decode to, at each of the four alignments and two
/// levels deep: a piece the scanner shows from a decoded layer of the context is context too.
fn with_decoded(mut texts: Vec<String>) -> Vec<String> {
    let is_b64 = |b: &u8| b.is_ascii_alphanumeric() || b"+/-_".contains(b);
    let mut level = texts.clone();
    for _ in 0..2 {
        let mut next = Vec::new();
        for text in &level {
            for run in text
                .as_bytes()
                .split(|b| !is_b64(b))
                .filter(|r| r.len() >= 4)
            {
                for skip in 0..4 {
                    if let Some(bytes) = super::decode_base64::decode(&run[skip..]) {
                        let decoded = String::from_utf8_lossy(&bytes).into_owned();
                        next.push(unescaped(&decoded));
                        next.push(decoded);
                    }
                }
            }
        }
        texts.extend(next.iter().cloned());
        level = next;
    }
    texts
}

/// Every string in a JSON document, joined by newlines.
fn strings_of(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a.iter().map(strings_of).collect::<Vec<_>>().join("\n"),
        serde_json::Value::Object(o) => o.values().map(strings_of).collect::<Vec<_>>().join("\n"),
        _ => String::new(),
    }
}

/// GitHub workflow commands escape `%`, CR, LF, `:` and `,`.
fn github_unescaped(text: &str) -> String {
    text.replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

/// `text` with escapes (as `detect::decode` reads them) and URL encoding undone, three times
/// over; zero bytes and U+FFFD dropped.
pub fn unescaped(text: &str) -> String {
    let mut bytes: Vec<u8> = text
        .replace(['\u{fffd}', '\0'], "")
        .replace(r"\\", r"\")
        .into_bytes();
    for _ in 0..3 {
        let mut out = Vec::with_capacity(bytes.len());
        let mut at = 0;
        while at < bytes.len() {
            if let Some((b, len)) = escape_at(&bytes, at) {
                out.push(b);
                at += len;
            } else if let Some((b, len)) = percent_at(&bytes, at) {
                out.push(b);
                at += len;
            } else {
                out.push(bytes[at]);
                at += 1;
            }
        }
        bytes = out;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `%XX` of a printable ASCII byte.
fn percent_at(text: &[u8], at: usize) -> Option<(u8, usize)> {
    let digits = text.get(at + 1..at + 3).filter(|_| text[at] == b'%')?;
    let value = u8::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()?;
    (0x20..0x7f).contains(&value).then_some((value, 3))
}
