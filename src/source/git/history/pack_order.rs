//! The order to read the plan's blobs in: as the repository's packs store them.
//!
//! Read by object id, blobs jump all over a pack, so each read maps another window of it and
//! inflates its delta chain from scratch. Read by pack offset, a delta's base (which git stores
//! before it) was just read and is still in libgit2's delta-base cache, and the mapped windows
//! move forward through the pack. Owns parsing pack index files (version 2, the only one git
//! has written since 2009); reads no objects, and changes only the order, never what is read:
//! a blob no index lists (loose, in an alternate, in an index it cannot parse) comes last, by
//! id.
//!
//! Each index is streamed, never held whole: its object ids and the plan's are both sorted, so
//! one pass over the ids finds the plan's blobs, and one pass over the offset table (in the same
//! order) reads their offsets.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use git2::Oid;

use super::BlobJob;

/// Where a blob is stored: (pack number, offset), `None` for no pack it is known in.
type Place = Option<(u32, u64)>;

/// `blobs` (sorted by id) in the order `objects_dir`'s packs store them.
pub fn sort(objects_dir: &Path, blobs: Vec<BlobJob>) -> Vec<BlobJob> {
    let ids: Vec<Oid> = blobs.iter().map(|b| b.oid).collect();
    let mut places: Vec<Place> = vec![None; ids.len()];
    let mut indexes: Vec<_> = std::fs::read_dir(objects_dir.join("pack"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "idx"))
        .collect();
    // Pack numbers by name: the same order on every run.
    indexes.sort();
    for (pack, index) in indexes.iter().enumerate() {
        let pack = u32::try_from(pack).unwrap_or(u32::MAX);
        // An index that cannot be read orders nothing; the blobs are read all the same.
        let _ = locate(index, pack, &ids, &mut places);
    }
    let mut keyed: Vec<(Place, BlobJob)> = places.into_iter().zip(blobs).collect();
    // Blobs in no pack last, by id.
    keyed.sort_unstable_by_key(|(place, job)| (place.is_none(), *place, job.oid));
    keyed.into_iter().map(|(_, job)| job).collect()
}

const MAGIC: [u8; 4] = [0xff, b't', b'O', b'c'];
const FANOUT: u64 = 256 * 4;
const HEADER: u64 = 8;

/// Fills in `places` for the `ids` (sorted) that the version-2 pack index `path` lists and
/// no earlier pack did.
fn locate(path: &Path, pack: u32, ids: &[Oid], places: &mut [Place]) -> std::io::Result<()> {
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
            places[i] = Some((pack, u64::from(small)));
        } else {
            wide.push((i, u64::from(small & 0x7fff_ffff)));
        }
    }
    // Offsets past 2 GiB are in a table of their own (a pack that large).
    let mut long = [0u8; 8];
    for (i, slot) in wide {
        file.seek(SeekFrom::Start(large + slot * 8))?;
        file.read_exact(&mut long)?;
        places[i] = Some((pack, u64::from_be_bytes(long)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// The order matches `git verify-pack`'s offsets, and a blob in no pack comes last.
    #[test]
    fn blobs_are_ordered_by_pack_offset() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        git(d, &["init", "-q"]);
        for n in 0..20 {
            std::fs::write(d.join(format!("f{n}")), format!("file {n}\n").repeat(n + 1)).unwrap();
        }
        git(d, &["add", "."]);
        git(
            d,
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "commit",
                "-qm",
                "c",
            ],
        );
        git(d, &["repack", "-adq"]);
        std::fs::write(d.join("loose"), "not packed\n").unwrap();
        let loose = git(d, &["hash-object", "-w", "loose"]);
        let objects = d.join(".git/objects");
        let idx = std::fs::read_dir(objects.join("pack"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "idx"))
            .unwrap();
        let listing = git(d, &["verify-pack", "-v", idx.to_str().unwrap()]);
        let mut packed: Vec<(u64, Oid)> = listing
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                (f.get(1) == Some(&"blob")).then(|| (f[4].parse().unwrap(), f[0].parse().unwrap()))
            })
            .collect();
        assert_eq!(packed.len(), 20);
        let mut blobs: Vec<BlobJob> = packed
            .iter()
            .map(|&(_, oid)| oid)
            .chain([loose.trim().parse().unwrap()])
            .map(|oid| BlobJob {
                oid,
                occurrences: Vec::new(),
            })
            .collect();
        blobs.sort_by_key(|b| b.oid);
        let blobs = sort(&objects, blobs);
        packed.sort();
        let mut want: Vec<Oid> = packed.into_iter().map(|(_, oid)| oid).collect();
        want.push(loose.trim().parse().unwrap());
        let got: Vec<Oid> = blobs.iter().map(|b| b.oid).collect();
        assert_eq!(got, want);
    }
}
