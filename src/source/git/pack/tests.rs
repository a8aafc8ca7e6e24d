//! The reader against libgit2 on real packs that git wrote: every blob the same bytes, with
//! deltas by offset and by id, chains, limits, and damaged packs declined rather than misread.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use git2::{Oid, Repository};

use super::*;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@t"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// A repository whose files change over 40 commits, so a repack stores most versions as
/// deltas in chains; packed with `repack_args`.
fn repository(repack_args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    let mut text: Vec<String> = (0..400)
        .map(|n| format!("line {n} of the file\n"))
        .collect();
    for round in 0..40 {
        text[(round * 37) % 400] = format!("changed in round {round}\n");
        text.insert((round * 11) % 400, format!("added in round {round}\n"));
        std::fs::write(d.join("a.txt"), text.concat()).unwrap();
        std::fs::write(d.join("b.txt"), text[..100 + round].concat()).unwrap();
        // A large blob that compresses poorly, read in several pieces; one number changes
        // in each round.
        let round = u32::try_from(round).unwrap();
        let big: String = (0..30_000u32)
            .map(|n| {
                format!(
                    "{:x}",
                    n.wrapping_mul(2_654_435_761) ^ u32::from(n == round * 700)
                )
            })
            .collect();
        std::fs::write(d.join("big.txt"), big).unwrap();
        git(d, &["add", "."]);
        git(d, &["commit", "-qm", &format!("round {round}")]);
    }
    git(d, &[&["repack", "-adfq"], repack_args].concat());
    dir
}

/// Every blob of the pack as (place, id, whether it is stored as a delta), in pack order.
fn blobs(d: &Path) -> (Vec<PathBuf>, Vec<(Place, Oid, bool)>) {
    let indexes = indexes(&d.join(".git/objects"));
    assert_eq!(indexes.len(), 1);
    let listing = git(d, &["verify-pack", "-v", indexes[0].to_str().unwrap()]);
    let mut found: Vec<(Place, Oid, bool)> = listing
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.get(1) == Some(&"blob")).then(|| {
                let offset = f[4].parse().unwrap();
                (
                    Place { pack: 0, offset },
                    f[0].parse().unwrap(),
                    f.len() > 5,
                )
            })
        })
        .collect();
    found.sort();
    (indexes, found)
}

/// Reads every blob with `reader` and checks it against libgit2; returns how many were deltas.
fn same_as_libgit2(d: &Path, cache_bytes: usize) -> usize {
    let (indexes, found) = blobs(d);
    let repo = Repository::open(d).unwrap();
    let packs = Packs::open(&indexes);
    let mut reader = packs.reader(cache_bytes);
    for &(place, oid, _) in &found {
        let want = repo.find_blob(oid).unwrap().content().to_vec();
        assert_eq!(
            reader.blob(place, u64::MAX),
            Read::Blob(Arc::new(want)),
            "{oid}"
        );
    }
    found.iter().filter(|b| b.2).count()
}

#[test]
fn reads_every_blob_as_libgit2_does() {
    let dir = repository(&["--depth=50", "--window=50"]);
    let deltas = same_as_libgit2(dir.path(), 32 << 20);
    assert!(deltas > 60, "deltas by offset: {deltas}");
    // With no room for bases, every chain is walked down to its whole object.
    let deltas = same_as_libgit2(dir.path(), 0);
    assert!(deltas > 60);
}

#[test]
fn reads_deltas_that_name_their_base_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let source = repository(&[]);
    // A pack whose deltas name their bases by id (REF_DELTA): what pack.useDeltaBaseOffset
    // false writes.
    let d = dir.path();
    git(
        d,
        &[
            "clone",
            "-q",
            "--bare",
            source.path().to_str().unwrap(),
            ".",
        ],
    );
    git(
        d,
        &[
            "-c",
            "pack.useDeltaBaseOffset=false",
            "repack",
            "-adfq",
            "--depth=50",
        ],
    );
    let indexes = indexes(&d.join("objects"));
    let listing = git(d, &["verify-pack", "-v", indexes[0].to_str().unwrap()]);
    let repo = Repository::open(d).unwrap();
    let packs = Packs::open(&indexes);
    let mut reader = packs.reader(1 << 20);
    let mut deltas = 0;
    for line in listing.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.get(1) != Some(&"blob") {
            continue;
        }
        deltas += usize::from(f.len() > 5);
        let oid: Oid = f[0].parse().unwrap();
        let place = Place {
            pack: 0,
            offset: f[4].parse().unwrap(),
        };
        let want = repo.find_blob(oid).unwrap().content().to_vec();
        assert_eq!(reader.blob(place, u64::MAX), Read::Blob(Arc::new(want)));
    }
    assert!(deltas > 60, "deltas by id: {deltas}");
}

#[test]
fn a_blob_over_the_limit_is_only_measured() {
    let dir = repository(&["--depth=50"]);
    let (indexes, found) = blobs(dir.path());
    let repo = Repository::open(dir.path()).unwrap();
    let packs = Packs::open(&indexes);
    let mut reader = packs.reader(32 << 20);
    for (whole_or_delta, _) in [(false, ()), (true, ())] {
        let &(place, oid, _) = found.iter().find(|b| b.2 == whole_or_delta).unwrap();
        let size = repo.find_blob(oid).unwrap().size() as u64;
        assert_eq!(reader.blob(place, size - 1), Read::TooLarge(size));
        assert!(matches!(reader.blob(place, size), Read::Blob(b) if b.len() as u64 == size));
        // Now from the cache.
        assert_eq!(reader.blob(place, size - 1), Read::TooLarge(size));
    }
}

