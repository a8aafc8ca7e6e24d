//! One commit against its parents: which blobs it introduced, and which the first parent had
//! that it no longer has (for move and rename attribution).
//!
//! The commit's tree and its first parent's are merged in one pass in git's tree order,
//! descending only into subtrees whose ids differ; other parents (merges) are asked by name.
//! Trees are read raw (from the packs by the worker's `pack::Reader`, which keeps the trees it
//! resolved for the deltas that follow; libgit2 reads what it declines) and walked in place
//! ([`raw_tree`](super::raw_tree)), entries alike on
//! both sides are stepped over by comparing bytes, and a worker keeps the trees of its last
//! two commits ([`Recent`]). Together these took a history scan from 909 M to 600 M
//! instructions (callgrind, `-j1`, the 2,010-commit bench repository); 61% of what is left is
//! zlib inflating trees and blobs. Submodules (gitlinks) are not entered.
//! The commit's own text (headers and message) is taken here too, while the commit is in
//! hand, when the [`TextFilter`] keeps it: no second pass over the commits.
//! Runs on a worker with its own repository handle; problems are `Warning`s in the result,
//! never printed.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use git2::{Odb, Oid, Repository};

use super::raw_tree::{Entry, EntryKind, RawTree, common_entries, first_entry, tree_order};
use super::{FastHash, TextFilter};
use crate::error::Warning;
use crate::source::git::pack::Reader;

/// What one commit's diff against its parents found.
#[derive(Debug, Default)]
pub struct CommitDiff {
    /// Blobs at paths where no parent has them.
    pub added: Vec<(Oid, Vec<u8>)>,
    /// Blobs the first parent had at a path where this commit has something else or nothing.
    pub removed: Vec<(Oid, Vec<u8>)>,
    /// The commit's text, as `git cat-file commit` prints it, named `<commit ID>`, when the
    /// filter kept it.
    pub text: Option<(String, Vec<u8>)>,
    pub warnings: Vec<Warning>,
}

impl CommitDiff {
    pub fn failed(oid: Oid, e: &git2::Error) -> CommitDiff {
        CommitDiff {
            warnings: vec![Warning::new(
                format!("commit {oid}"),
                format!("cannot open the repository: {}", e.message()),
            )],
            ..CommitDiff::default()
        }
    }

    fn warn(&mut self, subject: String, message: String) {
        self.warnings.push(Warning::new(subject, message));
    }
}

/// The trees and commits one worker read for its last two commits. A commit's parent is most
/// often the commit the same worker diffed just before (walk order, contiguous runs per
/// worker), so the parent's tree and its unchanged-but-descended subtrees are taken from here
/// instead of being inflated again. Two generations bound it to what two commits touched: a
/// larger, byte-bounded cache saved no measurable time on git/git and added to peak memory.
#[derive(Default)]
pub struct Recent {
    trees: [OidMap<Arc<RawTree>>; 2],
    commit_trees: [OidMap<Oid>; 2],
}

type OidMap<V> = HashMap<Oid, V, FastHash>;

impl Recent {
    fn next_commit(&mut self) {
        self.trees.swap(0, 1);
        self.trees[0].clear();
        self.commit_trees.swap(0, 1);
        self.commit_trees[0].clear();
    }
}

/// Diffs commit `oid` against all its parents. In a shallow clone a missing parent is the
/// boundary (the repository-level warning covers it); elsewhere it is a warning.
pub fn commit(
    repo: &Repository,
    recent: &mut Recent,
    reader: &mut Reader<'_>,
    oid: Oid,
    shallow: bool,
    texts: &TextFilter<'_>,
) -> CommitDiff {
    recent.next_commit();
    let mut out = CommitDiff::default();
    let odb = match repo.odb() {
        Ok(odb) => odb,
        Err(e) => {
            let message = format!("cannot open the object database: {}", e.message());
            out.warn(format!("commit {oid}"), message);
            return out;
        }
    };
    let mut d = Differ {
        odb,
        out,
        recent,
        reader,
    };
    let commit = match repo.find_commit(oid) {
        Ok(c) => c,
        Err(e) => {
            d.out.warn(
                format!("commit {oid}"),
                format!("missing or corrupt: {}", e.message()),
            );
            return d.out;
        }
    };
    d.out.text = text(&commit, texts, &mut d.out.warnings);
    d.recent.commit_trees[0].insert(oid, commit.tree_id());
    let Some(tree) = d.tree(commit.tree_id(), &format!("commit {oid}")) else {
        return d.out;
    };
    let mut parents = Vec::new();
    for parent_id in commit.parent_ids() {
        if let Some(&tree_id) = d.recent.commit_trees[1].get(&parent_id) {
            parents.push(d.tree(tree_id, &format!("parent of {oid}")));
            continue;
        }
        match repo.find_commit(parent_id) {
            Ok(p) => parents.push(d.tree(p.tree_id(), &format!("parent of {oid}"))),
            Err(_) if shallow => parents.push(None),
            Err(e) => {
                let message = format!("missing or corrupt parent of {oid}: {}", e.message());
                d.out.warn(format!("commit {parent_id}"), message);
                parents.push(None);
            }
        }
    }
    let (first, others) = match parents.split_first() {
        Some((first, others)) => (first.as_deref(), others),
        None => (None, &[][..]),
    };
    d.dir(&mut Vec::new(), &tree, first, others);
    d.out
}

