//! One reading thread of the history scan: a unique blob read (from the packs, else through
//! libgit2), detected once, classified once per path it was introduced at and settled with
//! the commit that introduced it there; commit and tag texts alike. Never prints.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use git2::Repository;

use crate::cache::{Clean, Yielded};
use crate::detect::Detector;
use crate::error::Warning;
use crate::model::blob::Bytes;
use crate::model::commit::CommitInfo;
use crate::progress::Counters;
use crate::risk::Unsettled;
use crate::scan::cached::{Seen, Tally};
use crate::scan::{Collector, cached, classify_all};
use crate::settings::Settings;
use crate::source::git;
use crate::source::git::history::{BlobJob, History, Text};
use crate::source::git::pack::{Read, Reader};
use crate::source::git::repo::Unread;
use crate::source::{Blob, Origin};

pub(super) struct Worker<'a> {
    pub(super) settings: &'a Settings,
    pub(super) history: &'a History,
    pub(super) detector: &'a Detector,
    pub(super) collector: &'a Collector,
    pub(super) counters: &'a Counters,
    pub(super) head: Option<git2::Oid>,
    /// `--cache`: blobs known clean are skipped, blobs found clean are remembered.
    pub(super) cache: Option<&'a cached::Session>,
}

impl Worker<'_> {
    fn path(&self, id: u32) -> &str {
        &self.history.paths[id as usize]
    }

    /// The commit at walk index `index`; `Ok(None)` for no commit, `Err` (warned) when it
    /// cannot be read.
    fn commit(&self, repo: &Repository, index: Option<u32>) -> Result<Option<Arc<CommitInfo>>, ()> {
        let Some(index) = index else {
            return Ok(None);
        };
        let commit_id = self.history.commits[index as usize];
        match repo.find_commit(commit_id) {
            Ok(c) => Ok(Some(Arc::new(crate::source::git::repo::commit_info(
                &c, index,
            )))),
            Err(e) => {
                let subject = format!("commit {commit_id}");
                self.collector
                    .warn(Warning::new(subject, e.message().to_string()));
                Err(())
            }
        }
    }

    /// Scans a commit's or tag's text: in no tree, so never in HEAD's.
    pub(super) fn text(&self, repo: &Repository, text: &Text) {
        self.collector
            .clocks
            .detect(|| self.text_detected(repo, text));
    }

    fn text_detected(&self, repo: &Repository, text: &Text) {
        let Ok(commit) = self.commit(repo, text.commit) else {
            return;
        };
        let blob = Blob {
            origin: Origin {
                path: text.path.clone(),
                commit,
            },
            bytes: text.bytes.clone().into(),
        };
        self.collector.count(blob.bytes.len());
        let detections = self.detector.detect_layers(&blob.bytes);
        self.collector.notes(&detections, &blob.origin.path);
        let found = classify_all(&detections, &blob, self.settings.now, &self.settings.repo);
        self.collector.found(
            found
                .into_iter()
                .map(|mut f| {
                    f.in_head = Some(false);
                    f
                })
                .collect(),
        );
    }

    pub(super) fn blob(&self, repo: &Repository, reader: &mut Reader<'_>, job: &BlobJob) {
        let first_path = self.path(job.occurrences[0].path);
        if let Some(c) = self.cache {
            let paths = job.occurrences.iter().map(|o| self.path(o.path));
            match c.seen(&job.oid, first_path, paths, self.collector) {
                Seen::New => {}
                Seen::Clean => return,
                Seen::Found { warnings, found } => {
                    for w in warnings {
                        self.collector.warn(w);
                    }
                    return self.introduced(repo, job, found);
                }
            }
        }
        let tally = Tally::default();
        self.blob_read(repo, reader, job, &tally);
        let Some(c) = self.cache else {
            return;
        };
        let counts = Clean {
            blobs: tally.blobs.get(),
            bytes: tally.bytes.get(),
        };
        if tally.clean.get() {
            c.clean(job.oid, counts);
        } else if tally.keep.get() {
            let mut found = tally.found.into_inner();
            found.resize_with(job.occurrences.len(), Vec::new);
            let at: Vec<(&str, Vec<Unsettled>)> = job
                .occurrences
                .iter()
                .map(|o| self.path(o.path))
                .zip(found)
                .collect();
            let warnings = tally.warnings.into_inner();
            c.found(
                job.oid,
                Yielded::new(first_path.to_string(), counts, warnings, &at),
            );
        }
    }

    /// A warning about the blob being read: the cache keeps it with the blob.
    fn blob_warn(&self, tally: &Tally, w: Warning) {
        tally.clean.set(false);
        if self.cache.is_some() {
            tally.warnings.borrow_mut().push(w.clone());
        }
        self.collector.warn(w);
    }

    fn blob_read(&self, repo: &Repository, reader: &mut Reader<'_>, job: &BlobJob, tally: &Tally) {
        let first_path = self.path(job.occurrences[0].path);
        let max = self.settings.walk.max_filesize;
        let read = self.collector.clocks.read(
            || {
                let packed = job.place.map_or(Read::Unknown, |at| reader.blob(at, max));
                match packed {
                    Read::Blob(bytes) => {
                        self.collector.clocks.count_packed();
                        Ok(Bytes::Shared(bytes))
                    }
                    Read::TooLarge(size) => {
                        Err(git::repo::too_large(first_path, job.oid, size, max))
                    }
                    Read::Unknown => {
                        git::repo::read_blob(repo, job.oid, max, first_path).map(Bytes::from)
                    }
                }
            },
            |read| read.as_ref().map_or(0, |b| b.len()),
        );
        let bytes = match read {
            Ok(b) => b,
            Err(unread) => {
                // Missing or corrupt may be mended (a fetch): tried again next time.
                tally.keep.set(matches!(unread, Unread::Skipped(_)));
                return self.blob_warn(tally, unread.into_warning());
            }
        };
        let blob = Blob {
            origin: Origin::file(first_path),
            bytes,
        };
        let clocks = &self.collector.clocks;
        crate::scan::expanded(self.settings, clocks, blob, &mut |item| match item {
            Ok(member) => clocks.detect(|| self.member(repo, job, member, tally)),
            Err(w) => self.blob_warn(tally, w),
        });
    }

    /// Detects the git blob, or one of its archive members, once and classifies it once per
    /// path the git blob was introduced at.
    fn member(&self, repo: &Repository, job: &BlobJob, mut blob: Blob, tally: &Tally) {
        self.collector.count(blob.bytes.len());
        tally.blobs.set(tally.blobs.get() + 1);
        tally.bytes.set(tally.bytes.get() + blob.bytes.len() as u64);
        self.counters
            .bytes
            .fetch_add(blob.bytes.len() as u64, Ordering::Relaxed);
        // Detected once for every path: judged as a configuration file by its first one.
        let kind = crate::scan::config_file::blob_kind(&blob.origin.path, &blob.bytes);
        let detections = self.detector.detect_blob(&blob.bytes, kind);
        for note in &detections.notes {
            self.blob_warn(tally, Warning::new(&blob.origin.path, note.clone()));
        }
        if detections.is_empty() {
            return;
        }
        tally.clean.set(false);
        // `!member` for an archive member, empty for the blob itself: the same at every path.
        let first_path = self.path(job.occurrences[0].path);
        let inner = blob.origin.path[first_path.len()..].to_string();
        let found: Vec<Vec<Unsettled>> = job
            .occurrences
            .iter()
            .map(|occ| {
                blob.origin.path = format!("{}{inner}", self.path(occ.path));
                crate::scan::unsettled(&detections, &blob, &self.settings.repo)
            })
            .collect();
        if self.cache.is_some() {
            let mut kept = tally.found.borrow_mut();
            kept.resize_with(found.len(), Vec::new);
            for (all, here) in kept.iter_mut().zip(&found) {
                all.extend(here.iter().cloned());
            }
        }
        self.introduced(repo, job, found);
    }

    /// Settles the findings of a blob (read now, or known from the cache), `found[i]` at
    /// `job.occurrences[i]`: attributed to the commit that introduced it there, `in_head` when
    /// HEAD holds this blob at that path.
    fn introduced(&self, repo: &Repository, job: &BlobJob, found: Vec<Vec<Unsettled>>) {
        if found.iter().all(Vec::is_empty) {
            return;
        }
        let head = self.head.and_then(|id| repo.find_tree(id).ok());
        let mut settled = Vec::new();
        for (occ, here) in job.occurrences.iter().zip(found) {
            if here.is_empty() {
                continue;
            }
            let Ok(commit) = self.commit(repo, occ.commit) else {
                continue;
            };
            let path = self.path(occ.path);
            let at_head = head
                .as_ref()
                .and_then(|t| git::repo::blob_at(t, path))
                .is_some_and(|oid| oid == job.oid);
            settled.extend(here.into_iter().map(|u| {
                let mut f = u.settle(commit.clone(), self.settings.now);
                f.in_head = Some(at_head);
                f
            }));
        }
        self.collector.found(settled);
    }
}
