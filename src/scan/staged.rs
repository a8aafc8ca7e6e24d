//! Staged scan driver (`--staged`): what the next commit would add.
//!
//! Reads each staged blob from the object database (not the working-tree file) on a pool of
//! workers with one repository handle each, and reports only credentials that HEAD's version
//! of the same file does not already hold: a pre-commit hook blocks new keys, not the edit of
//! a file with an old one (the history scan reports that). "Already held" means held whole: the
//! same kind and credential, every secret and token the staged finding pairs with it, at a risk
//! no lower ([`Held`]) — adding a secret under a key ID HEAD already has is a new leak. Workers
//! never print. An archive is compared member by member: its staged members against all of
//! HEAD's.

use std::collections::HashSet;
use std::path::Path;

use git2::{Oid, Repository};
use rayon::prelude::*;

use super::{Collector, classify_all, scan_blob};
use crate::detect::Detector;
use crate::error::{Error, Warning};
use crate::finding::{Finding, Kind, Risk};
use crate::redact::Secret;
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
            found.retain(|f| !before.iter().any(|h| h.covers(f)));
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

/// What HEAD's version of a file holds of one credential.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Held {
    kind: Kind,
    credential: String,
    secret: Option<String>,
    session_token: Option<String>,
    risk: Risk,
}

impl Held {
    fn of(f: &Finding) -> Held {
        Held {
            kind: f.kind,
            credential: f.credential(),
            secret: f.secret.as_ref().map(|s| s.expose().to_string()),
            session_token: f.session_token.as_ref().map(|t| t.expose().to_string()),
            risk: f.risk,
        }
    }

    /// True when the staged finding `f` adds nothing to this: the same kind and credential,
    /// no secret or token HEAD did not pair with it, and no higher risk. A staged finding
    /// that pairs less than HEAD did (a secret removed) adds nothing either.
    fn covers(&self, f: &Finding) -> bool {
        let within = |staged: Option<&Secret>, head: &Option<String>| {
            staged.is_none_or(|s| head.as_deref() == Some(s.expose()))
        };
        self.kind == f.kind
            && self.credential == f.credential()
            && within(f.secret.as_ref(), &self.secret)
            && within(f.session_token.as_ref(), &self.session_token)
            && f.risk <= self.risk
    }
}

/// The credentials HEAD's version of a file (and its archive members) already holds.
fn held(
    repo: &Repository,
    oid: Oid,
    settings: &Settings,
    detector: &Detector,
    path: &str,
) -> HashSet<Held> {
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
                    .map(Held::of),
            );
        }
    });
    held
}
