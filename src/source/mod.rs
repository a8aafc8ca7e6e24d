//! Sources: where bytes come from. Each yields [`Blob`]s — bytes plus the [`Origin`] they are
//! reported under — or [`Warning`](crate::error::Warning)s for items it cannot read.
//!
//! Sources know nothing about keys; the detector knows nothing about sources.
//!
//! - `fs`: files and directories; `stdin`: standard input; `links`: which files may be read
//!   through a symbolic link.
//! - `git`: a repository's blobs — its history (`scan --git`, `git::history`), what is
//!   staged (`scan --staged`, `git::staged`, `git::index`, `git::cli` for SHA-256
//!   repositories), and opening it (`git::repo`).
//! - `archive`: the members of a zip, jar, tar or gzip blob from any of them, as blobs named
//!   `outer!member`.

pub mod archive;
pub mod fs;
pub mod git;
pub mod links;
pub mod stdin;

use std::io::Read;
use std::sync::Arc;

use crate::model::commit::CommitInfo;

/// Where a blob's bytes came from, as reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Display path: relative as given on the command line, `./` removed, `/` separators;
    /// `<stdin>` for standard input; the path inside the repository for a git blob.
    pub path: String,
    /// The commit that introduced the blob at `path` (history scans only).
    pub commit: Option<Arc<CommitInfo>>,
}

impl Origin {
    /// A file, standard input or a staged blob: no commit.
    pub fn file(path: impl Into<String>) -> Origin {
        Origin {
            path: path.into(),
            commit: None,
        }
    }
}

/// One unit of input: a file's content, standard input, a git blob.
#[derive(Debug)]
pub struct Blob {
    pub origin: Origin,
    pub bytes: Vec<u8>,
}

/// At most `max` bytes of `input`, and whether it had more. Reads at most `max + 1` bytes, so
/// an endless pipe, a `/proc` file whose size says 0 or a log growing after its size was
/// checked is never read past the limit.
pub fn read_capped(input: impl Read, max: u64) -> std::io::Result<(Vec<u8>, bool)> {
    let mut bytes = Vec::new();
    input.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    let cut = bytes.len() as u64 > max;
    if cut {
        // `bytes.len()` is `max + 1` here, so `max` fits in usize.
        bytes.truncate(max as usize);
    }
    Ok((bytes, cut))
}
