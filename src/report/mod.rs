//! Reporters: one [`Reporter`] trait, one file per format. They read a finished
//! [`ScanResult`] and write it; they never scan, filter or decide exit codes. [`mod@file`] puts a
//! report in an `--output` file.

pub mod file;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod sarif;
pub mod token_meta;
pub mod uri;
pub mod verified;

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::model::account_string;
use crate::model::finding::{Finding, Kind, Risk};
use crate::model::result::ScanResult;
use crate::settings::{Format, GitMode, Input, Settings};

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

/// The reporter for standard output (`settings.format`, coloured as `--color` says).
pub fn reporter_for(settings: &Settings) -> Box<dyn Reporter> {
    let staged = matches!(
        settings.input,
        Input::Git {
            mode: GitMode::Staged,
            ..
        }
    );
    let options = ReportOptions {
        color: settings.color,
        // A hook prints nothing when nothing is found: pre-commit may split its files among
        // several runs, and a clean one's summary would read as the verdict on them all.
        clean: match (staged || settings.hook_files, settings.verbose) {
            (false, _) => CleanRun::Summary,
            (true, false) => CleanRun::Silent,
            (true, true) => CleanRun::OneLine,
        },
        ..file_options(settings)
    };
    reporter(settings.format, options, settings)
}

/// The reporter for an `--output` file: never coloured (`--color` is about the terminal),
/// and a clean run's file holds its summary (a file that is there but empty says nothing).
pub fn file_reporter(format: Format, settings: &Settings) -> Box<dyn Reporter> {
    reporter(format, file_options(settings), settings)
}

fn file_options(settings: &Settings) -> ReportOptions {
    ReportOptions {
        show_secrets: settings.show_secrets,
        color: false,
        show_info: settings.show_info,
        clean: CleanRun::Summary,
    }
}

fn reporter(format: Format, options: ReportOptions, settings: &Settings) -> Box<dyn Reporter> {
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
        Format::Gitlab => Box::new(gitlab::Gitlab::new(options, settings)),
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
