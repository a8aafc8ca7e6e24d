//! What counts as one character of a credential in text that may have been escaped: a
//! base64 byte written plainly, or an escape that stands for one (`\/`, `\u002B`, `\x2f`,
//! `&#43;`, `&#x2F;`, `&sol;`, `%2F`, `%252F`).
//!
//! Redaction reads text this way so that one escaped character cannot cut a secret into
//! pieces that each look too short to hide. It decodes nothing for detection: it only has to
//! be generous (a false "character" costs a little redaction, a missed one a leak), so it is
//! written here, apart from `detect::decode`, and knows every form that module knows and a
//! few more (doubled backslashes and doubled percent-encoding).

/// A byte of a secret access key or session token: base64 without padding.
pub fn is_credential_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'/' || b == b'+'
}

/// The credential byte at `text[at..]` and how many bytes write it, if one starts there.
pub fn unit_at(text: &[u8], at: usize) -> Option<(u8, usize)> {
    let b = *text.get(at)?;
    if is_credential_byte(b) {
        return Some((b, 1));
    }
    let (byte, len) = match b {
        b'\\' => backslash_escape(text, at)?,
        b'%' => percent_escape(text, at)?,
        b'&' => html_reference(text, at)?,
        _ => return None,
    };
    is_credential_byte(byte).then_some((byte, len))
}

/// `\/`, `\uXXXX`, `\u{XX}`, `\xXX`, after one to four backslashes (text escaped again).
fn backslash_escape(text: &[u8], at: usize) -> Option<(u8, usize)> {
    let slashes = text[at..]
        .iter()
        .take(4)
        .take_while(|&&b| b == b'\\')
        .count();
    let body = at + slashes;
    let (value, len) = match *text.get(body)? {
        b'/' => (u32::from(b'/'), 1),
        b'u' if text.get(body + 1) == Some(&b'{') => {
            let digits = hex_digits(text, body + 2, 6);
            (text.get(body + 2 + digits) == Some(&b'}')).then_some(())?;
            (hex_value(&text[body + 2..body + 2 + digits])?, digits + 3)
        }
        b'u' => (hex_value(text.get(body + 1..body + 5)?)?, 5),
        b'x' => (hex_value(text.get(body + 1..body + 3)?)?, 3),
        _ => return None,
    };
    Some((u8::try_from(value).ok()?, slashes + len))
}

/// `%XX`, or `%25XX` (a URL encoded twice, as in a URL inside a URL's query).
fn percent_escape(text: &[u8], at: usize) -> Option<(u8, usize)> {
    let hex_at = |p: usize| {
        text.get(p..p + 2)
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
    };
    let mut p = at + 1;
    while p - at < 7 && text.get(p..p + 2) == Some(b"25") && hex_at(p + 2).is_some() {
        p += 2;
    }
    let value = hex_value(hex_at(p)?)?;
    Some((u8::try_from(value).ok()?, p + 2 - at))
}

