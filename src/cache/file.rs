//! The cache file of one repository: `<DIR>/<hash of its git directory>.json`, one JSON
//! object whose `format` field says how the rest reads ([`FORMAT`]).
//!
//! JSON rather than SQLite: a run reads one repository's cache whole and writes it whole once
//! the repository is scanned, so a file renamed into place gives the atomicity a database
//! would, with no new dependency; findings are kept as the JSONL report writes them with
//! `--show-secrets` (and read back by the reader `keyleak merge` uses), so the cache cannot
//! drift from the reports. Clean blobs are one string, `OID BLOBS BYTES` per line, which
//! parses in a fraction of the time of a JSON array of records.
//!
//! Blobs that gave findings or warnings (`found`) keep, per path they were classified at,
//! their findings before their commit was applied ([`Unsettled`]), written as findings are
//! and with `paired` beside them. Those are kept as JSON text when the file is read
//! ([`RawValue`]) and parsed only for a blob met again, so a walk that meets few of them
//! pays for few.

use std::collections::HashMap;
use std::path::Path;

use git2::{Oid, Repository};
use serde::{Deserialize, Serialize};

use serde_json::value::RawValue;

use super::{Clean, Yielded};
use crate::merge::read::FindingLine;
use crate::model::finding::Finding;
use crate::model::warning::Warning;
use crate::report::json::JsonFinding;
use crate::risk::Unsettled;

/// The version of this file format. Another value is a cache to ignore (a full scan).
/// 2: blobs with findings or warnings keep them (`found`).
pub const FORMAT: u32 = 2;

mod write;

pub(super) use write::write;

/// The file name for `repo`: a hash of its git directory's canonical path.
pub fn name(repo: &Repository) -> String {
    let dir = repo.path();
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let hash = super::hash([dir.to_string_lossy().as_ref()]);
    format!("{}.json", &hash[..32])
}

/// Counts a replay restores, as the scan that stored them made them.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct ReplayCounts {
    pub commits: Option<u64>,
    pub blobs: u64,
    pub bytes: u64,
    pub unique_blobs: Option<u64>,
    pub plan_bytes: Option<u64>,
}

/// What a run found in a repository, before filters (allow lists, baseline and `--min-risk`
/// apply to it again on replay, as they may have changed).
#[derive(Debug)]
pub struct Replay {
    pub findings: Vec<Finding>,
    pub counts: ReplayCounts,
    pub warnings: Vec<Warning>,
    pub notes: Vec<String>,
}

/// The whole file as one value: what [`write`] streams, field by field (its test compares).
#[cfg(test)]
#[derive(Serialize)]
struct FileOut<'a> {
    format: u32,
    key: &'a str,
    place: &'a str,
    tips: &'a str,
    clean: String,
    found: Vec<BlobOut<'a>>,
    replay: ReplayOut<'a>,
}

/// A blob with findings or warnings ([`Yielded`]).
#[derive(Serialize)]
struct BlobOut<'a> {
    oid: String,
    first: &'a str,
    blobs: u64,
    bytes: u64,
    warnings: Vec<(&'a str, &'a str)>,
    paths: &'a [(String, Box<RawValue>)],
}

#[derive(Serialize)]
struct ReplayOut<'a> {
    findings: Vec<FindingOut<'a>>,
    counts: ReplayCounts,
    warnings: Vec<(&'a str, &'a str)>,
    notes: &'a [String],
}

/// A finding as the JSONL report writes it with `--show-secrets`, and what that line leaves
/// out.
#[derive(Serialize)]
struct FindingOut<'a> {
    line: JsonFinding<'a>,
    redacted_line: &'a str,
    allowed_inline: bool,
    /// An unsettled finding's ([`Unsettled::paired`]); none for a replay's.
    #[serde(skip_serializing_if = "Option::is_none")]
    paired: Option<bool>,
}

