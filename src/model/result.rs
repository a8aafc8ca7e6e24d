//! [`ScanResult`]: what a run found, as every reporter reads it; [`Stats`] and
//! [`Suppressed`], its counts. `scan` computes it, `run` completes it (verification,
//! `--min-risk`), `report` writes it. Plain data: nothing here scans, filters or prints.

use super::finding::Finding;
use super::warning::Warning;

/// How many findings each rule suppressed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Suppressed {
    pub inline: u64,
    pub path: u64,
    pub key_id: u64,
    pub baseline: u64,
    /// Below `--min-risk`.
    pub below_min_risk: u64,
}

impl Suppressed {
    pub fn total(&self) -> u64 {
        self.inline + self.path + self.key_id + self.baseline + self.below_min_risk
    }
}

/// Counts for the summary.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    pub blobs: u64,
    pub bytes: u64,
    /// Findings left out, by rule (inline marker, allowed path or key ID, baseline).
    pub suppressed: Suppressed,
    /// History scans: commits walked.
    pub commits: Option<u64>,
    /// Multi-repository scans (`--repos`, `--repos-under`): how many were scanned and how
    /// many could not be (each also a warning).
    pub repositories: Option<Repositories>,
}

/// Repositories of a multi-repository scan.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Repositories {
    pub scanned: u64,
    pub failed: u64,
    /// `--shard K/N`: (K, N). Written in the JSONL summary line, so that `merge` can tell
    /// a missing or repeated shard.
    pub shard: Option<(u64, u64)>,
}

/// Everything a run found.
#[derive(Debug, Default)]
pub struct ScanResult {
    /// Sorted by [`Finding::sort_key`].
    pub findings: Vec<Finding>,
    /// Sorted, deduplicated.
    pub warnings: Vec<Warning>,
    pub stats: Stats,
    /// What the scan chose on its own (an all-zero `--range` base), for `keyleak: note: …`.
    pub notes: Vec<String>,
}
