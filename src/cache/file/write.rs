//! Writing the cache file: whole, to a temporary file renamed into place, the clean blobs
//! streamed a line at a time. Owns the bytes written; what they mean is `file`'s format.

use std::collections::HashMap;
use std::path::Path;

use git2::Oid;

use super::super::{Clean, Key, Yielded};
use super::{BlobOut, FORMAT, FindingOut, ReplayCounts, ReplayOut};
use crate::model::finding::Finding;
use crate::model::warning::Warning;

/// The clean blobs to write: those loaded from the last file, and this run's (any order).
pub(in crate::cache) type CleanBlobs<'a> = (
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
pub(in crate::cache) fn write(
    path: &Path,
    key: &Key,
    tips: &str,
    clean: CleanBlobs<'_>,
    found: &HashMap<Oid, Yielded, foldhash::fast::RandomState>,
    replay: (&[Finding], ReplayCounts, &[Warning], &[String]),
) -> std::io::Result<()> {
    let (findings, counts, warnings, notes) = replay;
    let mut sorted: Vec<(&Oid, &Yielded)> = found.iter().collect();
    sorted.sort_by_key(|(oid, _)| **oid);
    let blobs: Vec<BlobOut<'_>> = sorted
        .into_iter()
        .map(|(oid, y)| BlobOut {
            oid: oid.to_string(),
            first: &y.first,
            blobs: y.counts.blobs,
            bytes: y.counts.bytes,
            warnings: pairs(&y.warnings),
            paths: &y.paths,
        })
        .collect();
    let replay = ReplayOut {
        findings: findings.iter().map(|f| FindingOut::new(f, None)).collect(),
        counts,
        warnings: pairs(warnings),
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
        let is_found = |oid: &Oid| found.contains_key(oid);
        write_json(&mut out, key, tips, (clean, &is_found), &blobs, &replay)?;
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

/// Warnings as the file writes them: `[subject, message]`.
fn pairs(warnings: &[Warning]) -> Vec<(&str, &str)> {
    warnings
        .iter()
        .map(|w| (w.subject.as_str(), w.message.as_str()))
        .collect()
}

/// The file's JSON, field by field as serde writes [`FileOut`], the `clean` string a line at
/// a time: ids (hex) and counts (digits) need no escaping but the newline's. A clean blob that
/// `is_found` (it gave something this run) is left out of `clean`.
pub(super) fn write_json(
    out: &mut impl std::io::Write,
    key: &Key,
    tips: &str,
    (clean, is_found): (CleanBlobs<'_>, &dyn Fn(&Oid) -> bool),
    found: &[BlobOut<'_>],
    replay: &ReplayOut<'_>,
) -> std::io::Result<()> {
    let (loaded, fresh) = clean;
    let mut loaded: Vec<(&Oid, &Clean)> = loaded.iter().collect();
    loaded.sort_unstable_by_key(|(oid, _)| **oid);
    fresh.sort_unstable_by_key(|(oid, _)| *oid);
    write!(out, "{{\"format\":{FORMAT},\"key\":")?;
    serde_json::to_writer(&mut *out, &key.detect)?;
    out.write_all(b",\"place\":")?;
    serde_json::to_writer(&mut *out, &key.place)?;
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
        if !is_found(&oid) {
            write!(out, "{oid} {} {}\\n", c.blobs, c.bytes)?;
        }
    }
    out.write_all(b"\",\"found\":")?;
    serde_json::to_writer(&mut *out, found)?;
    out.write_all(b",\"replay\":")?;
    serde_json::to_writer(&mut *out, replay)?;
    out.write_all(b"}")
}
