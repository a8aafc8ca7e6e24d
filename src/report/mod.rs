//! Reporters: one [`Reporter`] trait, one file per format, chosen by [`reporter`]. They read a
//! finished [`ScanResult`] and write it; they never scan, filter or decide exit codes.
//! [`mod@file`] puts a report in an `--output` file.
//!
//! Everything a reporter needs comes in as plain data: the result, [`ReportOptions`] and
//! [`ScanTimes`]. Report imports the model and the low layers (`printable`, `redact`,
//! `detect`'s plain types) only, never `settings` or `scan`: `settings` turns flags into these
//! options and reads the clock.

pub mod file;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod message;
pub mod sarif;
pub mod token_meta;
pub mod uri;
pub mod verified;

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::model::account_string;
use crate::model::finding::{Finding, Kind, Risk};
use crate::model::result::ScanResult;

/// Options every reporter honours.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportOptions {
    pub show_secrets: bool,
    pub color: bool,
    /// Human output and annotations: list `info` findings, not only count them (`--show-info`).
    pub show_info: bool,
    /// What human output prints when nothing was found.
    pub clean: CleanRun,
}

/// What human output prints for a run without findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CleanRun {
    /// The summary, as for any run.
    #[default]
    Summary,
    /// Nothing: a pre-commit hook that passes stays quiet (`--staged`, `--hook-files`).
    Silent,
    /// One line saying what was scanned (`-v` with either).
    OneLine,
}

pub trait Reporter {
    fn report(&self, out: &mut dyn Write, result: &ScanResult) -> io::Result<()>;
}

/// An output format: `--format`, or the `FORMAT` of `--output FORMAT=PATH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Jsonl,
    Sarif,
    Github,
    Gitlab,
}

/// When the scan ran, in Unix seconds: GitLab's report states both. The driver reads the
/// clock (or `KEYLEAK_NOW`); a reporter only writes what it is given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanTimes {
    pub started: i64,
    pub finished: i64,
}

/// The reporter for `format`.
pub fn reporter(format: Format, options: ReportOptions, times: ScanTimes) -> Box<dyn Reporter> {
    match format {
        Format::Human => Box::new(human::Human { options }),
        Format::Json => Box::new(json::Json {
            options,
            lines: false,
        }),
        Format::Jsonl => Box::new(json::Json {
            options,
            lines: true,
        }),
        Format::Sarif => Box::new(sarif::Sarif { options }),
        Format::Github => Box::new(github::Github { options }),
        Format::Gitlab => Box::new(gitlab::Gitlab {
            options,
            started: times.started,
            finished: times.finished,
        }),
    }
}

/// Counts over a result's findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub findings: usize,
    /// Every risk level, highest first, with its count (zero included).
    pub by_risk: Vec<(Risk, usize)>,
    /// Accounts in order, `unknown` for keys that do not encode one or lone secrets;
    /// documentation and placeholder examples are not counted.
    pub by_account: BTreeMap<String, usize>,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Summary {
        let by_risk = Risk::ALL
            .iter()
            .map(|r| (*r, findings.iter().filter(|f| f.risk == *r).count()))
            .collect();
        let mut by_account = BTreeMap::new();
        // A placeholder names no account, not even `unknown`: it is no one's key.
        for f in findings.iter().filter(|f| !f.example) {
            let account = f
                .account_id
                .map_or_else(|| "unknown".to_string(), account_string);
            *by_account.entry(account).or_insert(0) += 1;
        }
        Summary {
            findings: findings.len(),
            by_risk,
            by_account,
        }
    }
}

/// The `info` findings that human output and annotations count instead of listing, unless
/// `--show-info`: their number and what they are, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HiddenInfo {
    pub count: usize,
    /// What they are (`documentation examples`, `identifiers`, ...), each once.
    pub what: Vec<&'static str>,
}

impl HiddenInfo {
    /// The `info` findings of `findings` when `options` hides them; `None` when there are
    /// none to hide.
    pub fn of(findings: &[Finding], options: &ReportOptions) -> Option<HiddenInfo> {
        if options.show_info {
            return None;
        }
        let info: Vec<&Finding> = findings.iter().filter(|f| f.risk == Risk::Info).collect();
        if info.is_empty() {
            return None;
        }
        let what = INFO_KINDS
            .iter()
            .enumerate()
            .filter(|(i, _)| info.iter().any(|f| info_kind(f) == *i))
            .map(|(_, name)| *name)
            .collect();
        Some(HiddenInfo {
            count: info.len(),
            what,
        })
    }

    /// `plus 539 info findings (documentation examples, identifiers): --show-info lists them`
    pub fn line(&self) -> String {
        let (noun, them) = match self.count {
            1 => ("finding", "it"),
            _ => ("findings", "them"),
        };
        format!(
            "plus {} info {noun} ({}): --show-info lists {them}",
            self.count,
            self.what.join(", ")
        )
    }
}

/// What `info` findings are, in the order the count line lists them ([`info_kind`]).
const INFO_KINDS: [&str; 4] = [
    "documentation examples",
    "identifiers",
    "expired presigned URLs",
    "other",
];

/// Which of [`INFO_KINDS`] an `info` finding is.
fn info_kind(f: &Finding) -> usize {
    match f.kind {
        _ if f.example => 0,
        Kind::UniqueId => 1,
        Kind::PresignedUrl => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_info_line() {
        let line = |count, what| HiddenInfo { count, what }.line();
        assert_eq!(
            line(1, vec!["identifiers"]),
            "plus 1 info finding (identifiers): --show-info lists it"
        );
        assert_eq!(
            line(539, vec!["documentation examples", "identifiers"]),
            "plus 539 info findings (documentation examples, identifiers): --show-info lists them"
        );
    }
}
