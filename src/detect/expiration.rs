//! The expiry a temporary credential's own output states next to it: STS `Expiration`.
//!
//! Where tools write it (all read here, bytes only):
//! - JSON, a member of the object that holds the key ID: `aws sts assume-role` /
//!   `get-session-token` output and the CLI cache (`~/.aws/cli/cache/*.json`, which writes
//!   `…T10:02:17UTC`) in their `Credentials` object, `credential_process` output
//!   (`"Version": 1`), IMDS and ECS container responses (`"Expiration" : "…"`), all ISO 8601;
//!   IAM Identity Center's `aws sso get-role-credentials` (`"expiration": 1718355737000`, Unix
//!   milliseconds).
//! - A line of its own in the same record as the key ID: `aws configure export-credentials
//!   --format env` (`export AWS_CREDENTIAL_EXPIRATION=…`), aws-vault's
//!   `AWS_SESSION_EXPIRATION`, saml2aws profiles (`x_security_token_expires = …`), the CLI's
//!   `--output yaml` (`Expiration: '…'`).
//!
//! Only an expiry that belongs to the key is trusted: a JSON member counts when nothing
//! between it and the key closes the object that holds them (a sibling object's
//! `Expiration` is another credential's); a line counts when it sits in the key's block (no
//! blank line or `[section]` between, same indentation, nothing less indented between). Of
//! those within [`REACH_BACK`] / [`REACH_FORWARD`] bytes, the nearest wins. The names are
//! data ([`NAMES`]); the dates are parsed by [`parse_time`].
//!
//! Whether the expiry has passed, and what that does to risk, is `risk`'s business.

use super::Span;

/// Bytes before the key searched for its expiry (tools write `Expiration` after the key,
/// sorted output may not).
pub const REACH_BACK: usize = 4096;
/// Bytes after the key: room for a secret and a session token (1–3 KiB) before `Expiration`.
pub const REACH_FORWARD: usize = 8192;
/// Candidate names examined at most per key, nearest first.
const MAX_CANDIDATES: usize = 8;

/// Names that state a credential's expiry, lower case; compared ignoring case.
pub const NAMES: &[&str] = &[
    "expiration",
    "aws_credential_expiration",
    "aws_session_expiration",
    "x_security_token_expires",
];

/// Unix seconds accepted as an expiry: 2001-09-09 to 2100-01-01. Other numbers are not dates.
const PLAUSIBLE: std::ops::RangeInclusive<i64> = 1_000_000_000..=4_102_444_800;

