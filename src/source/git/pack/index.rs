//! Pack index files (version 2, the only one git has written since 2009), never held whole.
//! [`locate`] streams one to place many sorted ids at once (a plan's blobs); [`Index`] looks
//! one id up with a few `pread`s, for a delta that names its base by id (rare in git's own
//! packs).

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use git2::Oid;

use super::{Place, read_exact_at};

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
    file: File,
    /// `fanout[b]`: how many ids start with a byte ≤ `b`.
    fanout: Box<[u32; 256]>,
}

impl Index {
    /// The version-2 index at `path`; `None` for any other file.
    pub fn open(path: &Path) -> Option<Index> {
        let file = File::open(path).ok()?;
        let mut head = [0u8; (HEADER + FANOUT) as usize];
        read_exact_at(&file, &mut head, 0).ok()?;
        if head[..4] != MAGIC || head[4..8] != 2u32.to_be_bytes() {
            return None;
        }
        let mut fanout = Box::new([0u32; 256]);
        for (n, word) in head[HEADER as usize..].chunks_exact(4).enumerate() {
            fanout[n] = u32::from_be_bytes(word.try_into().expect("4 bytes"));
        }
        Some(Index { file, fanout })
    }

    fn count(&self) -> u64 {
        u64::from(self.fanout[255])
    }

    /// The offset of `oid`'s entry in the pack, if the index lists it.
    pub fn offset(&self, oid: &Oid) -> Option<u64> {
        let id = oid.as_bytes();
        let first = usize::from(id[0]);
        let mut low = if first == 0 {
            0
        } else {
            self.fanout[first - 1]
        };
        let mut high = self.fanout[first];
        let mut probe = [0u8; 20];
        while low < high {
            let mid = low + (high - low) / 2;
            read_exact_at(
                &self.file,
                &mut probe,
                HEADER + FANOUT + u64::from(mid) * 20,
            )
            .ok()?;
            match probe[..].cmp(id) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return self.entry_offset(u64::from(mid)),
            }
        }
        None
    }

    /// The pack offset of entry number `entry`, from the 4-byte table or, past 2 GiB, the
    /// 8-byte one.
    fn entry_offset(&self, entry: u64) -> Option<u64> {
        let count = self.count();
        let small_table = HEADER + FANOUT + count * 24;
        let mut word = [0u8; 4];
        read_exact_at(&self.file, &mut word, small_table + entry * 4).ok()?;
        let small = u32::from_be_bytes(word);
        if small & 0x8000_0000 == 0 {
            return Some(u64::from(small));
        }
        let mut long = [0u8; 8];
        let large_table = small_table + count * 4;
        let slot = u64::from(small & 0x7fff_ffff);
        read_exact_at(&self.file, &mut long, large_table + slot * 8).ok()?;
        Some(u64::from_be_bytes(long))
    }
}
