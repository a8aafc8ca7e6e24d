//! Errors that end a run (exit 2) and warnings that do not.
//!
//! A [`Warning`] is a value: a worker that cannot read one file records it and moves on, and
//! the run prints all warnings once, after the scan. Only [`Error`] stops a run.
//!
//! Both hold raw text (names, other crates' messages); they are made printable where they are
//! displayed: [`Warning`]'s `Display` and `main.rs` pass them through [`crate::printable`].

use std::fmt;
use std::io;
use std::path::PathBuf;

/// A problem that makes the whole run impossible. Always exit code 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{}: no such file or directory", .0.display())]
    PathNotFound(PathBuf),
    #[error("cannot read standard input")]
    Stdin(#[source] io::Error),
    #[error("cannot write the report")]
    Output(#[source] io::Error),
    #[error("hook {path}: {message}")]
    Hook { path: String, message: String },
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("baseline {path}: {message}")]
    Baseline { path: String, message: String },
    #[error("invalid value for {flag}: {message}")]
    Usage { flag: &'static str, message: String },
    #[error("{path}: not a git repository")]
    NotARepo {
        path: String,
        #[source]
        source: git2::Error,
    },
    #[error("cannot start worker threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),
    #[error("git: {context}")]
    Git {
        context: String,
        #[source]
        source: git2::Error,
    },
    /// `--output` files that could not be written (every other report was).
    #[error("{}", unwritten(.0))]
    ReportFiles(Vec<(PathBuf, io::Error)>),
}

fn unwritten(failures: &[(PathBuf, io::Error)]) -> String {
    let each: Vec<String> = failures
        .iter()
        .map(|(path, e)| format!("{}: {e}", path.display()))
        .collect();
    format!("cannot write the report to {}", each.join("; "))
}

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
