//! One commit against its parents: which blobs it introduced, and which the first parent had
//! that it no longer has (for move and rename attribution).
//!
//! The commit's tree and its first parent's are merged in one pass in git's tree order,
//! descending only into subtrees whose ids differ; other parents (merges) are asked by name.
//! Submodules (gitlinks) are not entered. Runs on a worker with its own repository handle;
//! problems are `Warning`s in the result, never printed.

use std::cmp::Ordering;

use git2::{ObjectType, Oid, Repository, Tree, TreeEntry};

use crate::error::Warning;

/// What one commit's diff against its parents found.
#[derive(Debug, Default)]
pub struct CommitDiff {
    /// Blobs at paths where no parent has them.
    pub added: Vec<(Oid, Vec<u8>)>,
    /// Blobs the first parent had at a path where this commit has something else or nothing.
    pub removed: Vec<(Oid, Vec<u8>)>,
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

/// Diffs commit `oid` against all its parents. In a shallow clone a missing parent is the
/// boundary (the repository-level warning covers it); elsewhere it is a warning.
pub fn commit(repo: &Repository, oid: Oid, shallow: bool) -> CommitDiff {
    let mut d = Differ {
        repo,
        out: CommitDiff::default(),
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
    let Some(tree) = d.tree(commit.tree_id(), &format!("commit {oid}")) else {
        return d.out;
    };
    let mut parents = Vec::new();
    for parent_id in commit.parent_ids() {
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
        Some((first, others)) => (first.as_ref(), others),
        None => (None, &[][..]),
    };
    d.dir(&mut Vec::new(), &tree, first, others);
    d.out
}

struct Differ<'r> {
    repo: &'r Repository,
    out: CommitDiff,
}

/// Git's tree order: names compared as bytes, a directory as if its name ended in `/`.
fn tree_order(a: &TreeEntry<'_>, b: &TreeEntry<'_>) -> Ordering {
    let (x, y) = (a.name_bytes(), b.name_bytes());
    let n = x.len().min(y.len());
    x[..n].cmp(&y[..n]).then_with(|| {
        let end = |e: &TreeEntry<'_>, name: &[u8]| match name.get(n) {
            Some(&c) => c,
            None if e.kind() == Some(ObjectType::Tree) => b'/',
            None => 0,
        };
        end(a, x).cmp(&end(b, y))
    })
}

impl<'r> Differ<'r> {
    fn tree(&mut self, oid: Oid, what: &str) -> Option<Tree<'r>> {
        match self.repo.find_tree(oid) {
            Ok(t) => Some(t),
            Err(e) => {
                let message = format!("missing or corrupt: {}", e.message());
                self.out.warn(format!("tree {oid} ({what})"), message);
                None
            }
        }
    }

    /// Compares directory `new` with the first parent's (`None`: absent there) and the other
    /// parents' at the same path.
    fn dir(
        &mut self,
        prefix: &mut Vec<u8>,
        new: &Tree<'r>,
        first: Option<&Tree<'r>>,
        others: &[Option<Tree<'r>>],
    ) {
        let old: Vec<TreeEntry<'_>> = first.map(|t| t.iter().collect()).unwrap_or_default();
        let mut old = old.iter().peekable();
        let mut new_entries = new.iter().peekable();
        loop {
            let order = match (new_entries.peek(), old.peek()) {
                (None, None) => break,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(n), Some(o)) => tree_order(n, o),
            };
            match order {
                Ordering::Less => {
                    let n = new_entries.next().expect("peeked");
                    self.changed(prefix, &n, None, others);
                }
                Ordering::Greater => {
                    let o = old.next().expect("peeked");
                    self.removed(prefix, o);
                }
                Ordering::Equal => {
                    let n = new_entries.next().expect("peeked");
                    let o = old.next().expect("peeked");
                    if n.id() != o.id() {
                        if o.kind() == Some(ObjectType::Blob) {
                            self.removed(prefix, o);
                        }
                        self.changed(prefix, &n, Some(o), others);
                    }
                }
            }
        }
    }

    /// `entry` differs from the first parent's `old` at the same name (or it has none).
    fn changed(
        &mut self,
        prefix: &mut Vec<u8>,
        entry: &TreeEntry<'_>,
        old: Option<&TreeEntry<'_>>,
        others: &[Option<Tree<'r>>],
    ) {
        let name = entry.name_bytes();
        let in_others: Vec<Option<TreeEntry<'_>>> = others
            .iter()
            .map(|p| p.as_ref().and_then(|t| t.get_name_bytes(name)))
            .collect();
        if in_others.iter().flatten().any(|e| e.id() == entry.id()) {
            return;
        }
        let base = prefix.len();
        prefix.extend_from_slice(name);
        match entry.kind() {
            Some(ObjectType::Blob) => self.out.added.push((entry.id(), prefix.clone())),
            Some(ObjectType::Tree) => {
                let what = String::from_utf8_lossy(prefix).into_owned();
                if let Some(sub) = self.tree(entry.id(), &what) {
                    let subtree = |d: &mut Self, e: Option<&TreeEntry<'_>>| match e {
                        Some(e) if e.kind() == Some(ObjectType::Tree) => d.tree(e.id(), &what),
                        _ => None,
                    };
                    let first = subtree(self, old);
                    let others: Vec<Option<Tree<'r>>> = in_others
                        .iter()
                        .map(|e| subtree(self, e.as_ref()))
                        .collect();
                    prefix.push(b'/');
                    self.dir(prefix, &sub, first.as_ref(), &others);
                }
            }
            // Gitlinks (submodules) are not entered.
            _ => {}
        }
        prefix.truncate(base);
    }

    /// The first parent had `entry` here; this commit does not (or has something else).
    fn removed(&mut self, prefix: &mut Vec<u8>, entry: &TreeEntry<'_>) {
        let base = prefix.len();
        prefix.extend_from_slice(entry.name_bytes());
        match entry.kind() {
            Some(ObjectType::Blob) => self.out.removed.push((entry.id(), prefix.clone())),
            Some(ObjectType::Tree) => {
                let what = String::from_utf8_lossy(prefix).into_owned();
                if let Some(sub) = self.tree(entry.id(), &what) {
                    prefix.push(b'/');
                    for e in sub.iter() {
                        self.removed(prefix, &e);
                    }
                }
            }
            _ => {}
        }
        prefix.truncate(base);
    }
}
