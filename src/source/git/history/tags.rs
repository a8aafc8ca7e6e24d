//! What refs lead to besides commits: annotated tag objects, whose text is scanned like a
//! commit's, and blobs or trees a ref points at (directly or through tags, `git tag name
//! <blob>`), which no commit reaches but `git push --tags` publishes.
//!
//! Owns where the walk starts ([`tips`]: every ref and HEAD, or the `--ref` revisions),
//! peeling a ref through its tag objects, the tag objects' texts ([`texts`]), and listing the
//! blobs of a tagged tree (each entry once, by path). Knows nothing about keys; problems are
//! `Warning`s.

use std::collections::HashSet;

use git2::{ObjectType, Oid, Repository};

use super::raw_tree::{EntryKind, RawTree};
use super::{Selection, Text, TextFilter, not_found};
use crate::error::{Error, Warning};

/// Where the walk starts, and what the refs lead to besides commits.
#[derive(Default)]
pub struct Tips {
    /// Sorted and deduplicated, so the walk is the same on every run.
    pub commits: Vec<Oid>,
    /// Annotated tag objects on the way, and the commit each ends at (none for a blob or
    /// tree); sorted, deduplicated.
    tags: Vec<(Oid, Option<Oid>)>,
    /// Blobs and trees a ref (or `--ref`) leads to, by the name it was reached by.
    pub targets: Vec<(String, End)>,
}

impl Tips {
    fn add(&mut self, name: String, peeled: Peeled) {
        let end_commit = match peeled.end {
            End::Commit(oid) => {
                self.commits.push(oid);
                Some(oid)
            }
            end => {
                self.targets.push((name, end));
                None
            }
        };
        self.tags
            .extend(peeled.tags.into_iter().map(|tag| (tag, end_commit)));
    }
}

/// The commits to walk from, and the tags and non-commit targets on the way.
pub fn tips(
    repo: &Repository,
    selection: &Selection,
    warnings: &mut Vec<Warning>,
) -> Result<Tips, Error> {
    let mut tips = Tips::default();
    if selection.tips.is_empty() {
        let refs = repo.references().map_err(|source| Error::Git {
            context: "cannot list references".into(),
            source,
        })?;
        for reference in refs {
            let reference = match reference {
                Ok(r) => r,
                Err(e) => {
                    warnings.push(Warning::new("references", e.message().to_string()));
                    continue;
                }
            };
            let name = String::from_utf8_lossy(reference.name_bytes()).into_owned();
            // Most refs are direct; resolving looks a reference up again.
            let target = reference
                .target()
                .or_else(|| reference.resolve().ok()?.target());
            let Some(target) = target else {
                warnings.push(Warning::new(name, "skipped: does not resolve to an object"));
                continue;
            };
            let short = String::from_utf8_lossy(reference.shorthand_bytes()).into_owned();
            match peel(repo, target, &name) {
                Ok(peeled) => tips.add(short, peeled),
                Err(w) => warnings.push(w),
            }
        }
        // HEAD, detached or not; unborn in a repository without commits.
        if let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) {
            tips.commits.push(head.id());
        }
    } else {
        for tip in &selection.tips {
            let object = repo
                .revparse_single(tip)
                .map_err(not_found(tip, selection.tip_flag()))?;
            let peeled = peel(repo, object.id(), tip).map_err(|w| Error::Git {
                context: format!("{} {tip}", selection.tip_flag()),
                source: git2::Error::from_str(&w.message),
            })?;
            tips.add(tip.clone(), peeled);
        }
    }
    tips.commits.sort();
    tips.commits.dedup();
    tips.tags.sort();
    tips.tags.dedup();
    tips.targets.sort();
    tips.targets.dedup();
    Ok(tips)
}

/// The texts of the tag objects the refs lead through, by name, each once; not those that end
/// at a commit the walk left out (`--since`).
pub fn texts(
    repo: &Repository,
    tips: &Tips,
    walked: &[Oid],
    filter: &TextFilter<'_>,
    warnings: &mut Vec<Warning>,
) -> Vec<Text> {
    if tips.tags.is_empty() {
        return Vec::new();
    }
    let walked: HashSet<Oid> = walked.iter().copied().collect();
    let mut out = Vec::new();
    for &(tag, end) in &tips.tags {
        if end.is_some_and(|commit| !walked.contains(&commit)) {
            continue;
        }
        let (name, bytes) = match text(repo, tag) {
            Ok(t) => t,
            Err(w) => {
                warnings.push(w);
                continue;
            }
        };
        let path = format!("<tag {name}>");
        if filter.fits(&path, bytes.len(), warnings) && (filter.keep)(&bytes) {
            out.push(Text {
                path,
                commit: None,
                bytes,
            });
        }
    }
    out.sort_by(|a, b| (&a.path, &a.bytes).cmp(&(&b.path, &b.bytes)));
    out
}

