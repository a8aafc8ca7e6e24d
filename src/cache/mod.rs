//! `--cache DIR`: what a history scan remembers of a repository between runs, so that the
//! next run reads only what it has not seen (issue 20).
//!
//! Owns the cache's file format ([`file`](mod@file)), its key and its two uses:
//!
//! - **Replay**: when every reference, HEAD, the selection and the repository's identity are
//!   as they were ([`tips`]), the last run's merged findings, warnings, notes and counts are
//!   handed back without walking anything — unless a finding could still expire as time
//!   passes ([`Cached::replay`]), since expiry depends on the clock.
//! - **Seen blobs**: the ids of the blobs that gave no detection and no warning, with the
//!   counts they added; and for every other blob what reading it gave ([`Yielded`]): its
//!   warnings and, per path it was found at, its findings before their commit was applied
//!   ([`Unsettled`]). When references moved, the walk is planned again (attribution to the
//!   oldest introducing commit, and `in_head`, need it) and a seen blob is not read: its
//!   findings are settled with the commits this walk gives them, as a read blob's are. A
//!   finding depends on its path as well as the blob's bytes (context and role setup read
//!   both, the fingerprint and location name it) and detection on the blob's first path
//!   (judged a configuration file by it), so a blob met at a path it was not classified at,
//!   or under another first path, is read again.
//!
//! Both are valid only for the same keyleak version and detection settings ([`Key`]; blobs
//! with findings also only for the same repository identity); any
//! other key, a file format of another version or a file that cannot be read means a full
//! scan (a corrupt file also a warning). Files are written whole, to a temporary file that is
//! synced and then renamed over the old one: a run killed at any point leaves the old cache
//! or the new one, never a part.
//!
//! The cache holds what a `--show-secrets` report holds (secrets, tokens, lines around them):
//! its directory is created `0700` and its files `0600`. It must not decide what is found:
//! the scan asks it, and skips only blobs whose result it holds.

pub mod file;
mod tips;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{Oid, Repository};
use sha2::{Digest, Sha256};

use crate::model::finding::Finding;
use crate::model::warning::Warning;
use crate::risk::Unsettled;
use crate::risk::history::EXPIRING_KINDS;

pub use file::{Replay, ReplayCounts};
pub use tips::tips;

/// Everything that changes what a blob yields, hashed: keyleak's version, the detector's
/// options, `--max-filesize`, the archive limits (`detect`); and, apart, what else a finding
/// at a path depends on (`place`: the repository's identity, which role setups name). When
/// only `place` changed, the blobs known clean stay known and the others are read again.
/// Built by the scan from its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    detect: String,
    place: String,
}

impl Key {
    /// The parts are settings as text (their `Debug` form is enough: it is compared, never
    /// parsed).
    pub fn new(detect: &[&str], place: &[&str]) -> Key {
        Key {
            detect: hash(std::iter::once(env!("CARGO_PKG_VERSION")).chain(detect.iter().copied())),
            place: hash(place.iter().copied()),
        }
    }
}

/// SHA-256 of `parts`, each followed by a zero byte, as hex.
fn hash<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a repository is scanned in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Miss {
    /// No cache file for it yet.
    New,
    /// Another keyleak version, detection setting or file format wrote it.
    Changed,
    /// It could not be read or parsed (also a warning).
    Unreadable,
}

/// A blob the cache knows gave nothing: the blobs (itself, or its archive members) and bytes
/// it added to the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clean {
    pub blobs: u64,
    pub bytes: u64,
}

/// What reading a blob gave besides counts, when not nothing: what the history scan's
/// per-blob stage yields before the walk's commits are applied.
pub struct Yielded {
    /// The path it was read and detected under: the first of its paths by name.
    pub first: String,
    pub counts: Clean,
    /// Its own warnings (a size over `--max-filesize`, an archive that could not be opened,
    /// a decoding cap), about `first`.
    pub warnings: Vec<Warning>,
    /// Each path it was classified at, with the findings there (as [`file`] writes them);
    /// empty when nothing was detected, whatever the path.
    paths: Vec<(String, Box<serde_json::value::RawValue>)>,
}

impl Yielded {
    /// What reading a blob under `first` gave: `found` per path, in the order given.
    pub fn new(
        first: String,
        counts: Clean,
        warnings: Vec<Warning>,
        found: &[(&str, Vec<Unsettled>)],
    ) -> Yielded {
        let detected = found.iter().any(|(_, f)| !f.is_empty());
        Yielded {
            first,
            counts,
            warnings,
            paths: match detected {
                true => found
                    .iter()
                    .map(|(path, f)| (path.to_string(), file::unsettled_out(f)))
                    .collect(),
                false => Vec::new(),
            },
        }
    }

