//! Pack index files (version 2, the only one git has written since 2009), mapped to look ids
//! up: the plan's blobs (to order them), the trees it diffs, a delta that names its base by
//! id.

use std::fs::File;
use std::path::Path;

use git2::Oid;

use memmap2::Mmap;

const MAGIC: [u8; 4] = [0xff, b't', b'O', b'c'];
const HEADER: u64 = 8;
const FANOUT: u64 = 256 * 4;

pub struct Index {
    /// The whole index file, mapped read-only.
    map: Mmap,
    count: usize,
}

impl Index {
    /// The version-2 index at `path`; `None` for any other file, or one too short for the
    /// tables its fan-out promises.
    pub fn open(path: &Path) -> Option<Index> {
        let file = File::open(path).ok()?;
        // SAFETY: read-only and private. git writes an index whole under a temporary name and
        // renames it into place, never rewriting one, so the mapped file does not change; a
        // truncation by something else would raise SIGBUS (as for mapped files in
        // `source::file_bytes`).
        #[allow(unsafe_code)]
        let map = unsafe { Mmap::map(&file) }.ok()?;
        if map.get(..8)? != [MAGIC, 2u32.to_be_bytes()].concat() {
            return None;
        }
        let count = usize::try_from(be32(&map, HEADER as usize + 255 * 4)?).ok()?;
        // Ids, CRCs and 4-byte offsets, then at least the two checksums.
        let tables = (HEADER + FANOUT) as usize + count.checked_mul(28)?;
        if map.len() < tables.checked_add(40)? {
            return None;
        }
        Some(Index { map, count })
    }

    /// The offset of `oid`'s entry in the pack, if the index lists it.
    pub fn offset(&self, oid: &Oid) -> Option<u64> {
        let id = oid.as_bytes();
        let fanout = |byte: usize| be32(&self.map, HEADER as usize + byte * 4);
        let first = usize::from(id[0]);
        let mut low = if first == 0 { 0 } else { fanout(first - 1)? } as usize;
        let mut high = (fanout(first)? as usize).min(self.count);
        let ids = (HEADER + FANOUT) as usize;
        while low < high {
            let mid = low + (high - low) / 2;
            let probe = self.map.get(ids + mid * 20..ids + mid * 20 + 20)?;
            match probe.cmp(id) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return self.entry_offset(mid),
            }
        }
        None
    }

    /// The pack offset of entry number `entry`, from the 4-byte table or, past 2 GiB, the
    /// 8-byte one.
    fn entry_offset(&self, entry: usize) -> Option<u64> {
        let small_table = (HEADER + FANOUT) as usize + self.count * 24;
        let small = be32(&self.map, small_table + entry * 4)?;
        if small & 0x8000_0000 == 0 {
            return Some(u64::from(small));
        }
        let large_table = small_table + self.count * 4;
        let at = large_table + (small & 0x7fff_ffff) as usize * 8;
        let long = self.map.get(at..at + 8)?;
        Some(u64::from_be_bytes(long.try_into().expect("8 bytes")))
    }
}

/// The big-endian 32-bit number at `at` in `bytes`.
fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let word = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes(word.try_into().expect("4 bytes")))
}
