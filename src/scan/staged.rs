//! Staged scan driver (`--staged`): what the next commit would add.
//!
//! Reads each staged blob from the object database (not the working-tree file) on a pool of
//! workers with one repository handle each, and reports only credentials that HEAD's version
//! of the same file does not already hold: a pre-commit hook blocks new keys, not the edit of
//! a file with an old one (the history scan reports that). Workers never print. An archive
//! is compared member by member: its staged members against all of HEAD's.

use std::collections::HashSet;
use std::path::Path;

use git2::{Oid, Repository};
use rayon::prelude::*;

use super::{Collector, classify_all, scan_blob};
use crate::detect::Detector;
use crate::error::{Error, Warning};
use crate::finding::Kind;
use crate::settings::Settings;
use crate::source::git_staged::{self, StagedEntry};
use crate::source::{Blob, Origin, git_repo};

pub(super) fn scan(
    settings: &Settings,
    repo_path: &Path,
    detector: &Detector,
    collector: &Collector,
) -> Result<(), Error> {
    let repo = git_repo::open(repo_path)?;
    let (entries, warnings) = git_staged::staged(&repo)?;
    for w in warnings {
        collector.warn(w);
    }
    let git_dir = git_repo::git_dir(&repo);
    let scan_one = |repo: &Repository, entry: &StagedEntry| {
        let max = settings.walk.max_filesize;
        let bytes = match git_repo::read_blob(repo, entry.staged, max, &entry.path) {
            Ok(b) => b,
            Err(w) => return collector.warn(w),
        };
        let blob = Blob {
            origin: Origin::file(entry.path.clone()),
            bytes,
        };
        let mut found = Vec::new();
        super::expanded(settings, blob, &mut |item| match item {
            Ok(member) => {
                collector.count(member.bytes.len());
                let detections = super::detect(detector, &member);
                collector.notes(&detections, &member.origin.path);
                found.extend(classify_all(&detections, &member, settings.now));
            }
            Err(w) => collector.warn(w),
        });
        if found.is_empty() {
            return;
        }
        if let Some(head) = entry.head {
            let before = held(repo, head, settings, detector, &entry.path);
            found.retain(|f| !before.contains(&(f.kind, f.credential())));
        }
        collector.found(found);
    };
    if entries.len() <= 1 {
        // The common pre-commit case: no thread pool to start.
        for entry in &entries {
            scan_one(&repo, entry);
        }
        return Ok(());
    }
    super::pool(settings.walk.threads)?.install(|| {
        entries.par_iter().for_each_init(
            || git_repo::reopen(&git_dir),
            |repo, entry| match repo {
                Ok(repo) => scan_one(repo, entry),
                Err(e) => collector.warn(Warning::new(
                    git_dir.display().to_string(),
                    format!("cannot open the repository: {}", e.message()),
                )),
            },
        );
    });
    Ok(())
}

/// The credentials HEAD's version of a file (and its archive members) already holds.
fn held(
    repo: &Repository,
    oid: Oid,
    settings: &Settings,
    detector: &Detector,
    path: &str,
) -> HashSet<(Kind, String)> {
    let max = settings.walk.max_filesize;
    let Ok(bytes) = git_repo::read_blob(repo, oid, max, path) else {
        return HashSet::new();
    };
    let blob = Blob {
        origin: Origin::file(path),
        bytes,
    };
    let mut held = HashSet::new();
    // HEAD's problems are not this commit's: its warnings are dropped.
    super::expanded(settings, blob, &mut |item| {
        if let Ok(member) = item {
            held.extend(
                scan_blob(detector, &member, settings.now)
                    .iter()
                    .map(|f| (f.kind, f.credential())),
            );
        }
    });
    held
}
