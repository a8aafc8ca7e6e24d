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

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Instant;

use rayon::prelude::*;

use super::{Collector, cached};
use crate::detect::Detector;
use crate::error::{Error, Warning};
use crate::progress::Progress;
use crate::settings::Settings;
use crate::source::git;
use crate::source::git::history::{Selection, TextFilter};

mod merge;
mod worker;

use merge::merge;
use worker::Worker;

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
