//! The base of a range (`--since REV`, the `BASE` of `--range BASE..HEAD`): which commits the
//! walk leaves out.
//!
//! Owns three rules, documented in docs/git.md; reads refs and commits, never trees or blobs:
//! - A base the repository has: the walk hides what it reaches.
//! - An all-zero base (40 or 64 zeros: what CI passes as the previous commit of a new branch
//!   or tag, a scheduled or a manual run) means *no base*: the walk hides what every *other*
//!   remote-tracking branch reaches, so it covers what the tips add over them, or their whole
//!   history when there is no other. Not other: a symbolic ref (`origin/HEAD` names another
//!   one), a ref whose tip is a tip (CI fetches the pushed branch itself), and a tip's own
//!   branch's (`refs/remotes/*/NAME` when the tip is branch NAME, or HEAD on it, and its
//!   configured upstream). A note says which it did.
//! - A base the repository does not have: a fatal error naming the flag, why that happens in
//!   CI (a shallow clone, a force-push) and how to fetch it.

use std::collections::BTreeSet;

use git2::{ErrorCode, Oid, Reference, Repository};

use super::{Selection, not_found};
use crate::error::Error;

/// What the walk hides, and the note that says why when it was not simply the base.
#[derive(Debug, Default)]
pub struct Hidden {
    pub commits: Vec<Oid>,
    pub note: Option<String>,
}

/// Other remote-tracking branches named in the note; the rest are counted.
const NAMED_IN_NOTE: usize = 5;

/// The commits to hide for `selection`'s base; `tips` are the commits the walk starts from.
pub fn hidden(repo: &Repository, selection: &Selection, tips: &[Oid]) -> Result<Hidden, Error> {
    let Some(base) = &selection.since else {
        return Ok(Hidden::default());
    };
    if !is_null(base) {
        let commit = resolve(repo, base, selection.base_flag())?;
        return Ok(Hidden {
            commits: vec![commit],
            note: None,
        });
    }
    let others = other_remote_branches(repo, selection, tips)?;
    let head = selection.tips.join(", ");
    let what = if others.is_empty() {
        format!("no other remote-tracking branch: scanning {head}'s whole history")
    } else {
        let mut names: Vec<&str> = others.iter().map(|(n, _)| n.as_str()).collect();
        let more = names.len().saturating_sub(NAMED_IN_NOTE);
        names.truncate(NAMED_IN_NOTE);
        let mut over = names.join(", ");
        if more > 0 {
            over.push_str(&format!(" and {more} more"));
        }
        format!("scanning what {head} adds over {over}")
    };
    let mut commits: Vec<Oid> = others.into_iter().map(|(_, c)| c).collect();
    commits.sort();
    commits.dedup();
    Ok(Hidden {
        commits,
        note: Some(format!(
            "the base of {} is all zeros (a new branch, or a scheduled or manual run): {what}",
            selection.base_flag()
        )),
    })
}

/// 40 or 64 zeros: git's null object id, SHA-1 or SHA-256.
fn is_null(rev: &str) -> bool {
    matches!(rev.len(), 40 | 64) && rev.bytes().all(|b| b == b'0')
}

/// The base as a commit. One the repository does not have is a fatal error that says how
/// that happens in CI and how to fetch it.
fn resolve(repo: &Repository, rev: &str, flag: &'static str) -> Result<Oid, Error> {
    let object = repo.revparse_single(rev).map_err(|source| {
        if source.code() == ErrorCode::NotFound {
            missing(repo, rev, flag)
        } else {
            not_found(rev, flag)(source)
        }
    })?;
    object
        .peel_to_commit()
        .map(|c| c.id())
        .map_err(not_found(rev, flag))
}

/// The error for a base the repository does not have: in CI, the clone is shallow, or a
/// force-push removed the commit, or the branch named was not fetched.
fn missing(repo: &Repository, rev: &str, flag: &'static str) -> Error {
    let commit_id = (7..=64).contains(&rev.len()) && rev.bytes().all(|b| b.is_ascii_hexdigit());
    let why = if repo.is_shallow() {
        "this is a shallow clone (CI checks out only the last commits by default), so older \
         commits are not here. Fetch the whole history: `fetch-depth: 0` in actions/checkout, \
         `GIT_DEPTH: 0` in GitLab CI, or `git fetch --unshallow`"
            .to_string()
    } else if commit_id {
        format!(
            "a force-push may have removed it, or it was never fetched (a single-branch or \
             partial fetch). Fetch it (`git fetch origin {rev}`) or the whole history \
             (`fetch-depth: 0` in actions/checkout, `GIT_DEPTH: 0` in GitLab CI); when it is \
             gone, an all-zero base scans what HEAD adds over the other remote-tracking branches"
        )
    } else {
        "no branch, tag or commit here has that name; a branch of the remote must be fetched \
         (`git fetch origin`, or `fetch-depth: 0` in actions/checkout, `GIT_DEPTH: 0` in GitLab \
         CI)"
        .to_string()
    };
    Error::Usage {
        flag,
        message: format!("the base `{rev}` is not in this repository: {why}"),
    }
}

