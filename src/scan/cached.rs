//! The history driver's side of `--cache` ([`crate::cache`]): open a repository's cache,
//! replay it when nothing moved, tell workers which blobs are seen (clean, or with what they
//! gave), and store what this run found once the repository is merged.
//!
//! Owns only the bookkeeping between the collector and the cache: what is found is decided
//! by the scan, and a blob not read adds to the counts and warnings exactly what it added
//! when it was read.
//! A cache that cannot be created or written is a warning; the scan's result stands.

use std::cell::{Cell, RefCell};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use git2::{Oid, Repository};

use super::Collector;
use crate::cache::{self, Cached, Clean, Key, Miss, ReplayCounts, Yielded};
use crate::error::Warning;
use crate::risk::Unsettled;
use crate::settings::Settings;
use crate::source::git::history::Selection;

/// What `--stats` says of the cache.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Repositories whose findings were replayed (no reference moved).
    pub replayed: u64,
    /// Repositories walked again, their clean blobs skipped.
    pub incremental: u64,
    /// Repositories scanned in full: no cache yet, ...
    pub new: u64,
    /// ... one written by another version or with other detection settings, ...
    pub changed: u64,
    /// ... or one that could not be read.
    pub unreadable: u64,
    /// Blobs not read: known clean, or known with findings or warnings (given again from
    /// the cache); and blobs read.
    pub blobs_reused: u64,
    pub blobs_found_again: u64,
    pub blobs_read: u64,
}

impl CacheStats {
    pub fn add(&mut self, other: &CacheStats) {
        self.replayed += other.replayed;
        self.incremental += other.incremental;
        self.new += other.new;
        self.changed += other.changed;
        self.unreadable += other.unreadable;
        self.blobs_reused += other.blobs_reused;
        self.blobs_found_again += other.blobs_found_again;
        self.blobs_read += other.blobs_read;
    }

    /// One line for `--stats`.
    pub fn describe(&self) -> String {
        format!(
            "{} repositories replayed, {} walked again, {} scanned in full ({} new, {} \
             version or settings changed, {} unreadable); blobs reused {} clean, {} with \
             findings or warnings; read {}",
            self.replayed,
            self.incremental,
            self.new + self.changed + self.unreadable,
            self.new,
            self.changed,
            self.unreadable,
            self.blobs_reused,
            self.blobs_found_again,
            self.blobs_read
        )
    }
}

/// One repository's cache during its scan.
pub(super) struct Session {
    cached: Cached,
    clean: Mutex<Vec<(Oid, Clean)>>,
    found: Mutex<Vec<(Oid, Yielded)>>,
    reused: AtomicU64,
    found_again: AtomicU64,
    read: AtomicU64,
    warnings_before: usize,
    notes_before: usize,
    blobs_before: u64,
    bytes_before: u64,
}

/// Opens `repo`'s cache under `--cache`, or `None` without it (or when its directory cannot
/// be created: a warning).
pub(super) fn open(
    settings: &Settings,
    repo: &Repository,
    selection: &Selection,
    collector: &mut Collector,
) -> Option<Session> {
    let dir = settings.cache.as_ref()?;
    if let Err(e) = cache::create_dir(dir) {
        collector.warn(Warning::new(
            dir.display().to_string(),
            format!("cannot create the cache directory: {e}"),
        ));
        return None;
    }
    // What a blob yields depends on these and on keyleak's version, nothing else; a finding
    // at a path also on the repository's identity (role setups name it).
    let key = Key::new(
        &[
            &format!("include_identifiers {}", settings.include_identifiers),
            &format!("max_filesize {}", settings.walk.max_filesize),
            &format!("archives {:?}", settings.archives),
        ],
        &[&format!("{:?}", settings.repo)],
    );
    // What the walk and the findings' advice depend on, besides the references.
    let tips = cache::tips(
        repo,
        &[&format!("{selection:?}"), &format!("{:?}", settings.repo)],
    );
    let (cached, warning) = Cached::load(dir, repo, key, tips);
    if let Some(w) = warning {
        collector.warn(w);
    }
    Some(Session {
        cached,
        clean: Mutex::default(),
        found: Mutex::default(),
        reused: AtomicU64::new(0),
        found_again: AtomicU64::new(0),
        read: AtomicU64::new(0),
        warnings_before: collector.warnings.get_mut().expect("no workers").len(),
        notes_before: collector.notes.len(),
        blobs_before: *collector.blobs.get_mut(),
        bytes_before: *collector.bytes.get_mut(),
    })
}

impl Session {
    /// Hands the collector the last run's result when nothing moved: `true` if it did.
    pub(super) fn replay(&mut self, collector: &mut Collector) -> bool {
        let Some(replay) = self.cached.replay() else {
            return false;
        };
        collector
            .findings
            .get_mut()
            .expect("no workers")
            .extend(replay.findings);
        for w in replay.warnings {
            collector.warn(w);
        }
        collector.notes.extend(replay.notes);
        let c = replay.counts;
        *collector.blobs.get_mut() += c.blobs;
        *collector.bytes.get_mut() += c.bytes;
        collector.commits = c.commits;
        collector.stages.unique_blobs = c.unique_blobs;
        collector.stages.plan_bytes = c.plan_bytes;
        collector.stages.cache = Some(CacheStats {
            replayed: 1,
            ..CacheStats::default()
        });
        true
    }