/// The commit's text when `filter` keeps it: its header lines, a blank line, its message.
fn text(
    commit: &git2::Commit<'_>,
    filter: &TextFilter<'_>,
    warnings: &mut Vec<Warning>,
) -> Option<(String, Vec<u8>)> {
    let header = commit.raw_header_bytes();
    let message = commit.message_raw_bytes();
    let path = format!("<commit {}>", commit.id());
    if !filter.fits(&path, header.len() + 1 + message.len(), warnings) {
        return None;
    }
    let bytes = [header, b"\n", message].concat();
    (filter.keep)(&bytes).then_some((path, bytes))
}

struct Differ<'r, 'p> {
    odb: Odb<'r>,
    out: CommitDiff,
    recent: &'r mut Recent,
    /// Trees come from the packs through it; what it cannot read, from libgit2 (`odb`).
    reader: &'r mut Reader<'p>,
}

/// The other parents' entries of one directory (merges only).
type Others<'t> = Vec<Option<ByName<'t>>>;

/// A directory's entries sorted by name, to look up by name: what a map from name to entry
/// would give (the last of duplicate names, whatever the stored order), without hashing every
/// name of every directory a merge touches.
struct ByName<'t>(Vec<Entry<'t>>);

impl<'t> ByName<'t> {
    fn new(tree: &'t RawTree) -> ByName<'t> {
        let mut entries: Vec<Entry<'t>> = tree.entries().map_while(Result::ok).collect();
        // Stable: of equal names the last stays last. Stored (tree) order is this one but
        // for a directory sorting as if its name ended in `/`: mostly nothing to do.
        if !entries.is_sorted_by(|a, b| a.name <= b.name) {
            entries.sort_by(|a, b| a.name.cmp(b.name));
        }
        ByName(entries)
    }

    fn get(&self, name: &[u8]) -> Option<Entry<'t>> {
        let after = self.0.partition_point(|e| e.name <= name);
        let last = self.0[..after].last()?;
        (last.name == name).then_some(*last)
    }
}

impl Differ<'_, '_> {
    fn tree(&mut self, oid: Oid, what: &str) -> Option<Arc<RawTree>> {
        if let Some(t) = self.recent.trees[0].get(&oid) {
            return Some(Arc::clone(t));
        }
        let read = match self.recent.trees[1].get(&oid) {
            Some(t) => Ok(Arc::clone(t)),
            None => match self.reader.tree(&oid) {
                Some(bytes) => Ok(Arc::new(RawTree::from_pack(bytes))),
                None => RawTree::read(&self.odb, oid).map(Arc::new),
            },
        };
        match read {
            Ok(t) => {
                self.recent.trees[0].insert(oid, Arc::clone(&t));
                Some(t)
            }
            Err(e) => {
                self.out.warn(format!("tree {oid} ({what})"), e.to_string());
                None
            }
        }
    }

    fn corrupt(&mut self, prefix: &[u8]) {
        let what = String::from_utf8_lossy(prefix);
        let dir = if what.is_empty() { "/" } else { &what };
        let message = "corrupt tree: entries after a malformed one were not read".to_string();
        self.out.warn(format!("directory {dir}"), message);
    }