/// The remote-tracking branches the zero-base rule hides, by short name (`origin/main`) with
/// their tip commits, sorted by name.
fn other_remote_branches(
    repo: &Repository,
    selection: &Selection,
    tips: &[Oid],
) -> Result<Vec<(String, Oid)>, Error> {
    let remotes: Vec<String> = repo
        .remotes()
        .map(|r| r.iter().flatten().map(str::to_string).collect())
        .unwrap_or_default();
    let own = own_refs(repo, selection, &remotes);
    let refs = repo
        .references_glob("refs/remotes/*")
        .map_err(|source| Error::Git {
            context: "cannot list remote-tracking branches".into(),
            source,
        })?;
    let mut others = Vec::new();
    for reference in refs.flatten() {
        if reference.kind() != Some(git2::ReferenceType::Direct) {
            continue;
        }
        let Some(name) = reference.name().map(str::to_string) else {
            continue;
        };
        let Ok(commit) = reference.peel_to_commit() else {
            continue;
        };
        let branch = branch_of(&name, &remotes);
        if tips.contains(&commit.id()) || own.refs.contains(&name) || own.branches.contains(branch)
        {
            continue;
        }
        let short = name.strip_prefix("refs/remotes/").unwrap_or(&name);
        others.push((short.to_string(), commit.id()));
    }
    others.sort();
    Ok(others)
}

/// The tips' own branches: full names of remote-tracking refs, and branch names whose
/// remote-tracking refs (on any remote) are the tip's own.
#[derive(Default)]
struct Own {
    refs: BTreeSet<String>,
    branches: BTreeSet<String>,
}

fn own_refs(repo: &Repository, selection: &Selection, remotes: &[String]) -> Own {
    let mut own = Own::default();
    for tip in &selection.tips {
        let Ok(reference) = repo.resolve_reference_from_short_name(tip) else {
            continue;
        };
        // HEAD on a branch: the branch.
        let Ok(direct) = reference.resolve() else {
            continue;
        };
        let Some(name) = direct.name().map(str::to_string) else {
            continue;
        };
        if let Some(branch) = name.strip_prefix("refs/heads/") {
            own.branches.insert(branch.to_string());
            if let Some(upstream) = upstream(direct) {
                own.refs.insert(upstream);
            }
        } else if name.starts_with("refs/remotes/") {
            own.branches.insert(branch_of(&name, remotes).to_string());
            own.refs.insert(name);
        }
    }
    own
}

/// The full name of a local branch's configured upstream, if any.
fn upstream(branch: Reference<'_>) -> Option<String> {
    let upstream = git2::Branch::wrap(branch).upstream().ok()?;
    upstream.get().name().map(str::to_string)
}

/// `main` of `refs/remotes/origin/main`: after the longest configured remote name that fits,
/// else after the first `/` (a remote name may hold `/`).
fn branch_of<'a>(name: &'a str, remotes: &[String]) -> &'a str {
    let rest = name.strip_prefix("refs/remotes/").unwrap_or(name);
    let by_remote = remotes
        .iter()
        .filter_map(|r| rest.strip_prefix(r.as_str())?.strip_prefix('/'))
        .min_by_key(|b| b.len());
    by_remote
        .or_else(|| rest.split_once('/').map(|(_, b)| b))
        .unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::{branch_of, is_null};

    #[test]
    fn null_ids_are_40_or_64_zeros() {
        assert!(is_null(&"0".repeat(40)));
        assert!(is_null(&"0".repeat(64)));
        assert!(!is_null(&"0".repeat(39)));
        assert!(!is_null(&"0".repeat(41)));
        assert!(!is_null(&format!("{}1", "0".repeat(39))));
        assert!(!is_null("HEAD"));
    }

    #[test]
    fn branch_names_follow_the_remote_name() {
        let remotes = ["origin".to_string(), "team/fork".to_string()];
        assert_eq!(branch_of("refs/remotes/origin/main", &remotes), "main");
        assert_eq!(branch_of("refs/remotes/origin/feat/x", &remotes), "feat/x");
        assert_eq!(branch_of("refs/remotes/team/fork/dev", &remotes), "dev");
        assert_eq!(branch_of("refs/remotes/other/dev", &remotes), "dev");
    }
}