    /// What the cache holds of blob `oid`, read under `first` and met at `paths` this time:
    /// [`Seen::New`] when it is to be read. A blob not to be read adds its counts here.
    pub(super) fn seen<'p>(
        &self,
        oid: &Oid,
        first: &str,
        paths: impl Iterator<Item = &'p str>,
        collector: &Collector,
    ) -> Seen {
        let (counts, seen) = if let Some(clean) = self.cached.clean(oid) {
            self.reused.fetch_add(1, Ordering::Relaxed);
            (clean, Seen::Clean)
        } else if let Some((y, found)) = self
            .cached
            .found(oid)
            .and_then(|y| Some((y, y.at(first, paths)?)))
        {
            self.found_again.fetch_add(1, Ordering::Relaxed);
            (
                y.counts,
                Seen::Found {
                    warnings: y.warnings.clone(),
                    found,
                },
            )
        } else {
            self.read.fetch_add(1, Ordering::Relaxed);
            return Seen::New;
        };
        collector.blobs.fetch_add(counts.blobs, Ordering::Relaxed);
        collector.bytes.fetch_add(counts.bytes, Ordering::Relaxed);
        seen
    }

    /// Blob `oid`, just read, gave no detection and no warning.
    pub(super) fn clean(&self, oid: Oid, clean: Clean) {
        self.clean
            .lock()
            .expect("no worker panics while holding it")
            .push((oid, clean));
    }

    /// Blob `oid`, just read, gave `found`.
    pub(super) fn found(&self, oid: Oid, found: Yielded) {
        self.found
            .lock()
            .expect("no worker panics while holding it")
            .push((oid, found));
    }

    /// Writes the cache with this run's findings (merged, not yet filtered) and counts; says
    /// in `--stats` how much was reused. `reachable`: see `Cached::store`.
    pub(super) fn store(self, collector: &mut Collector, reachable: Option<&dyn Fn(&Oid) -> bool>) {
        let miss = self.cached.miss;
        collector.stages.cache = Some(CacheStats {
            incremental: u64::from(miss.is_none()),
            new: u64::from(miss == Some(Miss::New)),
            changed: u64::from(miss == Some(Miss::Changed)),
            unreadable: u64::from(miss == Some(Miss::Unreadable)),
            blobs_reused: self.reused.into_inner(),
            blobs_found_again: self.found_again.into_inner(),
            blobs_read: self.read.into_inner(),
            ..CacheStats::default()
        });
        let counts = ReplayCounts {
            commits: collector.commits,
            blobs: *collector.blobs.get_mut() - self.blobs_before,
            bytes: *collector.bytes.get_mut() - self.bytes_before,
            unique_blobs: collector.stages.unique_blobs,
            plan_bytes: collector.stages.plan_bytes,
        };
        let clean = self.clean.into_inner().expect("workers are done");
        let found = self.found.into_inner().expect("workers are done");
        let findings = collector.findings.get_mut().expect("workers are done");
        let warnings = collector.warnings.get_mut().expect("workers are done");
        let stored = self.cached.store(
            clean,
            found,
            (
                findings,
                counts,
                &warnings[self.warnings_before..],
                &collector.notes[self.notes_before..],
            ),
            reachable,
        );
        if let Err(e) = stored {
            collector.warn(Warning::new(
                "--cache",
                format!("cannot write the cache: {e}"),
            ));
        }
    }
}

/// What the cache holds of a blob met in this walk.
pub(super) enum Seen {
    /// Not seen (or not at these paths): to be read.
    New,
    /// Read before: no detection, no warning.
    Clean,
    /// Read before: its warnings, and its findings at each of this walk's paths for it (in
    /// the walk's order), to be settled with this walk's commits.
    Found {
        warnings: Vec<Warning>,
        found: Vec<Vec<Unsettled>>,
    },
}

/// What one git blob added to the counts, whether it gave no detection and no warning, and
/// under `--cache` what it gave: what the cache remembers of it.
pub(super) struct Tally {
    pub(super) blobs: Cell<u64>,
    pub(super) bytes: Cell<u64>,
    pub(super) clean: Cell<bool>,
    /// False when it could not be read (missing, corrupt): not remembered, read next time.
    pub(super) keep: Cell<bool>,
    /// `--cache`: its warnings, and its findings per path (in the walk's order), all its
    /// members' together.
    pub(super) warnings: RefCell<Vec<Warning>>,
    pub(super) found: RefCell<Vec<Vec<Unsettled>>>,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            blobs: Cell::new(0),
            bytes: Cell::new(0),
            clean: Cell::new(true),
            keep: Cell::new(true),
            warnings: RefCell::default(),
            found: RefCell::default(),
        }
    }
}