    /// The findings at each of `paths` for a blob read under `first`; `None` when this
    /// result does not tell (another first path, a path not classified at, or a finding not
    /// as written), and the blob is to be read.
    pub fn at<'p>(
        &self,
        first: &str,
        paths: impl Iterator<Item = &'p str>,
    ) -> Option<Vec<Vec<Unsettled>>> {
        if first != self.first {
            return None;
        }
        paths
            .map(|path| match self.paths.is_empty() {
                true => Some(Vec::new()),
                false => {
                    let (_, found) = self.paths.iter().find(|(p, _)| p == path)?;
                    file::unsettled_in(found).ok()
                }
            })
            .collect()
    }
}

/// One repository's cache, as loaded.
pub struct Cached {
    path: PathBuf,
    key: Key,
    tips: String,
    /// What was found when the tips were `file.tips`.
    replay: Option<(String, file::ReplayIn)>,
    clean: HashMap<Oid, Clean, foldhash::fast::RandomState>,
    found: HashMap<Oid, Yielded, foldhash::fast::RandomState>,
    /// Why there was nothing to reuse, if so.
    pub miss: Option<Miss>,
}

impl Cached {
    /// Loads `repo`'s cache from `dir` (created `0700` if missing). A file written under
    /// another key is ignored; one that cannot be read is ignored with a warning.
    pub fn load(
        dir: &Path,
        repo: &Repository,
        key: Key,
        tips: String,
    ) -> (Cached, Option<Warning>) {
        let path = dir.join(file::name(repo));
        let mut cached = Cached {
            path,
            key,
            tips,
            replay: None,
            clean: HashMap::default(),
            found: HashMap::default(),
            miss: None,
        };
        let warning = match file::read(&cached.path) {
            Ok(None) => {
                cached.miss = Some(Miss::New);
                None
            }
            Ok(Some(f)) if f.key != cached.key.detect => {
                cached.miss = Some(Miss::Changed);
                None
            }
            Ok(Some(mut f)) => match f.clean().and_then(|c| Ok((c, f.found()?))) {
                Ok((clean, found)) => {
                    cached.clean = clean;
                    if f.place == cached.key.place {
                        cached.found = found;
                    }
                    cached.replay = f.replay.map(|r| (f.tips, r));
                    None
                }
                Err(e) => cached.unreadable(e),
            },
            Err(file::ReadError::Format) => {
                cached.miss = Some(Miss::Changed);
                None
            }
            Err(file::ReadError::Bad(e)) => cached.unreadable(e),
        };
        (cached, warning)
    }

    fn unreadable(&mut self, message: String) -> Option<Warning> {
        self.miss = Some(Miss::Unreadable);
        Some(Warning::new(
            self.path.display().to_string(),
            format!("cache not used, scanning in full: {message}"),
        ))
    }

    /// The last run's result, when the tips are the same and no finding's risk could change
    /// with time (a temporary credential or an expiry not yet past).
    pub fn replay(&mut self) -> Option<Replay> {
        let (tips, replay) = self.replay.take()?;
        if tips != self.tips {
            return None;
        }
        let replay = replay.into_replay().ok()?;
        replay.findings.iter().all(settled).then_some(replay)
    }

    /// What the cache knows of blob `oid`: `Some` when it gave nothing.
    pub fn clean(&self, oid: &Oid) -> Option<Clean> {
        self.clean.get(oid).copied()
    }

    /// What reading blob `oid` gave, when it gave something.
    pub fn found(&self, oid: &Oid) -> Option<&Yielded> {
        self.found.get(oid)
    }

    /// Writes the cache anew: the blobs seen (those loaded, then `clean` and `found` by this
    /// run) and this run's result. With `reachable` (the run walked the whole history), a
    /// loaded blob it says no reference reaches any more (a rewritten history, a deleted
    /// branch) is left out, so the file does not grow with what is gone. Atomic: see the
    /// module doc.
    pub fn store(
        mut self,
        mut clean: Vec<(Oid, Clean)>,
        found: Vec<(Oid, Yielded)>,
        replay: (&[Finding], ReplayCounts, &[Warning], &[String]),
        reachable: Option<&dyn Fn(&Oid) -> bool>,
    ) -> std::io::Result<()> {
        if let Some(reachable) = reachable {
            self.clean.retain(|oid, _| reachable(oid));
            self.found.retain(|oid, _| reachable(oid));
        }
        // A blob is clean or found, as this run last saw it: the clean ones are streamed into
        // the file with those loaded, leaving out any now found.
        let mut all_found = self.found;
        for (oid, _) in &clean {
            all_found.remove(oid);
        }
        all_found.extend(found);
        file::write(
            &self.path,
            &self.key,
            &self.tips,
            (&self.clean, clean.as_mut_slice()),
            &all_found,
            replay,
        )
    }
}

/// A finding whose risk no longer depends on the clock: already expired, or with nothing
/// that could expire it (as `risk::classify` decides: a temporary kind from a commit, a
/// presigned URL's expiry, a stated expiry).
fn settled(f: &Finding) -> bool {
    let may_expire = (EXPIRING_KINDS.contains(&f.kind) && f.commit.is_some())
        || f.presigned.is_some_and(|p| p.expires_at.is_some())
        || f.expires_at.is_some();
    f.expired || !may_expire
}

/// Creates `dir` for the cache, `0700` (only its owner may read secrets).
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}
