//! The order to read the plan's blobs in: as the repository's packs store them.
//!
//! Read by object id, blobs jump all over a pack, so each read seeks elsewhere and resolves
//! its delta chain from scratch. Read by pack offset, a delta's base (which git stores before
//! it) was just read and is still in the reader's cache (`pack::Reader`), and reads move
//! forward through the pack. Reads no objects, and changes only the order, never what is read:
//! a blob no readable pack lists (loose, in an alternate, in a pack or index that cannot be
//! read) comes last, by id, with no place.

use super::BlobJob;
use crate::source::git::pack::Packs;

/// `blobs` in the order `packs` store them, each with its [`BlobJob::place`] (the first pack
/// by name that lists it, as libgit2 would read it).
pub fn sort(packs: &Packs, mut blobs: Vec<BlobJob>) -> Vec<BlobJob> {
    for job in &mut blobs {
        job.place = packs.find(&job.oid);
    }
    // Blobs in no pack last, by id.
    blobs.sort_unstable_by_key(|job| (job.place.is_none(), job.place, job.oid));
    blobs
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::process::Command;

    use git2::Oid;

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
                place: None,
            })
            .collect();
        blobs.sort_by_key(|b| b.oid);
        let packs = crate::source::git::pack::indexes(&objects);
        let blobs = sort(&Packs::open(&packs), blobs);
        packed.sort();
        let mut want: Vec<Oid> = packed.into_iter().map(|(_, oid)| oid).collect();
        want.push(loose.trim().parse().unwrap());
        let got: Vec<Oid> = blobs.iter().map(|b| b.oid).collect();
        assert_eq!(got, want);
    }
}
