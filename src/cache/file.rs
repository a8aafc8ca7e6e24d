//! The cache file of one repository: `<DIR>/<hash of its git directory>.json`, one JSON
//! object whose `format` field says how the rest reads ([`FORMAT`]).
//!
//! JSON rather than SQLite: a run reads one repository's cache whole and writes it whole once
//! the repository is scanned, so a file renamed into place gives the atomicity a database
//! would, with no new dependency; findings are kept as the JSONL report writes them with
//! `--show-secrets` (and read back by the reader `keyleak merge` uses), so the cache cannot
//! drift from the reports. Clean blobs are one string, `OID BLOBS BYTES` per line, which
//! parses in a fraction of the time of a JSON array of records.

use std::collections::HashMap;
use std::path::Path;

use git2::{Oid, Repository};
use serde::{Deserialize, Serialize};

use super::Clean;
use crate::merge::read::FindingLine;
use crate::model::finding::Finding;
use crate::model::warning::Warning;
use crate::report::json::JsonFinding;

/// The version of this file format. Another value is a cache to ignore (a full scan).
pub const FORMAT: u32 = 1;

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
    tips: &'a str,
    clean: String,
    replay: ReplayOut<'a>,
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
}

#[derive(Deserialize)]
struct Version {
    format: u32,
}

#[derive(Deserialize)]
pub(super) struct FileIn {
    format: u32,
    pub key: String,
    pub tips: String,
    clean: String,
    #[serde(default)]
    pub replay: Option<ReplayIn>,
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
}

impl ReplayIn {
    /// The stored result, its findings rebuilt; `Err` names a finding not as written.
    pub(super) fn into_replay(self) -> Result<Replay, String> {
        let findings = self
            .findings
            .into_iter()
            .map(|f| {
                let mut finding = f.line.finding()?;
                finding.redacted_line = f.redacted_line;
                finding.allowed_inline = f.allowed_inline;
                Ok(finding)
            })
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

/// The clean blobs to write: those loaded from the last file, and this run's (any order).
pub(super) type CleanBlobs<'a> = (
    &'a HashMap<Oid, Clean, foldhash::fast::RandomState>,
    &'a mut [(Oid, Clean)],
);

/// Writes the file at `path` whole: to a temporary file beside it (`0600`), synced, renamed
/// over `path`, and the directory synced, so that `path` is always the old file or the new.
///
/// The clean blobs are those `loaded` and `fresh` (sorted here), one line each, streamed into
/// the file as they are formatted: on git/git's 262,368 blobs, building the whole string, a
/// merged map and the JSON in memory first was 30 MB on top of the scan's peak. The bytes
/// written are what serializing [`FileOut`] gives.
pub(super) fn write(
    path: &Path,
    key: &str,
    tips: &str,
    clean: CleanBlobs<'_>,
    replay: (&[Finding], ReplayCounts, &[Warning], &[String]),
) -> std::io::Result<()> {
    let (findings, counts, warnings, notes) = replay;
    let replay = ReplayOut {
        findings: findings
            .iter()
            .map(|f| FindingOut {
                line: JsonFinding::new(f, true),
                redacted_line: &f.redacted_line,
                allowed_inline: f.allowed_inline,
            })
            .collect(),
        counts,
        warnings: warnings
            .iter()
            .map(|w| (w.subject.as_str(), w.message.as_str()))
            .collect(),
        notes,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = path.with_extension(format!("json.tmp{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&tmp).and_then(|file| {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        write_json(&mut out, key, tips, clean, &replay)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    // The rename is durable once the directory is: a failure here loses nothing written.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The file's JSON, field by field as serde writes [`FileOut`], the `clean` string a line at
/// a time: ids (hex) and counts (digits) need no escaping but the newline's.
fn write_json(
    out: &mut impl std::io::Write,
    key: &str,
    tips: &str,
    clean: CleanBlobs<'_>,
    replay: &ReplayOut<'_>,
) -> std::io::Result<()> {
    let (loaded, fresh) = clean;
    let mut loaded: Vec<(&Oid, &Clean)> = loaded.iter().collect();
    loaded.sort_unstable_by_key(|(oid, _)| **oid);
    fresh.sort_unstable_by_key(|(oid, _)| *oid);
    write!(out, "{{\"format\":{FORMAT},\"key\":")?;
    serde_json::to_writer(&mut *out, key)?;
    out.write_all(b",\"tips\":")?;
    serde_json::to_writer(&mut *out, tips)?;
    out.write_all(b",\"clean\":\"")?;
    // Both sorted: merged in id order; a blob in both (never, as the scan skips what was
    // loaded) is written once, with this run's counts.
    let mut loaded = loaded.into_iter().peekable();
    let mut fresh = fresh.iter().peekable();
    loop {
        let (oid, c) = match (loaded.peek(), fresh.peek()) {
            (Some(&(l, _)), Some(&&(f, ref c))) if f <= *l => {
                if f == *l {
                    loaded.next();
                }
                fresh.next();
                (f, *c)
            }
            (Some(&(l, c)), _) => {
                let (l, c) = (*l, *c);
                loaded.next();
                (l, c)
            }
            (None, Some(&&(f, c))) => {
                fresh.next();
                (f, c)
            }
            (None, None) => break,
        };
        write!(out, "{oid} {} {}\\n", c.blobs, c.bytes)?;
    }
    out.write_all(b"\",\"replay\":")?;
    serde_json::to_writer(&mut *out, replay)?;
    out.write_all(b"}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).expect("20 bytes")
    }

    /// The streamed file is byte for byte what serializing the whole value gives, with the
    /// loaded and fresh clean blobs merged in id order (a blob in both once, this run's counts).
    #[test]
    fn streamed_file_is_the_serialized_value() {
        let loaded: HashMap<Oid, Clean, foldhash::fast::RandomState> = [
            (
                oid(9),
                Clean {
                    blobs: 1,
                    bytes: 90,
                },
            ),
            (
                oid(2),
                Clean {
                    blobs: 1,
                    bytes: 20,
                },
            ),
            (
                oid(5),
                Clean {
                    blobs: 1,
                    bytes: 50,
                },
            ),
        ]
        .into_iter()
        .collect();
        let mut fresh = vec![
            (oid(7), Clean { blobs: 3, bytes: 7 }),
            (
                oid(5),
                Clean {
                    blobs: 2,
                    bytes: 55,
                },
            ),
            (oid(1), Clean { blobs: 1, bytes: 0 }),
        ];
        let warnings = [Warning::new("a \"b\"", "c\nd")];
        let notes = ["note é".to_string()];
        let counts = ReplayCounts {
            commits: Some(3),
            blobs: 4,
            bytes: 5,
            unique_blobs: None,
            plan_bytes: Some(6),
        };
        let replay = ReplayOut {
            findings: Vec::new(),
            counts,
            warnings: warnings
                .iter()
                .map(|w| (w.subject.as_str(), w.message.as_str()))
                .collect(),
            notes: &notes,
        };
        let mut streamed = Vec::new();
        write_json(
            &mut streamed,
            "key\u{1}",
            "tips\t",
            (&loaded, &mut fresh),
            &replay,
        )
        .unwrap();
        let clean = [(1, 1, 0), (2, 1, 20), (5, 2, 55), (7, 3, 7), (9, 1, 90)]
            .iter()
            .map(|&(n, blobs, bytes)| format!("{} {blobs} {bytes}\n", oid(n)))
            .collect();
        let whole = FileOut {
            format: FORMAT,
            key: "key\u{1}",
            tips: "tips\t",
            clean,
            replay,
        };
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            serde_json::to_string(&whole).unwrap()
        );
    }
}
