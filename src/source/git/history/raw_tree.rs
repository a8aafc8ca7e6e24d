//! Git trees read as raw bytes and walked entry by entry, for the history diff.
//!
//! Owns the tree object format (`<octal mode> <name>\0<20-byte id>`, repeated) and nothing
//! else. libgit2's `Tree` parses every entry into an allocated array before the first is
//! looked at, and fails the whole tree on one bad entry; the diff compares two trees in one
//! merge pass and skips most entries by id, so it walks the bytes in place instead and keeps
//! the entries before a malformed one (the diff warns about the rest). It never panics.

use std::cmp::Ordering;
use std::sync::Arc;

use git2::{ObjectType, Odb, Oid};

use crate::source::git::repo::{CORRUPT_TYPE, without_panic};

/// What an entry's mode says it is, as git reads it (file-type bits only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file or a symlink: a blob.
    Blob,
    Tree,
    /// A submodule's commit (gitlink): not entered.
    Gitlink,
    /// A mode git does not write; treated like a gitlink (skipped).
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'t> {
    pub kind: EntryKind,
    pub name: &'t [u8],
    /// The raw object id: compared as bytes, made an [`Oid`] only when kept.
    pub id: &'t [u8; OID_LEN],
}

impl Entry<'_> {
    pub fn oid(&self) -> Oid {
        Oid::from_bytes(self.id).expect("20 bytes make an object id")
    }
}

const OID_LEN: usize = 20;

/// A tree object's bytes, checked to be a tree; shared with the pack reader's cache when it
/// read them.
pub struct RawTree(Arc<Vec<u8>>);

/// Why a tree could not be used.
#[derive(Debug)]
pub enum TreeError {
    Read(git2::Error),
    NotATree(ObjectType),
}

impl std::fmt::Display for TreeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TreeError::Read(e) => write!(f, "missing or corrupt: {}", e.message()),
            TreeError::NotATree(kind) => write!(f, "expected a tree, found a {kind}"),
        }
    }
}

impl RawTree {
    pub fn read(odb: &Odb<'_>, oid: Oid) -> Result<RawTree, TreeError> {
        let object = odb.read(oid).map_err(TreeError::Read)?;
        match without_panic(|| object.kind()) {
            Some(ObjectType::Tree) => Ok(RawTree(Arc::new(object.data().to_vec()))),
            Some(kind) => Err(TreeError::NotATree(kind)),
            None => Err(TreeError::Read(git2::Error::from_str(CORRUPT_TYPE))),
        }
    }

    /// A tree the pack reader read (`pack::Reader::tree`, which checked its type).
    pub fn from_pack(bytes: Arc<Vec<u8>>) -> RawTree {
        RawTree(bytes)
    }

    #[cfg(test)]
    pub fn from_bytes(bytes: Vec<u8>) -> RawTree {
        RawTree(Arc::new(bytes))
    }

    /// The entries in stored (git tree) order; `Err(())` ends the walk at a malformed entry.
    pub fn entries(&self) -> Entries<'_> {
        Entries { rest: &self.0 }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// The entry at the start of `bytes` and its length; `None` at the end, `Err(())` when it is
/// malformed.
pub fn first_entry(bytes: &[u8]) -> Option<Result<(Entry<'_>, usize), ()>> {
    (!bytes.is_empty()).then(|| parse(bytes).ok_or(()))
}

/// How many bytes of whole entries `a` and `b` share at their start: entries written byte for
/// byte alike have the same mode, name and id, so nothing changed there.
///
/// A commit changes a few entries of the directories it touches; comparing bytes eight at a
/// time and then stepping over entry boundaries up to the first difference costs a fraction
/// of parsing and ordering every entry on both sides.
pub fn common_entries(a: &[u8], b: &[u8]) -> usize {
    let len = a.len().min(b.len());
    let mut differ = a
        .chunks_exact(8)
        .zip(b.chunks_exact(8))
        .position(|(x, y)| x != y)
        .map_or(len - len % 8, |chunk| chunk * 8);
    while differ < len && a[differ] == b[differ] {
        differ += 1;
    }
    // Entry boundaries up to the first differing byte: the same on both sides, since the
    // bytes are. A name holds no NUL, so the first NUL ends it and the id's 20 bytes follow.
    let mut at = 0;
    while let Some(nul) = a[at..differ].iter().position(|&c| c == 0) {
        let end = at + nul + 1 + OID_LEN;
        if end > differ {
            break;
        }
        at = end;
    }
    at
}

pub struct Entries<'t> {
    rest: &'t [u8],
}

