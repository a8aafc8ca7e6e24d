//! The unit of input every source yields and the detector reads: bytes, and the [`Origin`]
//! they are reported under. Sources fill it; `detect`, `risk` and the reporters read it, so it
//! lives here rather than with any one of them. It also keeps each thread's spare read buffer
//! ([`Bytes::buffer`]): a dropped blob's memory, for the next file read on that thread.

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

/// Buffers at most this large are kept for the next blob read on the same thread (larger
/// files are mapped, see `source::file_bytes`).
const SPARE_AT_MOST: usize = 1 << 20;

thread_local! {
    /// The buffer of the last blob read into memory and dropped on this thread, kept for the
    /// next read: empty, its capacity reused.
    static SPARE: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

impl Bytes {
    /// An empty buffer with room for `capacity` bytes, the spare one of this thread when
    /// there is one. Why: in a walk of small files, allocating and freeing each file's buffer
    /// was most of the time keyleak spent in malloc (dense tree: about 5% of its user time),
    /// and the heap it churned made the detector's small allocations slower too.
    pub fn buffer(capacity: usize) -> Vec<u8> {
        let mut buffer = crate::memory::take_spare(&SPARE);
        buffer.reserve(capacity);
        buffer
    }
}

impl Drop for Bytes {
    /// A buffer read into memory goes back to this thread's spare when it is no larger than
    /// `SPARE_AT_MOST` and larger than the spare already kept.
    fn drop(&mut self) {
        if let Bytes::Owned(bytes) = self {
            crate::memory::keep_spare(&SPARE, std::mem::take(bytes), SPARE_AT_MOST);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dropped blob's buffer comes back empty for the next read on its thread, and a map's
    /// bytes, a shared buffer or an oversized one are never kept.
    #[test]
    fn the_spare_buffer_is_reused_empty() {
        let first = Bytes::Owned(b"AKIA secret bytes of the last file".repeat(100));
        let (ptr, capacity) = match &first {
            Bytes::Owned(v) => (v.as_ptr(), v.capacity()),
            _ => unreachable!(),
        };
        drop(first);
        let next = Bytes::buffer(10);
        assert!(next.is_empty());
        assert_eq!((next.as_ptr(), next.capacity()), (ptr, capacity));
        // Taken: the next one is new.
        assert_eq!(Bytes::buffer(10).capacity(), 10);
        drop(Bytes::Owned(Vec::with_capacity(SPARE_AT_MOST + 1)));
        assert!(Bytes::buffer(0).capacity() <= SPARE_AT_MOST);
        drop(Bytes::Shared(Arc::new(vec![1; 100])));
        assert_eq!(Bytes::buffer(0).capacity(), 0);
    }
}
