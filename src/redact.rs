//! [`Secret`]: a secret access key or session token that prints redacted unless asked.
//!
//! Owns the one rule for showing secrets: first four characters and `…`, or the whole value
//! with `--show-secrets`. `Debug` is redacted too, so a stray `{:?}` cannot leak one. Lines of
//! context are redacted by shape (long base64 runs) and by name (a presigned URL's signature
//! and token, [`SECRET_PARAMS`]).

use std::fmt;

/// Characters of a secret shown when redacted.
pub const SHOWN: usize = 4;

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The full value: for fingerprints and `--show-secrets` only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn redacted(&self) -> String {
        redact(&self.0)
    }

    pub fn render(&self, show: bool) -> String {
        if show {
            self.0.clone()
        } else {
            self.redacted()
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

/// First [`SHOWN`] characters and `…`; never more than a quarter of the value, so a short
/// one (a cut-off token, a fuzzer's) is not shown whole.
pub fn redact(value: &str) -> String {
    let shown = SHOWN.min(value.chars().count() / 4);
    let mut out: String = value.chars().take(shown).collect();
    out.push('…');
    out
}

/// Shortest run of base64 characters that a snippet shows redacted. Key IDs (20) stay
/// readable; secret access keys (40) and tokens (hundreds) do not.
pub const SNIPPET_REDACT_RUN: usize = 32;

/// Redacts every run of `[A-Za-z0-9/+]` of [`SNIPPET_REDACT_RUN`] or more characters in a
/// line of context, whether or not the detector paired it: a line printed in a CI log must
/// not carry a secret the pairing missed. (`=` ends a run, so `AccessKeyId=AKIA…` keeps its
/// key ID readable; base64 padding stays visible, which reveals nothing.)
pub fn redact_line(line: &str) -> String {
    let line = &redact_params(line);
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '+');
    let mut out = String::with_capacity(line.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= SNIPPET_REDACT_RUN {
            out.push_str(&redact(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in line.chars() {
        if is_b64(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Query parameters whose values are secret in a presigned URL, lower case, matched without
/// case as the end of a name: `X-Amz-Signature=` and SigV2's `Signature=`, and
/// `X-Amz-Security-Token=`. The URL-encoding (`%2F`) cuts a token or a SigV2 signature into
/// runs too short for the base64 rule, so these are redacted by name.
pub const SECRET_PARAMS: &[&str] = &["signature=", "security-token="];

/// A byte that ends a query parameter's value: `&`, whitespace, a quote, a bracket, `\`.
fn ends_value(b: u8) -> bool {
    !b.is_ascii_graphic()
        || matches!(
            b,
            b'&' | b'"' | b'\'' | b'`' | b'<' | b'>' | b'(' | b')' | b'\\'
        )
}

/// How far back [`secret_value_end`] looks for a parameter name: a URL-encoded session token
/// is 1–3 KiB.
const PARAM_REACH: usize = 8192;

/// If offset `at` of `line` falls inside the value of a [`SECRET_PARAMS`] parameter, where
/// that value ends. A snippet must not start there: the piece it would show has lost the name
/// that gets it redacted.
pub fn secret_value_end(line: &[u8], at: usize) -> Option<usize> {
    let from = at.saturating_sub(PARAM_REACH);
    let window = line[from..at].to_ascii_lowercase();
    let value_start = SECRET_PARAMS
        .iter()
        .filter_map(|name| {
            memchr::memmem::rfind(&window, name.as_bytes()).map(|i| from + i + name.len())
        })
        .max()?;
    if line[value_start..at].iter().any(|&b| ends_value(b)) {
        return None;
    }
    let len = line[at..].iter().take_while(|&&b| !ends_value(b)).count();
    Some(at + len)
}

/// Redacts the value of every [`SECRET_PARAMS`] parameter in `line`, up to the next `&`,
/// whitespace, quote, bracket or backslash.
fn redact_params(line: &str) -> String {
    let lower = line.to_ascii_lowercase();
    let mut values: Vec<(usize, usize)> = Vec::new();
    for name in SECRET_PARAMS {
        for (at, _) in lower.match_indices(name) {
            let start = at + name.len();
            let len = line.as_bytes()[start..]
                .iter()
                .take_while(|&&b| !ends_value(b))
                .count();
            if len > 0 {
                values.push((start, start + len));
            }
        }
    }
    if values.is_empty() {
        return line.to_string();
    }
    values.sort_unstable();
    let mut out = String::with_capacity(line.len());
    let mut copied = 0;
    for (start, end) in values {
        if start < copied {
            continue;
        }
        out.push_str(&line[copied..start]);
        out.push_str(&redact(&line[start..end]));
        copied = end;
    }
    out.push_str(&line[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction() {
        let s = Secret::new("5dkLVuqpZhD6V3Zym1hivdSHOzh6FGPjwplXD+5f");
        assert_eq!(s.redacted(), "5dkL…");
        assert_eq!(s.render(true), s.expose());
        assert_eq!(format!("{s:?}"), "Secret(5dkL…)");
    }

    #[test]
    fn lines_keep_key_ids_and_hide_secrets() {
        let line = "k=AKIARZPUZDIKGB2VALC4 s=\"5dkLVuqpZhD6V3Zym1hivdSHOzh6FGPjwplXD+5f\"";
        assert_eq!(redact_line(line), "k=AKIARZPUZDIKGB2VALC4 s=\"5dkL…\"");
        let line = "AccessKeyId=AKIARZPUZDIKGB2VALC4";
        assert_eq!(redact_line(line), line);
    }

    #[test]
    fn short_values_show_at_most_a_quarter() {
        assert_eq!(redact("IQ"), "…");
        assert_eq!(redact("IQoJb3JpZ2luX2V"), "IQo…");
        assert_eq!(redact("5dkLVuqpZhD6V3Zym1hivdSHOzh6FGPjwplXD+5f"), "5dkL…");
    }

    #[test]
    fn presigned_signatures_and_tokens_are_redacted_by_name() {
        let line = "https://h/k?X-Amz-Credential=AKIARZPUZDIKGB2VALC4%2F20250101&X-Amz-Security-Token=IQoJb3JpZ2luX2Vj%2Fab%2Bc&amp;X-Amz-Signature=0a1b2c3d\"";
        assert_eq!(
            redact_line(line),
            "https://h/k?X-Amz-Credential=AKIARZPUZDIKGB2VALC4%2F20250101&X-Amz-Security-Token=IQoJ…&amp;X-Amz-Signature=0a…\""
        );
        let v2 = "?AWSAccessKeyId=AKIARZPUZDIKGB2VALC4&Expires=1767225600&signature=vjby%2BxyZ%3D)";
        assert_eq!(
            redact_line(v2),
            "?AWSAccessKeyId=AKIARZPUZDIKGB2VALC4&Expires=1767225600&signature=vjb…)"
        );
        assert_eq!(redact_line("SignatureVersion=2"), "SignatureVersion=2");
    }

    #[test]
    fn offsets_inside_a_secret_value() {
        let line = b"?X-Amz-Security-Token=IQoJ%2Fabc&X-Amz-Credential=AKIA";
        let token_at = 22;
        assert_eq!(secret_value_end(line, token_at + 3), Some(32));
        assert_eq!(secret_value_end(line, token_at), Some(32));
        assert_eq!(secret_value_end(line, 40), None);
        assert_eq!(secret_value_end(b"Signature=ab cd", 13), None);
    }
}
