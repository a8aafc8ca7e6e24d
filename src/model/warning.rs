//! [`Warning`]: a problem with one item (file, blob, ref) that the run reports and goes past.
//! Plain data: sources and the scan make them, `run` prints them, reports count them.

use std::fmt;

/// Something that went wrong with one item (file, blob): reported, never fatal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// What it concerns: a path, `<stdin>`, or a git object.
    pub subject: String,
    pub message: String,
}

impl Warning {
    pub fn new(subject: impl Into<String>, message: impl Into<String>) -> Warning {
        Warning {
            subject: subject.into(),
            message: message.into(),
        }
    }
}

/// As printed on stderr: through [`crate::printable::text`], so a file, member or ref name
/// (or anything quoted in the message) cannot carry a control character or a secret into the
/// terminal or CI log.
impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let raw = format!("{}: {}", self.subject, self.message);
        f.write_str(&crate::printable::text(&raw))
    }
}
