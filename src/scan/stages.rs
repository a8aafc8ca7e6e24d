//! `--stats`: what a scan read and how long each of its stages took, for measuring rather than
//! guessing (issue 18).
//!
//! Owns the figures and their wording on standard error. Counts are exact. Times are taken
//! around the real stages: wall clock for the plan, the parallel read-and-detect pass, the
//! merge and the report; read (inflating git blobs), expand (inflating and extracting archive
//! members) and detect (detection and classification of each blob and member) are also summed
//! per worker from clocks around each blob, so their sum over the pass's wall time shows how
//! busy the workers were. Workers only add to atomics;
//! nothing here prints before the run is over, and nothing here changes what is found.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Thread time summed by workers, in nanoseconds: bumped with relaxed atomics.
#[derive(Debug, Default)]
pub(super) struct Clocks {
    /// Whether the read and detect clocks run (`--stats`). Off, they take no time and touch
    /// no shared counter: in a walk of small files, two clock reads and an atomic add
    /// shared by every worker, per file, cost about 1% of the run.
    timed: bool,
    read: AtomicU64,
    detect: AtomicU64,
    /// Archives: inflating and extracting members, apart from detecting them.
    expand: AtomicU64,
    bytes_read: AtomicU64,
    /// History scans: blobs keyleak's pack reader read (the others, libgit2).
    from_packs: AtomicU64,
}

impl Clocks {
    /// Clocks that run when `timed` (`--stats`).
    pub(super) fn new(timed: bool) -> Clocks {
        Clocks {
            timed,
            ..Clocks::default()
        }
    }

    /// One blob was read from the packs by keyleak's own reader.
    pub(super) fn count_packed(&self) {
        self.from_packs.fetch_add(1, Ordering::Relaxed);
    }

    /// Runs `f` (a blob read of `bytes` bytes, known once it is done) and adds its time to
    /// the read clock.
    pub(super) fn read<T>(&self, f: impl FnOnce() -> T, bytes: impl Fn(&T) -> usize) -> T {
        if !self.timed {
            return f();
        }
        let start = Instant::now();
        let out = f();
        add(&self.read, start);
        self.bytes_read
            .fetch_add(bytes(&out) as u64, Ordering::Relaxed);
        out
    }

    /// Runs `f` and adds its time to the detect clock.
    pub(super) fn detect<T>(&self, f: impl FnOnce() -> T) -> T {
        if !self.timed {
            return f();
        }
        let start = Instant::now();
        let out = f();
        add(&self.detect, start);
        out
    }

    /// Adds `spent` expanding an archive (its members' detection not included).
    pub(super) fn add_expand(&self, spent: Duration) {
        add_nanos(&self.expand, spent);
    }
}

fn add(clock: &AtomicU64, since: Instant) {
    add_nanos(clock, since.elapsed());
}

fn add_nanos(clock: &AtomicU64, spent: Duration) {
    let nanos = u64::try_from(spent.as_nanos()).unwrap_or(u64::MAX);
    clock.fetch_add(nanos, Ordering::Relaxed);
}

/// The figures of one run, printed by [`StageStats::write`].
#[derive(Debug, Default)]
pub struct StageStats {
    /// History scans: commits walked.
    pub commits: Option<u64>,
    /// History scans: unique blobs planned (each read once).
    pub unique_blobs: Option<u64>,
    /// History scans: bytes the plan holds (paths, introducing commits, blob ids).
    pub plan_bytes: Option<u64>,
    /// History scans: unique blobs read from the packs by keyleak's reader; the others
    /// (loose, in an alternate, declined, over `--max-filesize`) through libgit2 or not at all.
    pub from_packs: Option<u64>,
    /// Blobs scanned (files, git blobs, archive members, commit and tag texts).
    pub blobs: u64,
    /// Bytes read from git objects (history scans) or scanned (other scans).
    pub bytes: u64,
    /// Worker threads of the read-and-detect pass.
    pub workers: usize,
    pub plan: Option<Duration>,
    /// Summed over workers; history scans only.
    pub read: Option<Duration>,
    /// Archives opened (not `--no-archives`): inflating and extracting members, summed over
    /// workers, apart from `detect`.
    pub expand: Option<Duration>,
    /// Summed over workers.
    pub detect: Duration,
    /// Wall time of the pass that reads and detects.
    pub scan: Duration,
    pub merge: Duration,
    pub report: Duration,
    /// `--cache`: what was replayed, reused and read.
    pub cache: Option<super::CacheStats>,
    /// The process's peak resident set in bytes, taken after the report; none where the
    /// system does not say.
    pub peak_rss: Option<u64>,
}