/// The expiry (Unix seconds) stated for the credential at `key`, by the rules in the module
/// docs; `None` when none is.
pub fn stated(hay: &[u8], key: Span) -> Option<i64> {
    let lo = key.start.saturating_sub(REACH_BACK);
    let hi = hay.len().min(key.end.saturating_add(REACH_FORWARD));
    let mut names: Vec<Span> = Vec::new();
    for needle in [&b"xpir"[..], b"XPIR"] {
        for at in memchr::memmem::find_iter(&hay[lo..hi], needle) {
            if let Some(name) = name_around(hay, lo + at) {
                names.push(name);
            }
        }
    }
    names.sort_by_key(|n| (n.start.abs_diff(key.start), n.start));
    names.dedup();
    names
        .into_iter()
        .take(MAX_CANDIDATES)
        .find_map(|name| json_member(hay, key, name).or_else(|| line_entry(hay, key, name)))
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The whole word around `at` when it is one of [`NAMES`].
fn name_around(hay: &[u8], at: usize) -> Option<Span> {
    let start = at
        - hay[..at]
            .iter()
            .rev()
            .take_while(|&&b| is_name_byte(b))
            .count();
    let end = at + hay[at..].iter().take_while(|&&b| is_name_byte(b)).count();
    let word = &hay[start..end];
    NAMES
        .iter()
        .any(|n| word.eq_ignore_ascii_case(n.as_bytes()))
        .then_some(Span::new(start, end))
}

fn skip_blanks(hay: &[u8], mut at: usize) -> usize {
    while hay.get(at).is_some_and(|&b| b == b' ' || b == b'\t') {
        at += 1;
    }
    at
}

/// `"name" : value` where `name` is, in the key's object.
fn json_member(hay: &[u8], key: Span, name: Span) -> Option<i64> {
    if name.start == 0 || hay[name.start - 1] != b'"' || hay.get(name.end) != Some(&b'"') {
        return None;
    }
    let colon = skip_blanks(hay, name.end + 1);
    if hay.get(colon) != Some(&b':') {
        return None;
    }
    let key_quoted = key.start > 0 && hay[key.start - 1] == b'"';
    let same = if name.start > key.end {
        same_level(hay, key.end, name.start - 1, key_quoted)
    } else {
        let to = key.start - usize::from(key_quoted);
        name.end < to && same_level(hay, name.end + 1, to, false)
    };
    if !same {
        return None;
    }
    let at = skip_blanks(hay, colon + 1);
    let value = match hay.get(at)? {
        b'"' => {
            let len = hay[at + 1..].iter().take_while(|&&b| b != b'"').count();
            &hay[at + 1..at + 1 + len]
        }
        _ => {
            let len = hay[at..]
                .iter()
                .take_while(|&&b| b.is_ascii_digit() || b == b'.')
                .count();
            &hay[at..at + len]
        }
    };
    parse_time(value)
}

/// Whether `from..to` neither closes a JSON object or array it did not open nor leaves one
/// open: the two ends are members of the same object. `in_string`: `from` is inside a
/// string (the key's own value).
fn same_level(hay: &[u8], from: usize, to: usize, mut in_string: bool) -> bool {
    let mut depth = 0u32;
    let mut i = from;
    while i < to {
        match (in_string, hay[i]) {
            (true, b'\\') => i += 1,
            (true, b'"') | (false, b'"') => in_string = !in_string,
            (false, b'{' | b'[') => depth += 1,
            (false, b'}' | b']') => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            _ => {}
        }
        i += 1;
    }
    depth == 0 && !in_string
}

/// `name = value` / `name: value` / `export NAME=value` starting its line, in the key's block.
fn line_entry(hay: &[u8], key: Span, name: Span) -> Option<i64> {
    let line_start = line_start(hay, name.start);
    let lead = &hay[line_start..name.start];
    let lead = lead.strip_suffix(b"export ").unwrap_or(lead);
    if !lead.iter().all(|&b| matches!(b, b' ' | b'\t' | b'-')) {
        return None;
    }
    let sep = skip_blanks(hay, name.end);
    if !matches!(hay.get(sep), Some(b'=' | b':')) || !same_block(hay, key.start, name.start) {
        return None;
    }
    let at = skip_blanks(hay, sep + 1);
    let end = at + hay[at..].iter().take_while(|&&b| b != b'\n').count();
    let value = hay[at..end].trim_ascii();
    let value = value.strip_suffix(b",").unwrap_or(value);
    let value = match value {
        [q @ (b'"' | b'\''), inner @ .., last] if last == q => inner,
        _ => value,
    };
    parse_time(value)
}

fn line_start(hay: &[u8], at: usize) -> usize {
    memchr::memrchr(b'\n', &hay[..at]).map_or(0, |i| i + 1)
}

/// Leading blanks and YAML list dashes: how deep a line sits.
fn indent(line: &[u8]) -> usize {
    line.iter()
        .take_while(|&&b| matches!(b, b' ' | b'\t' | b'-'))
        .count()
}

/// The lines holding `a` and `b` are one record: no blank line or `[section]` header from
/// one to the other, the two equally indented and none between less indented.
fn same_block(hay: &[u8], a: usize, b: usize) -> bool {
    let (first, last) = (line_start(hay, a.min(b)), line_start(hay, a.max(b)));
    let depth = |at: usize| indent(&hay[at..]);
    let want = depth(line_start(hay, a));
    if depth(line_start(hay, b)) != want {
        return false;
    }
    let end = last + hay[last..].iter().take_while(|&&b| b != b'\n').count();
    hay[first..end].split(|&b| b == b'\n').all(|line| {
        let text = line.trim_ascii();
        !text.is_empty() && !text.starts_with(b"[") && indent(line) >= want
    })
}

/// An expiry as tools write it, to Unix seconds: ISO 8601 / RFC 3339 with `T`, `t` or a
/// space between date and time, optional fractional seconds, and `Z`, `UTC` (the CLI cache),
/// an offset (`+00:00`, `+0000`, `+00`) or no zone (UTC); or Unix seconds or milliseconds (13
/// digits). `None` for anything else or a date outside 2001–2100.
pub fn parse_time(v: &[u8]) -> Option<i64> {
    let v = v.trim_ascii();
    let t = if v.first().is_some_and(u8::is_ascii_digit) && v.get(4) != Some(&b'-') {
        epoch(v)?
    } else {
        iso8601(v)?
    };
    PLAUSIBLE.contains(&t).then_some(t)
}

fn epoch(v: &[u8]) -> Option<i64> {
    let whole = v.split(|&b| b == b'.').next()?;
    let fraction = &v[whole.len()..];
    if !fraction.iter().skip(1).all(u8::is_ascii_digit) || whole.len() > 13 {
        return None;
    }
    let n: i64 = std::str::from_utf8(whole).ok()?.parse().ok()?;
    Some(if whole.len() == 13 { n / 1000 } else { n })
}

fn digits(v: &[u8], r: std::ops::Range<usize>) -> Option<i64> {
    let d = v.get(r)?;
    if !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(d).ok()?.parse().ok()
}

fn iso8601(v: &[u8]) -> Option<i64> {
    use super::presigned::{days_from_civil, days_in_month};
    if v.len() < 19 || v[4] != b'-' || v[7] != b'-' || v[13] != b':' || v[16] != b':' {
        return None;
    }
    if !matches!(v[10], b'T' | b't' | b' ') {
        return None;
    }
    let (y, m, d) = (digits(v, 0..4)?, digits(v, 5..7)?, digits(v, 8..10)?);
    let (hh, mm, ss) = (digits(v, 11..13)?, digits(v, 14..16)?, digits(v, 17..19)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let mut rest = &v[19..];
    if let Some(after) = rest.strip_prefix(b".") {
        let n = after.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = &after[n..];
    }
    let offset = match rest {
        [] | [b'Z' | b'z'] => 0,
        // botocore's JSON cache writes `strftime("%Y-%m-%dT%H:%M:%S%Z")` of a UTC time.
        z if z.eq_ignore_ascii_case(b"UTC") => 0,
        [sign @ (b'+' | b'-'), zone @ ..] => {
            let zone: Vec<u8> = zone.iter().copied().filter(|&b| b != b':').collect();
            let (oh, om) = match zone.len() {
                2 => (digits(&zone, 0..2)?, 0),
                4 => (digits(&zone, 0..2)?, digits(&zone, 2..4)?),
                _ => return None,
            };
            if oh > 23 || om > 59 || (zone.len() == 4 && zone_colon_misplaced(rest)) {
                return None;
            }
            let minutes = oh * 60 + om;
            if *sign == b'+' { minutes } else { -minutes }
        }
        _ => return None,
    };
    Some(days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss.min(59) - offset * 60)
}

/// `+0:000` and the like: a colon anywhere but between hours and minutes.
fn zone_colon_misplaced(zone: &[u8]) -> bool {
    zone.len() != 5 && (zone.len() != 6 || zone[3] != b':')
}

#[cfg(test)]
#[path = "expiration/tests.rs"]
mod tests;