#[test]
fn what_is_not_a_blob_in_a_pack_is_left_to_libgit2() {
    let dir = repository(&[]);
    let d = dir.path();
    let (indexes, _) = blobs(d);
    let listing = git(d, &["verify-pack", "-v", indexes[0].to_str().unwrap()]);
    let tree_at: u64 = listing
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some("tree"))
        .and_then(|l| l.split_whitespace().nth(4))
        .unwrap()
        .parse()
        .unwrap();
    let packs = Packs::open(&indexes);
    let mut reader = packs.reader(1 << 20);
    let at = |pack, offset| Place { pack, offset };
    assert_eq!(reader.blob(at(0, tree_at), u64::MAX), Read::Unknown);
    // No such pack, an offset inside an entry, and past the pack's end.
    assert_eq!(reader.blob(at(1, 12), u64::MAX), Read::Unknown);
    assert_eq!(reader.blob(at(0, tree_at + 1), u64::MAX), Read::Unknown);
    assert_eq!(reader.blob(at(0, 1 << 40), u64::MAX), Read::Unknown);
    // A file that is not a pack index, and an index whose pack is gone.
    let bogus = d.join("bogus.idx");
    std::fs::write(&bogus, b"not an index").unwrap();
    let packs = Packs::open(&[bogus, d.join("gone.idx")]);
    let mut reader = packs.reader(1 << 20);
    assert_eq!(reader.blob(at(0, 12), u64::MAX), Read::Unknown);
    assert_eq!(reader.blob(at(1, 12), u64::MAX), Read::Unknown);
    // Ids are found in the index, and an id it does not list is not.
    let index = index::Index::open(&indexes[0]).unwrap();
    let (_, found) = blobs(d);
    for &(place, oid, _) in &found {
        assert_eq!(index.offset(&oid), Some(place.offset));
    }
    assert_eq!(index.offset(&Oid::from_bytes(&[0xab; 20]).unwrap()), None);
}

/// Every byte of a pack's blob entries damaged in turn: the reader gives libgit2's bytes
/// for the original or declines; it never panics and never returns other bytes.
#[test]
fn damaged_entries_are_declined_never_misread() {
    let dir = repository(&["--depth=50"]);
    let d = dir.path();
    let (indexes, found) = blobs(d);
    let repo = Repository::open(d).unwrap();
    let want: Vec<Vec<u8>> = found
        .iter()
        .map(|b| repo.find_blob(b.1).unwrap().content().to_vec())
        .collect();
    let pack_path = indexes[0].with_extension("pack");
    let original = std::fs::read(&pack_path).unwrap();
    let copy = tempfile::tempdir().unwrap();
    let idx = copy.path().join("p.idx");
    std::fs::copy(&indexes[0], &idx).unwrap();
    let mut declined = 0;
    // The first 24 bytes of a few entries (header, base offset, zlib header and data), each
    // read with the ten blobs after it, which may build on it.
    for (n, &(place, _, _)) in found.iter().enumerate().step_by(9) {
        for at in place.offset..place.offset + 24 {
            let mut damaged = original.clone();
            damaged[at as usize] ^= 0x5a;
            std::fs::write(copy.path().join("p.pack"), &damaged).unwrap();
            let packs = Packs::open(std::slice::from_ref(&idx));
            let mut reader = packs.reader(1 << 20);
            for (b, bytes) in found.iter().zip(&want).skip(n).take(10) {
                match reader.blob(b.0, u64::MAX) {
                    Read::Blob(got) => assert_eq!(got.as_slice(), bytes, "byte {at} damaged"),
                    Read::Unknown => declined += 1,
                    Read::TooLarge(_) => panic!("no limit was set"),
                }
            }
        }
    }
    assert!(declined > 0);
}

/// Trees come out as libgit2 reads them, chains of deltas included; a blob's id asked for as
/// a tree, and an id no pack has, are left to libgit2.
#[test]
fn reads_trees_and_declines_other_types() {
    let dir = repository(&["--depth=50"]);
    let d = dir.path();
    let (indexes, found) = blobs(d);
    let repo = Repository::open(d).unwrap();
    let packs = Packs::open(&indexes);
    let mut reader = packs.reader(1 << 20);
    let mut walk = repo.revwalk().unwrap();
    walk.push_head().unwrap();
    let mut trees = 0;
    for commit in walk {
        let tree = repo.find_commit(commit.unwrap()).unwrap().tree().unwrap();
        let raw = repo.odb().unwrap().read(tree.id()).unwrap().data().to_vec();
        assert_eq!(reader.tree(&tree.id()).as_deref(), Some(&raw));
        trees += 1;
    }
    assert_eq!(trees, 40);
    assert_eq!(reader.tree(&found[0].1), None, "a blob is not a tree");
    assert_eq!(reader.tree(&Oid::from_bytes(&[0xab; 20]).unwrap()), None);
    // A blob read first and cached is still not a tree.
    assert!(matches!(reader.blob(found[1].0, u64::MAX), Read::Blob(_)));
    assert_eq!(reader.tree(&found[1].1), None);
}
