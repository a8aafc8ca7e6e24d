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
//!
//! Fails closed: a staged blob that cannot be read (missing, corrupt) ends the run with an
//! error naming its path, because a hook that passes what it could not read lets anything
//! through. (Over `--max-filesize` is a choice, not a failure: a warning.) A SHA-256
//! repository, which libgit2 cannot open, is read through the git command (`source::git::cli`).

use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;

use git2::Repository;
use rayon::prelude::*;

use super::{Collector, classify_all, scan_blob};
use crate::detect::Detector;
use crate::error::{Error, Warning};
use crate::model::finding::{Finding, Kind, Risk};
use crate::redact::Secret;
use crate::risk::advice;
use crate::settings::Settings;
use crate::source::git;
use crate::source::git::cli::Git;
use crate::source::git::repo::{Opened, Unread};
use crate::source::git::staged::StagedEntry;
use crate::source::{Blob, Origin};

pub(super) fn scan(
    settings: &Settings,
    repo_path: &Path,
    detector: &Detector,
    collector: &Collector,
) -> Result<(), Error> {
    let check = Check {
        settings,
        detector,
        collector,
        unreadable: Mutex::default(),
    };
    match git::repo::open_any(repo_path)? {
        Opened::Repo(repo) => check.repo(&repo)?,
        Opened::ObjectFormat { git_dir, .. } => check.git_command(&git_dir)?,
    }
    check.fail_closed()
}

/// The staged check, whichever reader feeds it.
struct Check<'a> {
    settings: &'a Settings,
    detector: &'a Detector,
    collector: &'a Collector,
    /// Staged files that could not be read, and why: the run fails with them.
    unreadable: Mutex<Vec<(String, Warning)>>,
}

impl Check<'_> {
    /// Reads through libgit2, in parallel when more than one file is staged.
    fn repo(&self, repo: &Repository) -> Result<(), Error> {
        let (entries, warnings) = git::staged::staged(repo)?;
        for w in warnings {
            self.collector.warn(w);
        }
        let max = self.settings.walk.max_filesize;
        let scan_one = |repo: &Repository, entry: &StagedEntry| {
            let staged = git::repo::read_blob(repo, entry.staged, max, &entry.path);
            let head = || {
                let oid = entry.head?;
                git::repo::read_blob(repo, oid, max, &entry.path).ok()
            };
            self.entry(&entry.path, staged, head);
        };
        if entries.len() <= 1 {
            // The common pre-commit case: no thread pool to start.
            for entry in &entries {
                scan_one(repo, entry);
            }
            return Ok(());
        }
        let git_dir = git::repo::git_dir(repo);
        super::pool(self.settings.walk.threads)?.install(|| {
            entries.par_iter().for_each_init(
                || git::repo::reopen(&git_dir),
                |repo, entry| match repo {
                    Ok(repo) => scan_one(repo, entry),
                    Err(e) => self.unreadable(
                        &entry.path,
                        Warning::new(
                            git_dir.display().to_string(),
                            format!("cannot open the repository: {}", e.message()),
                        ),
                    ),
                },
            );
        });
        Ok(())
    }

    /// Reads through the git command (a SHA-256 repository), one file after another.
    fn git_command(&self, git_dir: &Path) -> Result<(), Error> {
        let git = Git::new(git_dir);
        let (entries, warnings) = git.staged()?;
        for w in warnings {
            self.collector.warn(w);
        }
        if entries.is_empty() {
            return Ok(());
        }
        let max = self.settings.walk.max_filesize;
        let mut cat = git.cat_file()?;
        for entry in &entries {
            let staged = cat.read(&entry.staged, max, &entry.path);
            let head = entry
                .head
                .as_ref()
                .and_then(|id| cat.read(id, max, &entry.path).ok());
            self.entry(&entry.path, staged, || head);
        }
        Ok(())
    }

    /// Scans one staged file and keeps what HEAD's version (`head`, read only when needed)
    /// does not already hold.
    fn entry(
        &self,
        path: &str,
        staged: Result<Vec<u8>, Unread>,
        head: impl FnOnce() -> Option<Vec<u8>>,
    ) {
        let bytes = match staged {
            Ok(b) => b,
            Err(Unread::Skipped(w)) => return self.collector.warn(w),
            Err(Unread::Broken(w)) => return self.unreadable(path, w),
        };
        let blob = Blob {
            origin: Origin::file(path),
            bytes: bytes.into(),
        };
        let mut found = Vec::new();
        let clocks = &self.collector.clocks;
        super::expanded(self.settings, clocks, blob, &mut |item| match item {
            Ok(member) => clocks.detect(|| {
                self.collector.count(member.bytes.len());
                let detections = super::detect(self.detector, &member);
                self.collector.notes(&detections, &member.origin.path);
                found.extend(classify_all(
                    &detections,
                    &member,
                    self.settings.now,
                    &self.settings.repo,
                ));
            }),
            Err(w) => self.collector.warn(w),
        });
        if found.is_empty() {
            return;
        }
        for f in &mut found {
            f.advice.first_step = advice::staged_step(f);
        }
        // HEAD's blob unreadable counts as holding nothing: every staged finding is reported.
        if let Some(bytes) = head() {
            let before = held(bytes, self.settings, self.detector, path, clocks);
            found.retain(|f| !before.iter().any(|h| h.covers(f)));
        }
        self.collector.found(found);
    }

    fn unreadable(&self, path: &str, why: Warning) {
        self.unreadable
            .lock()
            .expect("no worker panics while holding it")
            .push((path.to_string(), why));
    }

    /// An error naming every staged file that could not be read, if there is one.
    fn fail_closed(self) -> Result<(), Error> {
        let mut unreadable = self.unreadable.into_inner().expect("workers are done");
        if unreadable.is_empty() {
            return Ok(());
        }
        unreadable.sort();
        let paths: Vec<&str> = unreadable.iter().map(|(p, _)| p.as_str()).collect();
        let why: Vec<String> = unreadable.iter().map(|(_, w)| w.to_string()).collect();
        Err(Error::Git {
            context: format!(
                "--staged: cannot read what is staged at {}, so the commit cannot be checked \
                 (stage it again, or run `git fsck`)",
                paths.join(", ")
            ),
            source: git2::Error::from_str(&why.join("; ")),
        })
    }
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
    bytes: Vec<u8>,
    settings: &Settings,
    detector: &Detector,
    path: &str,
    clocks: &super::stages::Clocks,
) -> HashSet<Held> {
    let blob = Blob {
        origin: Origin::file(path),
        bytes: bytes.into(),
    };
    let mut held = HashSet::new();
    // HEAD's problems are not this commit's: its warnings are dropped.
    super::expanded(settings, clocks, blob, &mut |item| {
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
