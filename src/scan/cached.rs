//! The history driver's side of `--cache` ([`crate::cache`]): open a repository's cache,
//! replay it when nothing moved, tell workers which blobs to skip, and store what this run
//! found once the repository is merged.
//!
//! Owns only the bookkeeping between the collector and the cache: what is found is decided
//! by the scan, and a skipped blob adds to the counts exactly what it added when it was read.
//! A cache that cannot be created or written is a warning; the scan's result stands.

use std::cell::Cell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use git2::{Oid, Repository};

use super::Collector;
use crate::cache::{self, Cached, Clean, Key, Miss, ReplayCounts};
use crate::error::Warning;
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
    /// Blobs skipped as known clean, and blobs read.
    pub blobs_reused: u64,
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
        self.blobs_read += other.blobs_read;
    }

    /// One line for `--stats`.
    pub fn describe(&self) -> String {
        format!(
            "{} repositories replayed, {} walked again, {} scanned in full ({} new, {} \
             version or settings changed, {} unreadable); blobs reused {}, read {}",
            self.replayed,
            self.incremental,
            self.new + self.changed + self.unreadable,
            self.new,
            self.changed,
            self.unreadable,
            self.blobs_reused,
            self.blobs_read
        )
    }
}

/// One repository's cache during its scan.
pub(super) struct Session {
    cached: Cached,
    fresh: Mutex<Vec<(Oid, Clean)>>,
    reused: AtomicU64,
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
    // What a blob yields depends on these and on keyleak's version, nothing else.
    let key = Key::new(&[
        &format!("include_identifiers {}", settings.include_identifiers),
        &format!("max_filesize {}", settings.walk.max_filesize),
        &format!("archives {:?}", settings.archives),
    ]);
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
        fresh: Mutex::default(),
        reused: AtomicU64::new(0),
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

    /// The counts blob `oid` added when it was found clean, if it was: the worker skips it.
    pub(super) fn skip(&self, oid: &Oid, collector: &Collector) -> bool {
        let Some(clean) = self.cached.clean(oid) else {
            self.read.fetch_add(1, Ordering::Relaxed);
            return false;
        };
        collector.blobs.fetch_add(clean.blobs, Ordering::Relaxed);
        collector.bytes.fetch_add(clean.bytes, Ordering::Relaxed);
        self.reused.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// Blob `oid`, just read, gave no detection and no warning.
    pub(super) fn clean(&self, oid: Oid, clean: Clean) {
        self.fresh
            .lock()
            .expect("no worker panics while holding it")
            .push((oid, clean));
    }

    /// Writes the cache with this run's findings (merged, not yet filtered) and counts; says
    /// in `--stats` how much was reused.
    pub(super) fn store(self, collector: &mut Collector) {
        let miss = self.cached.miss;
        collector.stages.cache = Some(CacheStats {
            incremental: u64::from(miss.is_none()),
            new: u64::from(miss == Some(Miss::New)),
            changed: u64::from(miss == Some(Miss::Changed)),
            unreadable: u64::from(miss == Some(Miss::Unreadable)),
            blobs_reused: self.reused.into_inner(),
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
        let fresh = self.fresh.into_inner().expect("workers are done");
        let findings = collector.findings.get_mut().expect("workers are done");
        let warnings = collector.warnings.get_mut().expect("workers are done");
        let stored = self.cached.store(
            fresh,
            (
                findings,
                counts,
                &warnings[self.warnings_before..],
                &collector.notes[self.notes_before..],
            ),
        );
        if let Err(e) = stored {
            collector.warn(Warning::new(
                "--cache",
                format!("cannot write the cache: {e}"),
            ));
        }
    }
}

/// What one git blob added to the counts, and whether it gave no detection and no warning:
/// what `--cache` remembers of it.
pub(super) struct Tally {
    pub(super) blobs: Cell<u64>,
    pub(super) bytes: Cell<u64>,
    pub(super) clean: Cell<bool>,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            blobs: Cell::new(0),
            bytes: Cell::new(0),
            clean: Cell::new(true),
        }
    }
}
