//! The unit of input every source yields and the detector reads: bytes, and the [`Origin`]
//! they are reported under. Sources fill it; `detect`, `risk` and the reporters read it, so it
//! lives here rather than with any one of them.

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