/// Where a ref ends after its tag objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum End {
    Commit(Oid),
    Blob(Oid),
    Tree(Oid),
}

/// A ref (or a `--ref` revision) followed to its end.
#[derive(Debug)]
pub struct Peeled {
    /// The annotated tag objects on the way, outermost first.
    pub tags: Vec<Oid>,
    pub end: End,
}

/// Tag chains longer than this are a loop or an attack, not a repository.
const MAX_TAG_DEPTH: usize = 64;

/// Follows `oid` through tag objects to a commit, tree or blob. `subject` names the ref in
/// warnings; a warning when it cannot (an unreadable object, a chain too long).
pub fn peel(repo: &Repository, mut oid: Oid, subject: &str) -> Result<Peeled, Warning> {
    let mut tags = Vec::new();
    loop {
        let object = repo.find_object(oid, None).map_err(|e| {
            Warning::new(
                subject,
                format!(
                    "skipped: object {oid} is missing or corrupt ({})",
                    e.message()
                ),
            )
        })?;
        let end = match object.kind() {
            Some(ObjectType::Commit) => End::Commit(oid),
            Some(ObjectType::Blob) => End::Blob(oid),
            Some(ObjectType::Tree) => End::Tree(oid),
            Some(ObjectType::Tag) if tags.len() < MAX_TAG_DEPTH => {
                let tag = object.as_tag().expect("a tag object");
                tags.push(oid);
                oid = tag.target_id();
                continue;
            }
            _ => {
                return Err(Warning::new(
                    subject,
                    format!("skipped: object {oid} leads nowhere a scan can follow"),
                ));
            }
        };
        return Ok(Peeled { tags, end });
    }
}

/// A tag object's text, as `git cat-file tag` prints it, and its name (the `tag` header).
pub fn text(repo: &Repository, oid: Oid) -> Result<(String, Vec<u8>), Warning> {
    let subject = || format!("tag {oid}");
    let odb = repo
        .odb()
        .map_err(|e| Warning::new(subject(), e.message().to_string()))?;
    let object = odb
        .read(oid)
        .map_err(|e| Warning::new(subject(), format!("missing or corrupt: {}", e.message())))?;
    let bytes = object.data().to_vec();
    let header = bytes.split(|&b| b == b'\n').take_while(|l| !l.is_empty());
    let name = header
        .filter_map(|line| line.strip_prefix(b"tag "))
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .next()
        .unwrap_or_else(|| oid.to_string());
    Ok((name, bytes))
}

/// Every blob in tree `oid` and its subtrees, with its path (`dir/file`), in tree order.
/// Submodules are not entered; an unreadable subtree is a warning and the rest goes on. A
/// subtree met again (the same id at another path) is not walked again: its blobs keep their
/// first path, so a tree that repeats one subtree at every level cannot multiply the work.
pub fn blobs(repo: &Repository, oid: Oid, subject: &str) -> (Vec<(Oid, Vec<u8>)>, Vec<Warning>) {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let odb = match repo.odb() {
        Ok(odb) => odb,
        Err(e) => return (out, vec![Warning::new(subject, e.message().to_string())]),
    };
    let mut seen = HashSet::new();
    let mut stack = vec![(oid, Vec::new())];
    while let Some((tree_id, prefix)) = stack.pop() {
        if !seen.insert(tree_id) {
            continue;
        }
        let tree = match RawTree::read(&odb, tree_id) {
            Ok(t) => t,
            Err(e) => {
                warnings.push(Warning::new(
                    format!("tree {tree_id} ({subject})"),
                    e.to_string(),
                ));
                continue;
            }
        };
        let mut subtrees = Vec::new();
        for entry in tree.entries() {
            let Ok(entry) = entry else {
                let message = "corrupt tree: entries after a malformed one were not read";
                warnings.push(Warning::new(format!("tree {tree_id} ({subject})"), message));
                break;
            };
            let mut path = prefix.clone();
            path.extend_from_slice(entry.name);
            match entry.kind {
                EntryKind::Blob => out.push((entry.oid(), path)),
                EntryKind::Tree => {
                    path.push(b'/');
                    subtrees.push((entry.oid(), path));
                }
                EntryKind::Gitlink | EntryKind::Other => {}
            }
        }
        // Popped in tree order.
        stack.extend(subtrees.into_iter().rev());
    }
    (out, warnings)
}
