//! The scan: sources → parallel detect → classify → merge → filter → sort.
//!
//! Workers never print and never share mutable state on the hot path: each file is detected
//! and classified on the walker thread that read it, and only files with findings take the
//! results lock. After the walk, findings are sorted once by a total key, so output is
//! identical whatever the thread count.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::detect::lines::LineIndex;
use crate::detect::{DetectOptions, Detector};
use crate::error::{Error, Warning};
use crate::finding::Finding;
use crate::risk::classify;
use crate::settings::{Input, Settings};
use crate::source::{self, Blob};

/// Counts for the summary.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    pub blobs: u64,
    pub bytes: u64,
    /// Findings dropped by an inline `keyleak:allow` marker.
    pub allowed_inline: u64,
}

/// Everything a run found.
#[derive(Debug, Default)]
pub struct ScanResult {
    /// Sorted by [`Finding::sort_key`].
    pub findings: Vec<Finding>,
    /// Sorted, deduplicated.
    pub warnings: Vec<Warning>,
    pub stats: Stats,
}

/// Detects and classifies one blob: the unit of work every source feeds.
pub fn scan_blob(detector: &Detector, blob: &Blob) -> Vec<Finding> {
    let detections = detector.detect(&blob.bytes);
    if detections.is_empty() {
        return Vec::new();
    }
    let mut lines = LineIndex::new(&blob.bytes);
    detections
        .iter()
        .map(|d| classify(d, blob, &mut lines))
        .collect()
}

#[derive(Default)]
struct Collector {
    findings: Mutex<Vec<Finding>>,
    warnings: Mutex<Vec<Warning>>,
    blobs: AtomicU64,
    bytes: AtomicU64,
}

impl Collector {
    fn blob(&self, detector: &Detector, blob: &Blob) {
        self.blobs.fetch_add(1, Ordering::Relaxed);
        self.bytes
            .fetch_add(blob.bytes.len() as u64, Ordering::Relaxed);
        let found = scan_blob(detector, blob);
        if !found.is_empty() {
            self.findings
                .lock()
                .expect("no worker panics while holding it")
                .extend(found);
        }
    }

    fn warn(&self, w: Warning) {
        self.warnings
            .lock()
            .expect("no worker panics while holding it")
            .push(w);
    }

    fn finish(self) -> ScanResult {
        let mut findings = self.findings.into_inner().expect("workers are done");
        let mut warnings = self.warnings.into_inner().expect("workers are done");
        let before = findings.len();
        findings.retain(|f| !f.allowed_inline);
        let allowed_inline = (before - findings.len()) as u64;
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        warnings.sort();
        warnings.dedup();
        ScanResult {
            findings,
            warnings,
            stats: Stats {
                blobs: self.blobs.into_inner(),
                bytes: self.bytes.into_inner(),
                allowed_inline,
            },
        }
    }
}

pub fn scan(settings: &Settings) -> Result<ScanResult, Error> {
    let detector = Detector::new(DetectOptions {
        include_identifiers: settings.include_identifiers,
    });
    let collector = Collector::default();
    match &settings.input {
        Input::Stdin => {
            let blob = source::stdin::read()?;
            collector.blob(&detector, &blob);
        }
        Input::Paths(paths) => {
            source::fs::walk(paths, &settings.walk, &|item| match item {
                Ok(blob) => collector.blob(&detector, &blob),
                Err(w) => collector.warn(w),
            });
        }
    }
    Ok(collector.finish())
}
