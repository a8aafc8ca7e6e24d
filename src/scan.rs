//! The scan: sources → parallel detect → classify → merge → filter → sort.
//!
//! Workers never print and never share mutable state on the hot path: each file is detected
//! and classified on the walker thread that read it, and only files with findings take the
//! results lock. After the walk, findings are sorted once by a total key, so output is
//! identical whatever the thread count.
//!
//! Git inputs have their own drivers: `history` (`--git`, `--range`, `--since`, `--ref`),
//! `repos` (`--repos`, `--repos-under`: `history` once per repository) and `staged`
//! (`--staged`); all feed the same `Collector`.
//!
//! Every driver passes what it reads through `members::expanded`, so the members of zip, tar
//! and gzip files are scanned as blobs of their own (`outer!member`) and counted as blobs; a
//! large archive's members are detected in parallel with its expansion (`members`).

mod cached;
mod config_file;
mod history;
mod members;
mod repos;
mod staged;
mod stages;
mod whole;

pub use cached::CacheStats;
use members::expanded;
pub use stages::StageStats;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::config::baseline::BaselineFile;
use crate::detect::decode::Encoding;
use crate::detect::lines::LineIndex;
use crate::detect::{DetectOptions, Detection, Detections, Detector};
use crate::error::{Error, Warning};
use crate::model::finding::Finding;
pub use crate::model::result::{ScanResult, Stats};
use crate::model::role::RepoIdentity;
use crate::redact::snippet::Masks;
use crate::risk::{Unsettled, allow_marker_near, classify};
use crate::settings::{GitMode, Input, Settings};
use crate::source::{self, Blob};
use whole::Reading;

/// What [`scan`] hands the driver: the result every reporter reads and, with
/// `--baseline-out`, every finding the baseline would cover, to be written out.
#[derive(Debug, Default)]
pub struct Scanned {
    pub result: ScanResult,
    pub baseline_out: Option<BaselineFile>,
    /// What `--stats` prints (all but the report's time, which the caller adds).
    pub stages: StageStats,
}

/// Detects and classifies one blob: the unit of work every source feeds. `now` is Unix
/// seconds, for expiry. A small configuration file (by its path, or its content where the
/// path cannot tell: `config_file`) pairs key IDs and secrets file-wide.
/// Role setups name no repository ([`RepoIdentity::default`]): the scan's own drivers pass
/// the one settings read.
pub fn scan_blob(detector: &Detector, blob: &Blob, now: i64) -> Vec<Finding> {
    classify_all(&detect(detector, blob), blob, now, &RepoIdentity::default())
}

/// Detects one blob, judged as a configuration file or not by its path and content.
fn detect(detector: &Detector, blob: &Blob) -> Detections {
    let kind = config_file::blob_kind(&blob.origin.path, &blob.bytes);
    detector.detect_blob(&blob.bytes, kind)
}

/// Classifies a blob's detections under its origin: a git blob found at several paths is
/// detected once and classified once per path.
///
/// A finding from a decoded layer is classified against the decoded text (so its secret,
/// snippet and fingerprint are the real values), then located in the original bytes and
/// marked with its `encoding`. `repo` is the scanned repository, for role setups.
pub fn classify_all(
    detections: &Detections,
    blob: &Blob,
    now: i64,
    repo: &RepoIdentity,
) -> Vec<Finding> {
    settle_all(unsettled(detections, blob, repo), blob, now)
}

fn settle_all(found: Vec<Unsettled>, blob: &Blob, now: i64) -> Vec<Finding> {
    found
        .into_iter()
        .map(|u| u.settle(blob.origin.commit.clone(), now))
        .collect()
}

/// [`classify_all`] as far as the blob's bytes and path tell: its origin's commit is not
/// read, and the findings are settled later ([`Unsettled::settle`]), once per commit.
fn unsettled(detections: &Detections, blob: &Blob, repo: &RepoIdentity) -> Vec<Unsettled> {
    if detections.is_empty() {
        return Vec::new();
    }
    unsettled_by(detections, blob, &Reading::of(blob, repo))
}

/// [`unsettled`] with the blob's whole reading made (see `whole`).
fn unsettled_by(detections: &Detections, blob: &Blob, reading: &Reading) -> Vec<Unsettled> {
    let mut lines = LineIndex::with_marks(&blob.bytes, reading.marks.as_ref());
    // Decoded text is the same file: its findings share the original's context.
    let place = &reading.place;
    let masks = Masks::new(detections.value_ranges());
    let mut found: Vec<Unsettled> = detections
        .plain
        .iter()
        .map(|d| classify(d, blob, &mut lines, place, &masks))
        .collect();
    for layer in &detections.decoded {
        let view = Blob {
            origin: blob.origin.clone(),
            bytes: layer.bytes().to_vec().into(),
        };
        let mut view_lines = LineIndex::new(&view.bytes);
        // Locations are counted in the file as its reader sees it: the original bytes, or
        // the UTF-16 text.
        let level = layer.display_level();
        let display = match level {
            0 => &blob.bytes[..],
            _ => &layer.chain[level - 1].bytes[..],
        };
        let mut display_lines = LineIndex::new(display);
        // Bytes any base64 view in the chain decoded, carried up to the last view.
        let from_base64 = layer.chain.iter().fold(Vec::new(), |below, view| {
            let mut here = view.forward(&below);
            if view.encoding == Encoding::Base64 {
                here.extend(view.decoded_ranges());
            }
            here
        });
        let view_masks = Masks::new(
            layer
                .detections
                .iter()
                .flat_map(Detection::values)
                .map(|s| s.start..s.end)
                .collect(),
        )
        .with_decoded(from_base64);
        for d in &layer.detections {
            let mut u = classify(d, &view, &mut view_lines, place, &view_masks);
            let f = &mut u.finding;
            let (start, end) = (d.anchor().start, d.anchor().end);
            let shown = layer.to_level(start, level)..layer.to_level(end, level);
            let pos = display_lines.locate(shown.start);
            f.location.line = pos.line;
            f.location.column = pos.column;
            // An allow marker counts only where the reader sees it: near the encoded text.
            f.allowed_inline = allow_marker_near(display, pos.line_start..pos.line_end, shown);
            if let Detection::Key {
                secret: Some(s), ..
            } = d
            {
                f.secret_line = Some(display_lines.locate(layer.to_level(s.start, level)).line);
            }
            f.encoding = Some(layer.encoding().as_str());
            found.push(u);
        }
    }
    found
}

