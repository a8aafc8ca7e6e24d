//! Errors that end a run (exit 2) and warnings that do not.
//!
//! A [`Warning`] is a value: a worker that cannot read one file records it and moves on, and
//! the run prints all warnings once, after the scan. Only [`Error`] stops a run.
//!
//! Both hold raw text (names, other crates' messages); they are made printable where they are
//! displayed: [`Warning`]'s `Display` and `main.rs` pass them through [`crate::printable`].
//! [`Warning`] is plain data a report reads, so it lives in the model; it is re-exported here.

use std::io;
use std::path::PathBuf;

pub use crate::model::warning::Warning;

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
    #[error("merge {path}: {message}")]
    Merge { path: String, message: String },
    #[error("baseline {path}: {message}")]
    Baseline { path: String, message: String },
    /// `keyleak role PATH[:LINE]` found no key to replace there.
    #[error("{at}: {why}")]
    NoRole { at: String, why: String },
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