impl<'a> FindingOut<'a> {
    fn new(f: &'a Finding, paired: Option<bool>) -> FindingOut<'a> {
        FindingOut {
            line: JsonFinding::new(f, true),
            redacted_line: &f.redacted_line,
            allowed_inline: f.allowed_inline,
            paired,
        }
    }
}

#[derive(Deserialize)]
struct Version {
    format: u32,
}

#[derive(Deserialize)]
pub(super) struct FileIn {
    format: u32,
    pub key: String,
    /// [`Key`]'s `place`: `found` holds only for it.
    pub place: String,
    pub tips: String,
    clean: String,
    found: Vec<BlobIn>,
    #[serde(default)]
    pub replay: Option<ReplayIn>,
}

#[derive(Deserialize)]
struct BlobIn {
    oid: String,
    first: String,
    blobs: u64,
    bytes: u64,
    warnings: Vec<(String, String)>,
    paths: Vec<(String, Box<RawValue>)>,
}

#[derive(Deserialize)]
pub(super) struct ReplayIn {
    findings: Vec<FindingIn>,
    counts: ReplayCounts,
    warnings: Vec<(String, String)>,
    notes: Vec<String>,
}

#[derive(Deserialize)]
struct FindingIn {
    line: FindingLine,
    redacted_line: String,
    allowed_inline: bool,
    #[serde(default)]
    paired: Option<bool>,
}

impl FindingIn {
    /// The finding as it was written; `Err` names a field not as written.
    fn finding(self) -> Result<Finding, String> {
        let mut finding = self.line.finding()?;
        finding.redacted_line = self.redacted_line;
        finding.allowed_inline = self.allowed_inline;
        Ok(finding)
    }
}

/// `found`, one path's findings, as the file keeps them.
pub(super) fn unsettled_out(found: &[Unsettled]) -> Box<RawValue> {
    let out: Vec<FindingOut> = found
        .iter()
        .map(|u| FindingOut::new(&u.finding, Some(u.paired)))
        .collect();
    serde_json::value::to_raw_value(&out).expect("findings serialize")
}

/// One path's findings back from [`unsettled_out`]'s text.
pub(super) fn unsettled_in(text: &RawValue) -> Result<Vec<Unsettled>, String> {
    let found: Vec<FindingIn> = serde_json::from_str(text.get()).map_err(|e| e.to_string())?;
    found
        .into_iter()
        .map(|f| {
            let paired = f.paired.ok_or("a finding without `paired`")?;
            Ok(Unsettled {
                finding: f.finding()?,
                paired,
            })
        })
        .collect()
}

/// Why a cache file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Written in another [`FORMAT`].
    Format,
    /// Not JSON, or not this format's fields: the message says what.
    Bad(String),
}

/// The file at `path`; `Ok(None)` when there is none.
pub(super) fn read(path: &Path) -> Result<Option<FileIn>, ReadError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ReadError::Bad(e.to_string())),
    };
    match serde_json::from_slice::<Version>(&bytes) {
        Ok(v) if v.format != FORMAT => return Err(ReadError::Format),
        Ok(_) => {}
        Err(e) => return Err(ReadError::Bad(e.to_string())),
    }
    let file: FileIn = serde_json::from_slice(&bytes).map_err(|e| ReadError::Bad(e.to_string()))?;
    debug_assert_eq!(file.format, FORMAT);
    Ok(Some(file))
}

impl FileIn {
    /// The clean blobs, by id.
    pub(super) fn clean(&self) -> Result<HashMap<Oid, Clean, foldhash::fast::RandomState>, String> {
        let mut out = HashMap::default();
        for line in self.clean.lines() {
            let mut fields = line.split(' ');
            let mut next = || {
                fields
                    .next()
                    .ok_or(format!("short clean-blob line `{line}`"))
            };
            let oid = Oid::from_str(next()?).map_err(|e| e.message().to_string())?;
            let number = |t: &str| t.parse::<u64>().map_err(|e| format!("`{t}`: {e}"));
            let blobs = number(next()?)?;
            let bytes = number(next()?)?;
            out.insert(oid, Clean { blobs, bytes });
        }
        Ok(out)
    }

    /// The blobs with findings or warnings, by id.
    pub(super) fn found(
        &mut self,
    ) -> Result<HashMap<Oid, Yielded, foldhash::fast::RandomState>, String> {
        std::mem::take(&mut self.found)
            .into_iter()
            .map(|b| {
                let oid = Oid::from_str(&b.oid).map_err(|e| e.message().to_string())?;
                let yielded = Yielded {
                    first: b.first,
                    counts: Clean {
                        blobs: b.blobs,
                        bytes: b.bytes,
                    },
                    warnings: b
                        .warnings
                        .into_iter()
                        .map(|(s, m)| Warning::new(s, m))
                        .collect(),
                    paths: b.paths,
                };
                Ok((oid, yielded))
            })
            .collect()
    }
}

impl ReplayIn {
    /// The stored result, its findings rebuilt; `Err` names a finding not as written.
    pub(super) fn into_replay(self) -> Result<Replay, String> {
        let findings = self
            .findings
            .into_iter()
            .map(FindingIn::finding)
            .collect::<Result<_, String>>()?;
        Ok(Replay {
            findings,
            counts: self.counts,
            warnings: self
                .warnings
                .into_iter()
                .map(|(s, m)| Warning::new(s, m))
                .collect(),
            notes: self.notes,
        })
    }
}

#[cfg(test)]
mod tests;
