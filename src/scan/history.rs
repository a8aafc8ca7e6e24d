//! History scan driver (`--git`, `--ref`, `--since`, `--range`): plan the walk, read each
//! unique blob once in parallel, attribute, merge.
//!
//! Workers hold one `git2::Repository` each (`map_init`-style, through `for_each_init`), read
//! one blob at a time (never the whole history in memory), detect once per blob and classify
//! once per path it was introduced at. Provenance (commit, author, dates) is looked up only
//! for blobs with hits. Workers never print. An archive blob is opened once, and each member
//! is detected once and classified once per path (`path!member`). Commit and tag texts the
//! plan kept (those the detector finds something in, tested as the walk reads them) are
//! scanned as blobs of their own (`<commit ID>`, `<tag NAME>`).
//!
//! Then, on one thread, the same credential at the same path across many versions of a file
//! is merged ([`merge`]): one finding per (kind, credential, path, pairing), attributed to the
//! oldest commit whose parents did not already hold it there — so a range scan reports only
//! what the range added — and `in_head` says whether HEAD's tree still holds the credential
//! anywhere.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use git2::Repository;
use rayon::prelude::*;

use super::cached::{Seen, Tally};
use super::{Collector, cached, classify_all};
use crate::cache::{Clean, Yielded};
use crate::detect::Detector;
use crate::error::{Error, Warning};
use crate::model::blob::Bytes;
use crate::model::commit::CommitInfo;
use crate::model::finding::Finding;
use crate::progress::{Counters, Progress};
use crate::risk::Unsettled;
use crate::risk::history::note;
use crate::settings::Settings;
use crate::source::archive::{self, Limits};
use crate::source::git;
use crate::source::git::history::{BlobJob, History, Selection, Text, TextFilter};
use crate::source::git::pack::{Read, Reader};
use crate::source::git::repo::Unread;
use crate::source::{Blob, Origin};

