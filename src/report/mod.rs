//! Reporters: one [`Reporter`] trait, one file per format. They read a finished
//! [`ScanResult`] and write it; they never scan, filter or decide exit codes. [`file`] puts a
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

use crate::finding::{Finding, Risk};
use crate::scan::ScanResult;
use crate::settings::{Format, Settings};

/// Options every reporter honours.
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions {
    pub show_secrets: bool,
    pub color: bool,
}

pub trait Reporter {
    fn report(&self, out: &mut dyn Write, result: &ScanResult) -> io::Result<()>;
}

/// The reporter for standard output (`settings.format`, coloured as `--color` says).
pub fn reporter_for(settings: &Settings) -> Box<dyn Reporter> {
    let options = ReportOptions {
        show_secrets: settings.show_secrets,
        color: settings.color,
    };
    reporter(settings.format, options, settings)
}

/// The reporter for an `--output` file: never coloured (`--color` is about the terminal).
pub fn file_reporter(format: Format, settings: &Settings) -> Box<dyn Reporter> {
    let options = ReportOptions {
        show_secrets: settings.show_secrets,
        color: false,
    };
    reporter(format, options, settings)
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

/// Twelve digits, zero-padded, as AWS prints account IDs.
pub fn account_string(account: u64) -> String {
    format!("{account:012}")
}

/// Counts over a result's findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub findings: usize,
    /// Every risk level, highest first, with its count (zero included).
    pub by_risk: Vec<(Risk, usize)>,
    /// Accounts in order, `unknown` for keys that do not encode one or lone secrets.
    pub by_account: BTreeMap<String, usize>,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Summary {
        let by_risk = Risk::ALL
            .iter()
            .map(|r| (*r, findings.iter().filter(|f| f.risk == *r).count()))
            .collect();
        let mut by_account = BTreeMap::new();
        for f in findings {
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
