//! `keyleak merge`: the JSONL reports of shards (`scan --repos… --shard K/N --format jsonl`)
//! into the one [`ScanResult`] a single run over every repository would have made: findings
//! in the same total order, counts summed, warnings sorted and deduplicated.
//!
//! Owns reading the files (`read` turns each line back into the model); it must not scan,
//! filter or report: the shards did the filtering, `report` writes the result. A file that
//! cannot be read, a line that is not keyleak's, or a file without its summary line (a shard
//! cut short) ends the run: a merged report quietly missing a shard would pass for a whole
//! audit. For the same reason, shards of `--shard K/N` runs must all be there, each once.

use crate::source::repos::Shard;

pub mod read;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::model::result::{Repositories, ScanResult};

/// Merges the shards' files (`-`: standard input) into one result.
pub fn merge(files: &[PathBuf]) -> Result<ScanResult, Error> {
    let mut result = ScanResult::default();
    let mut repositories = Repositories::default();
    // Per file: the `--shard` it ran with, if any.
    let mut shards: Vec<(&Path, Option<String>)> = Vec::new();
    for file in files {
        let fail = |message: String| Error::Merge {
            path: file.display().to_string(),
            message,
        };
        let text = read_file(file).map_err(|e| fail(format!("cannot read: {e}")))?;
        let mut summarised = false;
        for (number, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let at = |message: String| fail(format!("line {}: {message}", number + 1));
            if summarised {
                return Err(at("a line after the summary line".into()));
            }
            let value: serde_json::Value =
                serde_json::from_str(line).map_err(|e| at(format!("not JSON: {e}")))?;
            if value.get("summary").is_some() {
                let s: read::SummaryLine = serde_json::from_value(value)
                    .map_err(|e| at(format!("not a keyleak summary line: {e}")))?;
                shards.push((file, s.shard.clone()));
                add_summary(&mut result, &mut repositories, s);
                summarised = true;
                continue;
            }
            let line: read::FindingLine = serde_json::from_value(value)
                .map_err(|e| at(format!("not a keyleak finding: {e}")))?;
            result.findings.push(line.finding().map_err(at)?);
        }
        if !summarised {
            return Err(fail(
                "no summary line: not the JSONL of a `keyleak scan --repos…` run, or one cut \
                 short"
                    .into(),
            ));
        }
    }
    complete(&shards)?;
    result.stats.repositories = Some(repositories);
    result
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    result.warnings.sort();
    result.warnings.dedup();
    Ok(result)
}

/// With `--shard` runs, every shard of N once, all of the same N; files without a shard are
/// whole runs, merged only with each other.
fn complete(shards: &[(&Path, Option<String>)]) -> Result<(), Error> {
    let Some((_, Some(first))) = shards.iter().find(|(_, s)| s.is_some()) else {
        return Ok(());
    };
    let fail = |path: &Path, message: String| Error::Merge {
        path: path.display().to_string(),
        message,
    };
    let count = Shard::parse(first).map_err(|m| fail(shards[0].0, m))?.count;
    let mut seen: BTreeMap<u64, &Path> = BTreeMap::new();
    for (path, shard) in shards {
        let Some(text) = shard else {
            return Err(fail(
                path,
                format!("not a shard, merged with shards of {count}"),
            ));
        };
        let s = Shard::parse(text).map_err(|m| fail(path, m))?;
        if s.count != count {
            return Err(fail(
                path,
                format!("shard {text}, merged with shards of {count}"),
            ));
        }
        if let Some(other) = seen.insert(s.index, path) {
            let also = other.display();
            return Err(fail(path, format!("shard {text} again (also in {also})")));
        }
    }
    if let Some(missing) = (1..=count).find(|k| !seen.contains_key(k)) {
        let path = shards[0].0;
        return Err(fail(path, format!("shard {missing}/{count} is missing")));
    }
    Ok(())
}

fn add_summary(result: &mut ScanResult, repos: &mut Repositories, line: read::SummaryLine) {
    let s = line.summary;
    let stats = &mut result.stats;
    stats.blobs += s.scanned_blobs;
    stats.bytes += s.scanned_bytes;
    let sup = s.suppressed.counts();
    stats.suppressed.inline += sup.inline;
    stats.suppressed.path += sup.path;
    stats.suppressed.key_id += sup.key_id;
    stats.suppressed.baseline += sup.baseline;
    stats.suppressed.below_min_risk += sup.below_min_risk;
    if let Some(c) = s.scanned_commits {
        stats.commits = Some(stats.commits.unwrap_or(0) + c);
    }
    let r = s.repositories.counts();
    repos.scanned += r.scanned;
    repos.failed += r.failed;
    result
        .warnings
        .extend(line.warnings.into_iter().map(read::WarningLine::warning));
}

fn read_file(path: &Path) -> std::io::Result<String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin().lock().read_to_string(&mut text)?;
        return Ok(text);
    }
    std::fs::read_to_string(path)
}