impl<'t> Iterator for Entries<'t> {
    type Item = Result<Entry<'t>, ()>;

    fn next(&mut self) -> Option<Self::Item> {
        let entry = first_entry(self.rest)?;
        // A malformed entry ends the walk.
        let used = entry.map_or(self.rest.len(), |(_, used)| used);
        self.rest = &self.rest[used..];
        Some(entry.map(|(e, _)| e))
    }
}

/// One entry at the start of `bytes`, and how many bytes it took. Hand-rolled rather than
/// `memchr`: modes are at most seven bytes and names a few dozen, too short for a vector
/// search to pay for its setup, and this runs for every entry of every tree the diff walks.
fn parse(bytes: &[u8]) -> Option<(Entry<'_>, usize)> {
    let mut mode = 0u32;
    let mut space = 0;
    loop {
        match *bytes.get(space)? {
            b' ' if space > 0 => break,
            d @ b'0'..=b'7' if space < 7 => mode = mode * 8 + u32::from(d - b'0'),
            _ => return None,
        }
        space += 1;
    }
    let name_start = space + 1;
    let name_len = bytes.get(name_start..)?.iter().position(|&b| b == 0)?;
    if name_len == 0 {
        return None;
    }
    let nul = name_start + name_len;
    let id_end = nul + 1 + OID_LEN;
    let id: &[u8; OID_LEN] = bytes.get(nul + 1..id_end)?.try_into().ok()?;
    let kind = match mode & 0o170000 {
        0o100000 | 0o120000 => EntryKind::Blob,
        0o040000 => EntryKind::Tree,
        0o160000 => EntryKind::Gitlink,
        _ => EntryKind::Other,
    };
    let name = &bytes[name_start..nul];
    Some((Entry { kind, name, id }, id_end))
}

