//! [`Secret`]: a secret access key or session token that prints redacted unless asked.
//!
//! Owns the one rule for showing secrets: first four characters and `…`, or the whole value
//! with `--show-secrets`. `Debug` is redacted too, so a stray `{:?}` cannot leak one.

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

/// First [`SHOWN`] characters and `…`.
pub fn redact(value: &str) -> String {
    let mut out: String = value.chars().take(SHOWN).collect();
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
}