pub(super) fn scan(
    settings: &Settings,
    repo_path: &Path,
    selection: &Selection,
    detector: &Detector,
    collector: &mut Collector,
) -> Result<(), Error> {
    crate::memory::bound_heap();
    let repo = git::repo::open(repo_path)?;
    let mut cache = cached::open(settings, &repo, selection, collector);
    if let Some(c) = cache.as_mut()
        && c.replay(collector)
    {
        return Ok(());
    }
    let progress = Progress::start_in(collector.progress_prefix.clone());
    let pool = super::pool(settings.walk.threads)?;
    let keep = |text: &[u8]| !detector.detect_layers(text).is_empty();
    let texts = TextFilter {
        keep: &keep,
        max_size: settings.walk.max_filesize,
    };
    let start = Instant::now();
    let history = git::history::plan(&repo, selection, &texts, &pool, progress.counters())?;
    collector.stages.plan = Some(start.elapsed());
    // A fresh handle: the plan's pack windows (up to libgit2's mapping cap, all of it in the
    // resident set) are unmapped with the last handle on their packs. Blobs are read with
    // `pread` from here on, and libgit2 maps again only what it is asked for.
    let git_dir = git::repo::git_dir(&repo);
    drop(repo);
    let repo = git::repo::reopen(&git_dir).map_err(|source| Error::Git {
        context: format!("cannot open {} again", git_dir.display()),
        source,
    })?;
    // What building the plan freed (its maps, the sorted pairs) goes back before reading.
    crate::memory::release();
    collector.stages.unique_blobs = Some(history.blobs.len() as u64);
    collector.stages.plan_bytes = Some(history.heap_bytes());
    collector.commits = Some(history.commits.len() as u64);
    collector.notes.extend(history.notes.iter().cloned());
    for w in &history.warnings {
        collector.warn(w.clone());
    }
    let counters = progress.counters();
    counters
        .blobs_total
        .store(history.blobs.len() as u64, Ordering::Relaxed);
    let head = git::repo::head_tree(&repo).map(|t| t.id());
    let packs = git::pack::Packs::open(&history.packs);
    let start = Instant::now();
    let worker = Worker {
        settings,
        history: &history,
        detector,
        collector,
        counters,
        head,
        cache: cache.as_ref(),
    };
    pool.install(|| {
        history.texts.par_iter().for_each_init(
            || git::repo::reopen(&git_dir),
            |repo, text| match repo {
                Ok(repo) => worker.text(repo, text),
                Err(e) => worker.collector.warn(Warning::new(
                    git_dir.display().to_string(),
                    format!("cannot open the repository: {}", e.message()),
                )),
            },
        );
        history.blobs.par_iter().for_each_init(
            || (git::repo::reopen(&git_dir), packs.reader(PACK_CACHE)),
            |(repo, reader), job| {
                match repo {
                    Ok(repo) => worker.blob(repo, reader, job),
                    Err(e) => worker.collector.warn(Warning::new(
                        git_dir.display().to_string(),
                        format!("cannot open the repository: {}", e.message()),
                    )),
                }
                let done = counters.blobs.fetch_add(1, Ordering::Relaxed);
                // Blob buffers of every size come and go: hand back the holes now and then.
                if done % RELEASE_EVERY == RELEASE_EVERY - 1 {
                    crate::memory::release();
                }
            },
        );
    });
    progress.finish();
    collector.stages.scan = start.elapsed();
    let start = Instant::now();
    let findings = std::mem::take(collector.findings.get_mut().expect("workers are done"));
    let merged = merge(&repo, findings, collector, settings.archives.as_ref());
    *collector.findings.get_mut().expect("workers are done") = merged;
    collector.stages.merge = start.elapsed();
    if let Some(c) = cache {
        // Walked from every reference with no base: a blob it did not plan, no reference
        // reaches any more, and the cache drops it.
        let whole = selection.tips.is_empty() && selection.since.is_none();
        let mut planned: Vec<git2::Oid> = Vec::new();
        if whole {
            planned = history.blobs.iter().map(|b| b.oid).collect();
            planned.sort_unstable();
        }
        let reachable = |oid: &git2::Oid| planned.binary_search(oid).is_ok();
        c.store(
            collector,
            whole.then_some(&reachable as &dyn Fn(&git2::Oid) -> bool),
        );
    }
    Ok(())
}

/// Blobs read between two [`crate::memory::release`] calls.
const RELEASE_EVERY: u64 = 8192;

/// The bytes of resolved objects each reading thread keeps for the deltas that follow them.
/// Per thread on botocore, 0, 8, 16, 24 and 32 MiB: user+sys 19.4, 14.8, 13.2, 12.3, 11.9 s,
/// peak RSS 81, 106, 123, 146, 180 MB; 24 keeps the peak well under 200 MB.
const PACK_CACHE: usize = 24 << 20;

struct Worker<'a> {
    settings: &'a Settings,
    history: &'a History,
    detector: &'a Detector,
    collector: &'a Collector,
    counters: &'a Counters,
    head: Option<git2::Oid>,
    /// `--cache`: blobs known clean are skipped, blobs found clean are remembered.
    cache: Option<&'a cached::Session>,
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
    fn text(&self, repo: &Repository, text: &Text) {
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

    fn blob(&self, repo: &Repository, reader: &mut Reader<'_>, job: &BlobJob) {
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
                    Read::Blob(bytes) => Ok(Bytes::Shared(bytes)),
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
        self.collector.clocks.detect(|| {
            super::expanded(self.settings, blob, &mut |item| match item {
                Ok(member) => self.member(repo, job, member, tally),
                Err(w) => self.blob_warn(tally, w),
            });
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
        let kind = super::config_file::blob_kind(&blob.origin.path, &blob.bytes);
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
                super::unsettled(&detections, &blob, &self.settings.repo)
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

/// One finding per (kind, credential, path, pairing): the oldest introduction that is new
/// against its parents. `in_head` on input says whether that occurrence's blob is HEAD's at
/// that path; on output, whether HEAD's tree holds the credential anywhere.
fn merge(
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