/// Git's tree order: names compared as bytes, a directory as if its name ended in `/`.
pub fn tree_order(a: &Entry<'_>, b: &Entry<'_>) -> Ordering {
    let n = a.name.len().min(b.name.len());
    a.name[..n].cmp(&b.name[..n]).then_with(|| {
        let end = |e: &Entry<'_>| match e.name.get(n) {
            Some(&c) => c,
            None if e.kind == EntryKind::Tree => b'/',
            None => 0,
        };
        end(a).cmp(&end(b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tree of `(mode, name, id byte repeated 20 times)` entries.
    fn raw(entries: &[(&str, &str, u8)]) -> RawTree {
        let entries: Vec<(&str, String, [u8; OID_LEN])> = entries
            .iter()
            .map(|&(mode, name, id)| (mode, name.to_string(), [id; OID_LEN]))
            .collect();
        RawTree::from_bytes(write(&entries))
    }

    #[test]
    fn entries_parse_in_order_with_kinds() {
        let tree = raw(&[
            ("100644", "a.txt", 1),
            ("100755", "run.sh", 2),
            ("120000", "link", 3),
            ("40000", "src", 4),
            ("160000", "vendor", 5),
        ]);
        let got: Vec<(EntryKind, &[u8], u8)> = tree
            .entries()
            .map(|e| e.unwrap())
            .map(|e| (e.kind, e.name, e.id[0]))
            .collect();
        assert_eq!(
            got,
            vec![
                (EntryKind::Blob, &b"a.txt"[..], 1),
                (EntryKind::Blob, &b"run.sh"[..], 2),
                (EntryKind::Blob, &b"link"[..], 3),
                (EntryKind::Tree, &b"src"[..], 4),
                (EntryKind::Gitlink, &b"vendor"[..], 5),
            ]
        );
    }

    #[test]
    fn malformed_entries_end_the_walk_with_an_error() {
        let good = raw(&[("100644", "a", 1)]).0;
        let cases: Vec<Vec<u8>> = vec![
            [&good[..], b"100644 b\0short"].concat(),
            [&good[..], b"10x644 b\0"].concat(),
            [&good[..], b"100644 \0"].concat(),
            [&good[..], b"100644 no-nul"].concat(),
            [&good[..], b"nospace"].concat(),
        ];
        for bytes in cases {
            let tree = RawTree::from_bytes(bytes.clone());
            let got: Vec<_> = tree.entries().collect();
            assert_eq!(got.len(), 2, "{bytes:?}");
            assert!(got[0].is_ok() && got[1].is_err(), "{bytes:?}");
        }
    }

    #[test]
    fn common_entries_stop_at_the_entry_that_differs() {
        let left = raw(&[("100644", "a", 1), ("100644", "b", 2), ("40000", "c", 3)]).0;
        let same_two = raw(&[("100644", "a", 1), ("100644", "b", 2), ("40000", "c", 4)]).0;
        // "100644 a\0" and a 20-byte id.
        let entry = 9 + OID_LEN;
        assert_eq!(common_entries(&left, &same_two), 2 * entry);
        assert_eq!(common_entries(&left, &left), left.len());
        assert_eq!(common_entries(&left, &[]), 0);
        // A difference in the last byte of an id still leaves that entry out.
        let mut last_byte = left.to_vec();
        *last_byte.last_mut().unwrap() ^= 1;
        assert_eq!(common_entries(&left, &last_byte), 2 * entry);
        // One side longer: the shared entries are all of the shorter one.
        let one = raw(&[("100644", "a", 1)]).0;
        assert_eq!(common_entries(&left, &one), entry);
        // A NUL inside an id is no boundary: ids are skipped by length.
        let zero_id = raw(&[("100644", "a", 0), ("100644", "b", 0)]).0;
        let zero_id_b = raw(&[("100644", "a", 0), ("100644", "c", 0)]).0;
        assert_eq!(common_entries(&zero_id, &zero_id_b), entry);
    }

    #[test]
    fn tree_order_puts_a_directory_after_its_dotted_sibling() {
        let id = &[0; OID_LEN];
        let dir = Entry {
            kind: EntryKind::Tree,
            name: b"foo",
            id,
        };
        let dotted = Entry {
            kind: EntryKind::Blob,
            name: b"foo.c",
            id,
        };
        let file = Entry {
            kind: EntryKind::Blob,
            name: b"foo",
            id,
        };
        // "foo/" > "foo." because '/' (0x2f) > '.' (0x2e); a file "foo" sorts first.
        assert_eq!(tree_order(&dotted, &dir), Ordering::Less);
        assert_eq!(tree_order(&file, &dotted), Ordering::Less);
        assert_eq!(tree_order(&file, &dir), Ordering::Less);
    }

    fn write(entries: &[(&str, String, [u8; OID_LEN])]) -> Vec<u8> {
        let mut bytes = Vec::new();
        for (mode, name, id) in entries {
            bytes.extend_from_slice(mode.as_bytes());
            bytes.push(b' ');
            bytes.extend_from_slice(name.as_bytes());
            bytes.push(0);
            bytes.extend_from_slice(id);
        }
        bytes
    }

    fn entry_list()
    -> impl proptest::strategy::Strategy<Value = Vec<(&'static str, String, [u8; OID_LEN])>> {
        proptest::collection::vec(
            (
                proptest::sample::select(vec!["100644", "100755", "120000", "40000", "160000"]),
                "[^\\x00]{1,12}",
                // Few distinct ids, NUL among them, so lists often share entries.
                proptest::sample::select(vec![[0u8; OID_LEN], [1; OID_LEN], [0x30; OID_LEN]]),
            ),
            0..8,
        )
    }

    proptest::proptest! {
        /// `common_entries` is exactly the bytes of the leading entries the two lists share.
        #[test]
        fn common_entries_are_the_shared_leading_entries(
            shared in entry_list(),
            a in entry_list(),
            b in entry_list(),
        ) {
            let left = [shared.clone(), a.clone()].concat();
            let right = [shared, b].concat();
            let same = left.iter().zip(&right).take_while(|(x, y)| x == y).count();
            let want = write(&left[..same]).len();
            proptest::prop_assert_eq!(common_entries(&write(&left), &write(&right)), want);
        }

        /// Whatever the bytes, the walk ends without panicking; well-formed entries come back
        /// exactly as written.
        #[test]
        fn written_entries_come_back_and_junk_never_panics(
            entries in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["100644", "100755", "120000", "40000", "160000"]),
                    "[^\\x00]{1,40}",
                    proptest::array::uniform20(proptest::num::u8::ANY),
                ),
                0..20,
            ),
            junk in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
        ) {
            let mut bytes = write(&entries);
            let clean = RawTree::from_bytes(bytes.clone());
            let got: Vec<(&[u8], [u8; OID_LEN])> =
                clean.entries().map(|e| e.unwrap()).map(|e| (e.name, *e.id)).collect();
            let want: Vec<(&[u8], [u8; OID_LEN])> =
                entries.iter().map(|(_, n, id)| (n.as_bytes(), *id)).collect();
            proptest::prop_assert_eq!(got, want);
            bytes.extend_from_slice(&junk);
            let dirty = RawTree::from_bytes(bytes);
            let walked = dirty.entries().take_while(Result::is_ok).count();
            proptest::prop_assert!(walked >= entries.len());
        }
    }
}