impl StageStats {
    pub(super) fn take_clocks(&mut self, clocks: &Clocks) {
        let nanos = |c: &AtomicU64| Duration::from_nanos(c.load(Ordering::Relaxed));
        self.detect = nanos(&clocks.detect);
        if self.expand.is_some() {
            self.expand = Some(nanos(&clocks.expand));
        }
        if self.unique_blobs.is_some() {
            self.read = Some(nanos(&clocks.read));
            self.bytes = clocks.bytes_read.load(Ordering::Relaxed);
            self.from_packs = Some(clocks.from_packs.load(Ordering::Relaxed));
        }
    }

    /// One `keyleak: stats: NAME: VALUE` line per figure.
    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut line = |name: &str, value: String| writeln!(out, "keyleak: stats: {name}: {value}");
        let secs = |d: Duration| format!("{:.2} s", d.as_secs_f64());
        let summed = |d: Duration| format!("{} summed over {} workers", secs(d), self.workers);
        if let Some(commits) = self.commits {
            line("commits walked", commits.to_string())?;
        }
        if let Some(unique) = self.unique_blobs {
            line("unique blobs", unique.to_string())?;
            if let Some(packed) = self.from_packs {
                line(
                    "read from packs",
                    format!("{packed} of {unique} unique blobs"),
                )?;
            }
        }
        line("blobs scanned", self.blobs.to_string())?;
        line("bytes read", self.bytes.to_string())?;
        if let (Some(bytes), Some(unique)) = (self.plan_bytes, self.unique_blobs) {
            let per_blob = bytes.checked_div(unique).unwrap_or(0);
            line(
                "plan memory",
                format!("{bytes} bytes ({per_blob} bytes per unique blob)"),
            )?;
        }
        if let Some(plan) = self.plan {
            line("plan", secs(plan))?;
        }
        if let Some(read) = self.read {
            line("read/inflate", summed(read))?;
        }
        if let Some(expand) = self.expand {
            line("expand archives", summed(expand))?;
        }
        line("detect", summed(self.detect))?;
        line("read+detect", format!("{} wall", secs(self.scan)))?;
        line("merge", secs(self.merge))?;
        if let Some(cache) = &self.cache {
            line("cache", cache.describe())?;
        }
        line("report", secs(self.report))?;
        if let Some(peak) = self.peak_rss {
            line("peak RSS", format!("{peak} bytes ({} MiB)", peak >> 20))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_figures_are_named_one_per_line() {
        let stats = StageStats {
            commits: Some(3),
            unique_blobs: Some(4),
            plan_bytes: Some(400),
            from_packs: Some(3),
            blobs: 5,
            bytes: 1234,
            workers: 2,
            plan: Some(Duration::from_millis(1500)),
            read: Some(Duration::from_millis(20)),
            expand: Some(Duration::from_millis(30)),
            ..StageStats::default()
        };
        let mut out = Vec::new();
        stats.write(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "keyleak: stats: commits walked: 3",
                "keyleak: stats: unique blobs: 4",
                "keyleak: stats: read from packs: 3 of 4 unique blobs",
                "keyleak: stats: blobs scanned: 5",
                "keyleak: stats: bytes read: 1234",
                "keyleak: stats: plan memory: 400 bytes (100 bytes per unique blob)",
                "keyleak: stats: plan: 1.50 s",
                "keyleak: stats: read/inflate: 0.02 s summed over 2 workers",
                "keyleak: stats: expand archives: 0.03 s summed over 2 workers",
                "keyleak: stats: detect: 0.00 s summed over 2 workers",
                "keyleak: stats: read+detect: 0.00 s wall",
                "keyleak: stats: merge: 0.00 s",
                "keyleak: stats: report: 0.00 s",
            ]
        );
    }

    #[test]
    fn clocks_count_bytes_read_and_sum_time() {
        let clocks = Clocks::new(true);
        let got = clocks.read(|| vec![0u8; 10], Vec::len);
        assert_eq!(got.len(), 10);
        clocks.detect(|| std::thread::sleep(Duration::from_millis(2)));
        clocks.add_expand(Duration::from_millis(3));
        clocks.add_expand(Duration::from_millis(4));
        let mut stats = StageStats {
            unique_blobs: Some(1),
            expand: Some(Duration::ZERO),
            ..StageStats::default()
        };
        stats.take_clocks(&clocks);
        assert_eq!(stats.bytes, 10);
        assert!(stats.detect >= Duration::from_millis(2));
        assert_eq!(stats.expand, Some(Duration::from_millis(7)));
    }
}
