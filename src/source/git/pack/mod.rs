//! Blobs read straight from a repository's pack files, in the order the packs store them
//! (`scan --git`).
//!
//! libgit2 reads one object at a time: it walks a delta chain twice (once for the size, once
//! for the bytes), keeps the bases it resolved but never the object itself, starts a new
//! inflate stream and allocates its output for every entry, and the scanner copies that
//! output again. Reading a history's blobs in pack order, each object is the base of the
//! next ones, so a [`Reader`] resolves each delta against the object it just read, keeps what
//! it resolved in a cache bounded in bytes, and reads entries with `pread` (no mapping, so
//! the pack's pages never count against the process's memory).
//!
//! Owns the pack and pack-index formats (version 2), delta chains and their cache. Knows
//! nothing of commits, paths or keys. It reads only what the plan located in a pack: anything
//! else (loose objects, alternates, an entry it cannot make sense of, a base it cannot find)
//! is answered [`Read::Unknown`], and the caller asks libgit2, which reads everything git
//! does and names what is wrong; so this reader may decline, but never changes a finding.

mod cache;
mod delta;
mod index;
mod read;
#[cfg(test)]
mod tests;

use std::fs::File;
use std::path::{Path, PathBuf};

use git2::Oid;

pub use read::{Read, Reader};

/// Where a pack stores an object: which pack (numbered as [`indexes`] lists them) and the
/// offset of its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    pub pack: u32,
    pub offset: u64,
}

/// The pack index files of `objects_dir`, by name: pack numbers are positions in this list,
/// the same on every run.
pub fn indexes(objects_dir: &Path) -> Vec<PathBuf> {
    let mut indexes: Vec<PathBuf> = std::fs::read_dir(objects_dir.join("pack"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "idx"))
        .collect();
    indexes.sort();
    indexes
}

/// The packs a plan's places refer to, opened for reading; shared by every [`Reader`].
pub struct Packs {
    /// By pack number; `None` for a pack that cannot be opened or is not one (its objects
    /// are left to libgit2).
    packs: Vec<Option<Pack>>,
}

struct Pack {
    data: File,
    index: index::Index,
}

impl Packs {
    /// Opens the packs of `indexes` (from [`indexes`]), each next to its index.
    pub fn open(indexes: &[PathBuf]) -> Packs {
        let packs = indexes
            .iter()
            .map(|idx| {
                let data = File::open(idx.with_extension("pack")).ok()?;
                let mut head = [0u8; 8];
                read_exact_at(&data, &mut head, 0).ok()?;
                let version = u32::from_be_bytes(head[4..].try_into().expect("4 bytes"));
                if &head[..4] != b"PACK" || !(2..=3).contains(&version) {
                    return None;
                }
                let index = index::Index::open(idx)?;
                Some(Pack { data, index })
            })
            .collect();
        Packs { packs }
    }

    /// A reader for one thread, with a delta cache of `cache_bytes`.
    pub fn reader(&self, cache_bytes: usize) -> Reader<'_> {
        Reader::new(self, cache_bytes)
    }

    fn pack(&self, pack: u32) -> Option<&Pack> {
        self.packs.get(pack as usize)?.as_ref()
    }

    /// Where the first of the packs that lists `oid` stores it.
    pub fn find(&self, oid: &Oid) -> Option<Place> {
        self.packs.iter().enumerate().find_map(|(n, pack)| {
            let offset = pack.as_ref()?.index.offset(oid)?;
            Some(Place {
                pack: u32::try_from(n).ok()?,
                offset,
            })
        })
    }
}

/// Reads at `offset` without moving the file's cursor, so threads share one handle.
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    #[cfg(unix)]
    return std::os::unix::fs::FileExt::read_at(file, buf, offset);
    #[cfg(windows)]
    return std::os::windows::fs::FileExt::seek_read(file, buf, offset);
}

/// [`read_at`] of exactly `buf.len()` bytes.
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match read_at(file, buf, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
