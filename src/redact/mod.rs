//! [`Secret`]: a secret access key or session token that prints redacted unless asked.
//!
//! Owns the one rule for showing secrets: first four characters and `…`, or the whole value
//! with `--show-secrets`. `Debug` is redacted too, so a stray `{:?}` cannot leak one. Lines of
//! context are redacted by what was detected, by name (a presigned URL's signature and token)
//! and by shape (long runs of base64 characters, escapes included), before they are cut
//! ([`snippet`]; what counts as a character of a credential: `units`).

pub mod snippet;
mod units;

use std::fmt;

pub use units::SECRET_PARAMS;

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

/// Redacts a piece of text nothing was detected in (a file or member name, an author, a
/// message): credential-shaped runs and presigned-URL secrets are hidden as in a snippet
/// ([`snippet`]), nothing is cut.
pub fn redact_line(line: &str) -> String {
    snippet::redact_text(line.as_bytes())
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
}
