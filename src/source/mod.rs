//! Sources: where bytes come from. Each yields [`Blob`]s — bytes plus the [`Origin`] they are
//! reported under — or [`Warning`](crate::error::Warning)s for items it cannot read.
//!
//! Sources know nothing about keys; the detector knows nothing about sources.
//!
//! - `fs`: files and directories; `file_bytes`: a file's bytes, read or mapped; `stdin`:
//!   standard input; `links`: which files may be read through a symbolic link.
//! - `git`: a repository's blobs — its history (`scan --git`, `git::history`), what is
//!   staged (`scan --staged`, `git::staged`, `git::index`, `git::cli` for SHA-256
//!   repositories), and opening it (`git::repo`).
//! - `archive`: the members of a zip, jar, tar or gzip blob from any of them, as blobs named
//!   `outer!member`.
//! - `repos`: the repositories of a multi-repository scan (`--repos`, `--repos-under`) and
//!   the shard a run takes; `git::mirror` clones and fetches the URLs among them.

pub mod archive;
mod file_bytes;
pub mod fs;
pub mod git;
pub mod links;
pub mod repos;
pub mod stdin;

use std::io::Read;

pub use crate::model::blob::{Blob, Origin};

/// At most `max` bytes of `input`, and whether it had more. Reads at most `max + 1` bytes, so
/// an endless pipe, a `/proc` file whose size says 0 or a log growing after its size was
/// checked is never read past the limit.
pub fn read_capped(input: impl Read, max: u64) -> std::io::Result<(Vec<u8>, bool)> {
    read_capped_into(input, max, Vec::new())
}

/// [`read_capped`] into `bytes` (empty, with the capacity the caller expects to need).
fn read_capped_into(
    input: impl Read,
    max: u64,
    mut bytes: Vec<u8>,
) -> std::io::Result<(Vec<u8>, bool)> {
    input.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    let cut = bytes.len() as u64 > max;
    if cut {
        // `bytes.len()` is `max + 1` here, so `max` fits in usize.
        bytes.truncate(max as usize);
    }
    Ok((bytes, cut))
}
