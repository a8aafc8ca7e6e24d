//! Pack index files (version 2, the only one git has written since 2009). [`locate`] streams
//! one to place many sorted ids at once (a plan's blobs); [`Index`] maps one to look ids up
//! (the trees a plan diffs, a delta that names its base by id).

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use git2::Oid;

use memmap2::Mmap;

use super::Place;

const MAGIC: [u8; 4] = [0xff, b't', b'O', b'c'];
const HEADER: u64 = 8;
const FANOUT: u64 = 256 * 4;

/// Fills in `places` for the `ids` (sorted) that the version-2 pack index `path` lists and
/// no earlier pack did.
pub fn locate(
    path: &Path,
    pack: u32,
    ids: &[Oid],
    places: &mut [Option<Place>],
) -> std::io::Result<()> {
    let mut file = BufReader::with_capacity(1 << 16, File::open(path)?);
    let mut head = [0u8; HEADER as usize];
    file.read_exact(&mut head)?;
    if head[..4] != MAGIC || head[4..] != 2u32.to_be_bytes() {
        return Ok(());
    }
    let mut fanout = [0u8; FANOUT as usize];
    file.read_exact(&mut fanout)?;
    let count = u64::from(u32::from_be_bytes(fanout[255 * 4..].try_into().expect("4")));
    // Pass 1: entry numbers of the planned blobs, in id order.
    let mut found: Vec<(usize, u32)> = Vec::new();
    let mut wanted = ids.iter().enumerate().peekable();
    let mut id = [0u8; 20];
    for entry in 0..count {
        if wanted.peek().is_none() {
            break;
        }
        file.read_exact(&mut id)?;
        while let Some(&(i, want)) = wanted.peek() {
            match want.as_bytes().cmp(&id[..]) {
                std::cmp::Ordering::Less => {
                    wanted.next();
                }
                std::cmp::Ordering::Equal => {
                    if places[i].is_none() {
                        found.push((i, u32::try_from(entry).unwrap_or(u32::MAX)));
                    }
                    wanted.next();
                    break;
                }
                std::cmp::Ordering::Greater => break,
            }
        }
    }
    // Pass 2: their offsets, from the table after the ids and the CRCs.
    let offsets = HEADER + FANOUT + count * 24;
    let large = offsets + count * 4;
    file.seek(SeekFrom::Start(offsets))?;
    let mut at = 0u64;
    let mut word = [0u8; 4];
    let mut wide = Vec::new();
    for (i, entry) in found {
        let entry = u64::from(entry);
        file.seek_relative(i64::try_from((entry - at) * 4).unwrap_or(i64::MAX))?;
        file.read_exact(&mut word)?;
        at = entry + 1;
        let small = u32::from_be_bytes(word);
        if small & 0x8000_0000 == 0 {
            places[i] = Some(Place {
                pack,
                offset: u64::from(small),
            });
        } else {
            wide.push((i, u64::from(small & 0x7fff_ffff)));
        }
    }
    // Offsets past 2 GiB are in a table of their own (a pack that large).
    let mut long = [0u8; 8];
    for (i, slot) in wide {
        file.seek(SeekFrom::Start(large + slot * 8))?;
        file.read_exact(&mut long)?;
        places[i] = Some(Place {
            pack,
            offset: u64::from_be_bytes(long),
        });
    }
    Ok(())
}

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