/// `&#47;`, `&#x2F;`, `&sol;`, `&plus;`.
fn html_reference(text: &[u8], at: usize) -> Option<(u8, usize)> {
    let rest = &text[at..];
    for (name, byte) in [(&b"&sol;"[..], b'/'), (b"&plus;", b'+')] {
        if rest.len() >= name.len() && rest[..name.len()].eq_ignore_ascii_case(name) {
            return Some((byte, name.len()));
        }
    }
    if rest.get(1) != Some(&b'#') {
        return None;
    }
    let hex = matches!(rest.get(2), Some(b'x' | b'X'));
    let from = at + 2 + usize::from(hex);
    let digits = if hex {
        hex_digits(text, from, 6)
    } else {
        text[from..]
            .iter()
            .take(7)
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    if digits == 0 || text.get(from + digits) != Some(&b';') {
        return None;
    }
    let body = std::str::from_utf8(&text[from..from + digits]).ok()?;
    let value = u32::from_str_radix(body, if hex { 16 } else { 10 }).ok()?;
    Some((u8::try_from(value).ok()?, from + digits + 1 - at))
}

fn hex_digits(text: &[u8], from: usize, max: usize) -> usize {
    text.get(from..)
        .unwrap_or_default()
        .iter()
        .take(max)
        .take_while(|b| b.is_ascii_hexdigit())
        .count()
}

fn hex_value(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// Query parameters whose values are secret in a presigned URL, lower case, matched without
/// case as the end of a name: `X-Amz-Signature` and SigV2's `Signature`, and
/// `X-Amz-Security-Token`. A SigV2 signature is 28 characters, too short for the shape rule,
/// so these are hidden by name.
pub const SECRET_PARAMS: &[&str] = &["signature", "security-token"];

/// What joins a parameter's name to its value: `=`, URL-encoded once or twice (a URL inside
/// another URL's query).
const ASSIGN: &[&str] = &["=", "%3d", "%253d"];

/// The values of [`SECRET_PARAMS`] parameters in `text`, as byte ranges: up to a byte that
/// ends a query value (`&`, whitespace, a quote, a bracket, `\`) or a percent escape of one
/// (`%26`, `%2526`, `%22`).
pub fn secret_param_values(text: &[u8]) -> Vec<(usize, usize)> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    for name in SECRET_PARAMS {
        for at in memchr::memmem::find_iter(&lower, name.as_bytes()) {
            let after = at + name.len();
            let Some(assign) = ASSIGN
                .iter()
                .find(|a| lower[after..].starts_with(a.as_bytes()))
            else {
                continue;
            };
            let start = after + assign.len();
            let end = value_end(text, start);
            if end > start {
                out.push((start, end));
            }
        }
    }
    out.sort_unstable();
    out
}

fn value_end(text: &[u8], mut at: usize) -> usize {
    while at < text.len() {
        let b = text[at];
        if b == b'%' {
            match percent_escape(text, at) {
                Some((v, len)) if is_credential_byte(v) || v == b'=' => at += len,
                _ => return at,
            }
        } else if !b.is_ascii_graphic()
            || matches!(
                b,
                b'&' | b'"' | b'\'' | b'`' | b'<' | b'>' | b'(' | b')' | b'\\'
            )
        {
            return at;
        } else {
            at += 1;
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_of_credential_bytes_are_units() {
        for (text, want) in [
            ("A", (b'A', 1)),
            (r"\/", (b'/', 2)),
            (r"\\/", (b'/', 3)),
            (r"\u002B", (b'+', 6)),
            (r"\\u002b", (b'+', 7)),
            (r"\u{2F}", (b'/', 6)),
            (r"\x2f", (b'/', 4)),
            ("&#43;", (b'+', 5)),
            ("&#x2F;", (b'/', 6)),
            ("&sol;", (b'/', 5)),
            ("&PLUS;", (b'+', 6)),
            ("%2F", (b'/', 3)),
            ("%252F", (b'/', 5)),
            ("%25252b", (b'+', 7)),
            ("%41", (b'A', 3)),
        ] {
            assert_eq!(unit_at(text.as_bytes(), 0), Some(want), "{text}");
        }
        for text in [
            r"\n", r"\u003D", "%3D", "%20", "&amp;", "&#61;", "=", "\"", r"\u12", "%2", "&#;",
        ] {
            assert_eq!(unit_at(text.as_bytes(), 0), None, "{text}");
        }
    }

    #[test]
    fn secret_parameters_by_name() {
        let text = b"?X-Amz-Security-Token=IQoJ%2Fab&X-Amz-Signature=0a1b\" SignatureVersion=2";
        let values = secret_param_values(text);
        let got: Vec<&[u8]> = values.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(got, [&b"IQoJ%2Fab"[..], b"0a1b"]);
        let nested = b"next=x%26X-Amz-Security-Token%3DIQoJ%252Fab%26X-Amz-Date%3D1";
        let values = secret_param_values(nested);
        assert_eq!(&nested[values[0].0..values[0].1], b"IQoJ%252Fab");
    }
}