    /// Compares directory `new` with the first parent's (`None`: absent there) and the other
    /// parents' at the same path.
    fn dir(
        &mut self,
        prefix: &mut Vec<u8>,
        new: &RawTree,
        first: Option<&RawTree>,
        others: &[Option<Arc<RawTree>>],
    ) {
        let others: Others<'_> = others
            .iter()
            .map(|t| t.as_deref().map(ByName::new))
            .collect();
        let mut new_rest = new.bytes();
        let mut old_rest = first.map_or(&[][..], |t| t.bytes());
        loop {
            // Entries alike on both sides changed nothing: step over them, and stop as soon as
            // what is left is alike too.
            let same = common_entries(new_rest, old_rest);
            new_rest = &new_rest[same..];
            old_rest = &old_rest[same..];
            if new_rest == old_rest {
                break;
            }
            let (n, o) = match (first_entry(new_rest), first_entry(old_rest)) {
                (Some(Err(())), _) | (_, Some(Err(()))) => {
                    self.corrupt(prefix);
                    break;
                }
                (n, o) => (n.map(Result::unwrap), o.map(Result::unwrap)),
            };
            let order = match (n, o) {
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some((n, _)), Some((o, _))) => tree_order(&n, &o),
                (None, None) => unreachable!("both sides empty are alike"),
            };
            match order {
                Ordering::Less => {
                    let (n, used) = n.expect("less");
                    new_rest = &new_rest[used..];
                    self.changed(prefix, n, None, &others);
                }
                Ordering::Greater => {
                    let (o, used) = o.expect("greater");
                    old_rest = &old_rest[used..];
                    self.removed(prefix, o);
                }
                Ordering::Equal => {
                    let ((n, n_used), (o, o_used)) = (n.expect("equal"), o.expect("equal"));
                    new_rest = &new_rest[n_used..];
                    old_rest = &old_rest[o_used..];
                    if n.id != o.id {
                        if o.kind == EntryKind::Blob {
                            self.removed(prefix, o);
                        }
                        self.changed(prefix, n, Some(o), &others);
                    }
                }
            }
        }
    }

    /// `entry` differs from the first parent's `old` at the same name (or it has none).
    fn changed(
        &mut self,
        prefix: &mut Vec<u8>,
        entry: Entry<'_>,
        old: Option<Entry<'_>>,
        others: &Others<'_>,
    ) {
        let in_others: Vec<Option<Entry<'_>>> = others
            .iter()
            .map(|p| p.as_ref().and_then(|t| t.get(entry.name)))
            .collect();
        if in_others.iter().flatten().any(|e| e.id == entry.id) {
            return;
        }
        let base = prefix.len();
        prefix.extend_from_slice(entry.name);
        match entry.kind {
            EntryKind::Blob => self.out.added.push((entry.oid(), prefix.clone())),
            EntryKind::Tree => {
                let what = String::from_utf8_lossy(prefix).into_owned();
                if let Some(sub) = self.tree(entry.oid(), &what) {
                    let subtree = |d: &mut Self, e: Option<Entry<'_>>| match e {
                        Some(e) if e.kind == EntryKind::Tree => d.tree(e.oid(), &what),
                        _ => None,
                    };
                    let first = subtree(self, old);
                    let others: Vec<Option<Arc<RawTree>>> =
                        in_others.iter().map(|e| subtree(self, *e)).collect();
                    prefix.push(b'/');
                    self.dir(prefix, &sub, first.as_deref(), &others);
                }
            }
            // Gitlinks (submodules) are not entered.
            EntryKind::Gitlink | EntryKind::Other => {}
        }
        prefix.truncate(base);
    }

    /// The first parent had `entry` here; this commit does not (or has something else).
    fn removed(&mut self, prefix: &mut Vec<u8>, entry: Entry<'_>) {
        let base = prefix.len();
        prefix.extend_from_slice(entry.name);
        match entry.kind {
            EntryKind::Blob => self.out.removed.push((entry.oid(), prefix.clone())),
            EntryKind::Tree => {
                let what = String::from_utf8_lossy(prefix).into_owned();
                if let Some(sub) = self.tree(entry.oid(), &what) {
                    prefix.push(b'/');
                    for e in sub.entries() {
                        match e {
                            Ok(e) => self.removed(prefix, e),
                            Err(()) => {
                                self.corrupt(prefix);
                                break;
                            }
                        }
                    }
                }
            }
            EntryKind::Gitlink | EntryKind::Other => {}
        }
        prefix.truncate(base);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blob entries `(name, id byte)`, in the order given.
    fn tree(entries: &[(&str, u8)]) -> RawTree {
        let mut bytes = Vec::new();
        for (name, id) in entries {
            bytes.extend_from_slice(format!("100644 {name}\0").as_bytes());
            bytes.extend_from_slice(&[*id; 20]);
        }
        RawTree::from_bytes(bytes)
    }

    #[test]
    fn by_name_finds_what_a_map_would_whatever_the_order() {
        let sorted = tree(&[("a", 1), ("b", 2), ("c", 3)]);
        let by_name = ByName::new(&sorted);
        assert_eq!(by_name.get(b"b").map(|e| e.id[0]), Some(2));
        assert_eq!(by_name.get(b"a").map(|e| e.id[0]), Some(1));
        assert_eq!(by_name.get(b"bb"), None);
        assert_eq!(by_name.get(b"0"), None);
        assert_eq!(by_name.get(b"d"), None);
        // Out of order and with a duplicate name (a malformed tree): the last one wins.
        let unsorted = tree(&[("c", 3), ("a", 1), ("c", 4), ("b", 2)]);
        let by_name = ByName::new(&unsorted);
        assert_eq!(by_name.get(b"c").map(|e| e.id[0]), Some(4));
        assert_eq!(by_name.get(b"a").map(|e| e.id[0]), Some(1));
        assert_eq!(by_name.get(b"b").map(|e| e.id[0]), Some(2));
    }
}
