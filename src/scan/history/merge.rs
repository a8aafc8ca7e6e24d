//! After the reading threads, on one thread: the same credential at the same path across
//! many versions of a file becomes one finding, attributed to the oldest commit that added it,
//! with `in_head` for HEAD's whole tree.

use std::collections::{BTreeMap, HashSet};

use git2::Repository;

use crate::error::Warning;
use crate::model::finding::Finding;
use crate::risk::history::note;
use crate::scan::Collector;
use crate::source::archive::{self, Limits};
use crate::source::git;
use crate::source::{Blob, Origin};

/// One finding per (kind, credential, path, pairing): the oldest introduction that is new
/// against its parents. `in_head` on input says whether that occurrence's blob is HEAD's at
/// that path; on output, whether HEAD's tree holds the credential anywhere.
pub(super) fn merge(
    repo: &Repository,
    findings: Vec<Finding>,
    collector: &Collector,
    archives: Option<&Limits>,
) -> Vec<Finding> {
    let in_head: HashSet<String> = findings
        .iter()
        .filter(|f| f.in_head == Some(true))
        .map(Finding::credential)
        .collect();
    let mut groups: BTreeMap<(String, bool, bool), Vec<Finding>> = BTreeMap::new();
    for f in findings {
        let key = (
            f.fingerprint.as_str().to_string(),
            f.secret.is_some(),
            f.session_token.is_some(),
        );
        groups.entry(key).or_default().push(f);
    }
    let head = git::repo::head_tree(repo);
    let mut out = Vec::new();
    for (_, mut group) in groups {
        group.sort_by_key(|f| (walk_index(f), f.location.line, f.location.column));
        let Some(winner) = group.iter().map(walk_index).find(|&at| {
            let first = group
                .iter()
                .find(|f| walk_index(f) == at)
                .expect("from the group");
            !held_by_parent(repo, first, collector, archives)
        }) else {
            continue;
        };
        for mut f in group.into_iter().filter(|f| walk_index(f) == winner) {
            let cred = f.credential();
            let still = in_head.contains(&cred)
                || head
                    .as_ref()
                    .is_some_and(|t| file_contains(repo, t, &f.location.path, &[&cred], archives));
            f.in_head = Some(still);
            f.advice.history = note(&f);
            out.push(f);
        }
    }
    out
}

fn walk_index(f: &Finding) -> u32 {
    f.commit.as_ref().map_or(u32::MAX, |c| c.walk_index)
}

/// True when a parent of the finding's commit already had every part of the credential (key
/// ID, secret, token) at the same path: the commit did not add it.
fn held_by_parent(
    repo: &Repository,
    f: &Finding,
    collector: &Collector,
    archives: Option<&Limits>,
) -> bool {
    let Some(info) = &f.commit else {
        return false;
    };
    let commit = match git2::Oid::from_str(&info.id).and_then(|id| repo.find_commit(id)) {
        Ok(c) => c,
        Err(e) => {
            collector.warn(Warning::new(
                format!("commit {}", info.id),
                e.message().to_string(),
            ));
            return false;
        }
    };
    let key = f.key_id.map(|k| k.to_string());
    let parts: Vec<&str> = [
        key.as_deref(),
        f.secret.as_ref().map(|s| s.expose()),
        f.session_token.as_ref().map(|t| t.expose()),
    ]
    .into_iter()
    .flatten()
    .collect();
    commit
        .parents()
        .filter_map(|p| p.tree().ok())
        .any(|t| file_contains(repo, &t, &f.location.path, &parts, archives))
}

/// The file at `path` in `tree` contains every one of `parts`. `path` may name an archive
/// member (`outer!member`, as the scan reports it): the outer blob is then opened as the scan
/// opened it.
fn file_contains(
    repo: &Repository,
    tree: &git2::Tree<'_>,
    path: &str,
    parts: &[&str],
    archives: Option<&Limits>,
) -> bool {
    let holds_all = |content: &[u8]| {
        !parts.is_empty()
            && parts
                .iter()
                .all(|p| memchr::memmem::find(content, p.as_bytes()).is_some())
    };
    if let Some(oid) = git::repo::blob_at(tree, path) {
        return repo.find_blob(oid).is_ok_and(|b| holds_all(b.content()));
    }
    let Some(limits) = archives else {
        return false;
    };
    // The outer file: the first prefix ending before a `!` that the tree holds as a blob.
    let Some((outer, oid)) = path
        .match_indices('!')
        .map(|(i, _)| &path[..i])
        .find_map(|p| git::repo::blob_at(tree, p).map(|oid| (p, oid)))
    else {
        return false;
    };
    let Ok(outer_blob) = repo.find_blob(oid) else {
        return false;
    };
    let blob = Blob {
        origin: Origin::file(outer),
        bytes: outer_blob.content().to_vec().into(),
    };
    let mut found = false;
    archive::expand(blob, limits, &mut |item| {
        if let Ok(member) = item {
            found |= member.origin.path == path && holds_all(&member.bytes);
        }
    });
    found
}