/// Where workers put what they found; read once, after they are done.
#[derive(Default)]
struct Collector {
    findings: Mutex<Vec<Finding>>,
    warnings: Mutex<Vec<Warning>>,
    blobs: AtomicU64,
    bytes: AtomicU64,
    commits: Option<u64>,
    notes: Vec<String>,
    /// `--stats`: thread time per stage, summed by workers.
    clocks: stages::Clocks,
    /// `--stats`: what the drivers measured.
    stages: StageStats,
    /// Multi-repository scans: repositories scanned and failed.
    repositories: Option<crate::model::result::Repositories>,
    /// What progress shows before its counts: the repository of a multi-repository scan.
    progress_prefix: String,
    /// Files and standard input: the pool a large archive's members are detected on.
    member_pool: members::Pool,
    /// One blob is scanned on several threads: a large one's whole reading may run beside
    /// its detection (see `whole`).
    spare_core: bool,
}

impl Collector {
    fn count(&self, bytes: usize) {
        self.blobs.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    fn found(&self, found: Vec<Finding>) {
        if !found.is_empty() {
            self.findings
                .lock()
                .expect("no worker panics while holding it")
                .extend(found);
        }
    }

    /// What decoding left out of a blob (a cap reached), as warnings about its path.
    fn notes(&self, detections: &Detections, path: &str) {
        for note in &detections.notes {
            self.warn(Warning::new(path, note.clone()));
        }
    }

    fn warn(&self, w: Warning) {
        self.warnings
            .lock()
            .expect("no worker panics while holding it")
            .push(w);
    }

    fn finish(self, settings: &Settings) -> Scanned {
        let start = Instant::now();
        let mut stages = self.stages;
        stages.take_clocks(&self.clocks);
        let mut warnings = self.warnings.into_inner().expect("workers are done");
        let found = self.findings.into_inner().expect("workers are done");
        let (mut unbaselined, mut suppressed) = settings.filter.apply(found);
        unbaselined.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let baseline_out = settings
            .baseline_out
            .is_some()
            .then(|| BaselineFile::of(&unbaselined));
        let findings = settings.filter.apply_baseline(unbaselined, &mut suppressed);
        warnings.sort();
        warnings.dedup();
        let stats = Stats {
            blobs: self.blobs.into_inner(),
            bytes: self.bytes.into_inner(),
            suppressed,
            commits: self.commits,
            repositories: self.repositories,
        };
        stages.commits = stats.commits;
        stages.blobs = stats.blobs;
        if stages.read.is_none() {
            stages.bytes = stats.bytes;
        }
        stages.merge += start.elapsed();
        Scanned {
            result: ScanResult {
                findings,
                warnings,
                stats,
                notes: self.notes,
            },
            baseline_out,
            stages,
        }
    }
}

pub fn scan(settings: &Settings) -> Result<Scanned, Error> {
    let detector = Detector::new(DetectOptions {
        include_identifiers: settings.include_identifiers,
    });
    let mut collector = Collector {
        clocks: stages::Clocks::new(settings.stats),
        ..Collector::default()
    };
    collector.stages.workers = settings.walk.threads;
    collector.member_pool = members::Pool::new(settings.walk.threads);
    collector.spare_core = settings.walk.threads > 1 && one_blob(&settings.input);
    // Set, the expand clock is printed: archives are opened.
    collector.stages.expand = settings.archives.as_ref().map(|_| Default::default());
    let start = Instant::now();
    match &settings.input {
        Input::Stdin => {
            let (blob, cut) = source::stdin::read(settings.walk.max_filesize)?;
            if let Some(w) = cut {
                collector.warn(w);
            }
            collector.blob(settings, &detector, blob);
        }
        Input::Paths(paths) => {
            source::fs::walk(paths, &settings.walk, &|item| match item {
                Ok(blob) => collector.blob(settings, &detector, blob),
                Err(w) => collector.warn(w),
            });
        }
        Input::Git { repo, mode } => match mode {
            GitMode::History(selection) => {
                history::scan(settings, repo, selection, &detector, &mut collector)?;
            }
            GitMode::Staged => staged::scan(settings, repo, &detector, &collector)?,
        },
        Input::Repos { list, selection } => {
            repos::scan(settings, list, selection, &detector, &mut collector);
        }
    }
    // The history driver times its own passes (plan, then read and detect).
    if !matches!(
        settings.input,
        Input::Git {
            mode: GitMode::History(_),
            ..
        } | Input::Repos { .. }
    ) {
        collector.stages.scan = start.elapsed();
    }
    Ok(collector.finish(settings))
}

/// Whether `input` is one blob: standard input, or one path that is a file.
fn one_blob(input: &Input) -> bool {
    match input {
        Input::Stdin => true,
        Input::Paths(paths) => matches!(&paths[..], [only] if only.is_file()),
        _ => false,
    }
}

/// A worker pool of `threads` threads for the git drivers (the file walker has its own).
fn pool(threads: usize) -> Result<rayon::ThreadPool, Error> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(Error::Threads)
}
