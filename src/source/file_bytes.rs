//! A regular file's bytes, whole: read into memory, or mapped read-only when it is large.
//!
//! Owns the choice between the two and the one `unsafe` block in keyleak. It must not decide
//! which files are read (that is `fs`: special files are skipped before this is called) and
//! must not read past `--max-filesize`, whichever way the bytes come.
//!
//! Why map: a large file read into a buffer costs a copy of every byte (system time about
//! equal to the detector's own time on a 40 MB file); a map lets the detector read the page
//! cache directly. Why not always: for a small file, setting up and tearing down a map (and
//! the page faults) costs more than the copy. ripgrep makes the same trade (it maps when given
//! a few files by name, and reads in a directory walk); keyleak maps by size, in walks too.
//!
//! What mapping risks: a file truncated by another process while it is mapped makes the next
//! read of a page past its new end raise `SIGBUS`, which ends keyleak (killed by a signal: a
//! non-zero exit status, never a clean run). ripgrep accepts the same risk. A file that grows
//! while mapped is read only up to the size checked against `--max-filesize`.

use std::fs::File;

use memmap2::{Mmap, MmapOptions};

use super::read_capped_into;
use crate::model::blob::Bytes;

/// Files at least this large are mapped; smaller ones are read.
pub const MAP_AT_LEAST: u64 = 1 << 20;

/// The bytes of `file`, which a `stat` said are `size` bytes long, at most `max` of them, and
/// whether it had more (then they are not to be scanned). Only a regular file whose size its
/// own handle confirms, within `max`, is mapped; anything else (a size of 0 as `/proc` files
/// give, a failed map) is read, at most `max + 1` bytes.
pub fn read_file(file: File, size: u64, max: u64) -> std::io::Result<(Bytes, bool)> {
    if size >= MAP_AT_LEAST
        && let Some(map) = map(&file, max)
    {
        return Ok((Bytes::Mapped(map), false));
    }
    let capacity = size.min(max).saturating_add(1);
    let buffer = Bytes::buffer(usize::try_from(capacity).unwrap_or(0));
    let (bytes, cut) = read_capped_into(file, max, buffer)?;
    Ok((bytes.into(), cut))
}

/// A read-only map of the whole of `file` when it is a regular file of at least
/// [`MAP_AT_LEAST`] bytes and at most `max`, by its open handle's own `fstat`.
fn map(file: &File, max: u64) -> Option<Mmap> {
    let meta = file.metadata().ok()?;
    let len = meta.len();
    if !meta.is_file() || len < MAP_AT_LEAST || len > max {
        return None;
    }
    let len = usize::try_from(len).ok()?;
    // SAFETY: the map is read-only and private to this process, and its bytes are only read
    // (a blob that must change copies them first: `Bytes::to_mut`). What Rust cannot rule
    // out is another process changing the file meanwhile: a write shows through (the scan
    // sees either byte, as a read racing the write would), and a truncation raises SIGBUS
    // on the next access past the new end, which ends the process (see the module doc).
    #[allow(unsafe_code)]
    let map = unsafe { MmapOptions::new().len(len).map(file) };
    map.ok()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn file_of(len: usize) -> (tempfile::NamedTempFile, Vec<u8>) {
        let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(&bytes).unwrap();
        (f, bytes)
    }

    #[test]
    fn large_files_are_mapped_small_ones_read() {
        let n = MAP_AT_LEAST as usize;
        let (big, want) = file_of(n + 10);
        let (bytes, cut) = read_file(big.reopen().unwrap(), n as u64 + 10, u64::MAX).unwrap();
        assert!(matches!(bytes, Bytes::Mapped(_)) && !cut);
        assert_eq!(&bytes[..], &want[..]);
        let (small, want) = file_of(n - 1);
        let (bytes, cut) = read_file(small.reopen().unwrap(), n as u64 - 1, u64::MAX).unwrap();
        assert!(matches!(bytes, Bytes::Owned(_)) && !cut);
        assert_eq!(&bytes[..], &want[..]);
    }

    #[test]
    fn never_past_the_cap() {
        let n = MAP_AT_LEAST as usize;
        // Over the cap by its own fstat: not mapped, read up to the cap and cut.
        let (big, want) = file_of(2 * n);
        let (bytes, cut) = read_file(big.reopen().unwrap(), n as u64, n as u64).unwrap();
        assert!(matches!(bytes, Bytes::Owned(_)) && cut);
        assert_eq!(&bytes[..], &want[..n]);
        // A size the stat got wrong (a /proc file says 0, a file grew): read, capped.
        let (bytes, cut) = read_file(big.reopen().unwrap(), 0, n as u64 + 5).unwrap();
        assert!(matches!(bytes, Bytes::Owned(_)) && cut);
        assert_eq!(bytes.len(), n + 5);
    }

    #[test]
    fn a_mapped_blob_changes_only_its_copy() {
        let n = MAP_AT_LEAST as usize;
        let (big, want) = file_of(n);
        let (mut bytes, _) = read_file(big.reopen().unwrap(), n as u64, u64::MAX).unwrap();
        bytes.to_mut()[0] = b'x';
        assert!(matches!(bytes, Bytes::Owned(_)));
        assert_eq!(std::fs::read(big.path()).unwrap(), want);
    }
}
