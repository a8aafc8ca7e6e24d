//! The unit of input every source yields and the detector reads: bytes, and the [`Origin`]
//! they are reported under. Sources fill it; `detect`, `risk` and the reporters read it, so it
//! lives here rather than with any one of them.

use std::ops::Deref;
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
    pub bytes: Bytes,
}

/// A blob's bytes: read into memory, or a large file mapped read-only (see
/// `source::mapped`, which says when and what mapping risks). Readers see `&[u8]` either way.
#[derive(Debug)]
pub enum Bytes {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
    /// Shared with the cache of the reader that resolved it (`source::git::pack`).
    Shared(std::sync::Arc<Vec<u8>>),
}

impl Bytes {
    /// The bytes to change in place: a map is copied into memory first (the file itself is
    /// never written).
    pub fn to_mut(&mut self) -> &mut Vec<u8> {
        match self {
            Bytes::Mapped(map) => *self = Bytes::Owned(map.to_vec()),
            Bytes::Shared(shared) => {
                *self = Bytes::Owned(std::sync::Arc::unwrap_or_clone(std::mem::take(shared)))
            }
            Bytes::Owned(_) => {}
        }
        match self {
            Bytes::Owned(bytes) => bytes,
            _ => unreachable!("a map or a shared buffer was just copied"),
        }
    }
}

impl Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Owned(bytes) => bytes,
            Bytes::Mapped(map) => map,
            Bytes::Shared(shared) => shared,
        }
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(bytes: Vec<u8>) -> Bytes {
        Bytes::Owned(bytes)
    }
}
