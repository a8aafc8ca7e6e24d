//! Human output: one compiler-style diagnostic per finding, then a summary. `info` findings
//! (documentation examples, identifiers) are one count line unless `--show-info`; a clean
//! `--staged` run prints nothing, or one line with `-v` ([`super::CleanRun`]).
//!
//! ```text
//! critical: long-term AWS access key with its secret
//!   --> config/prod.env:2:19
//!    |
//!  2 | AWS_ACCESS_KEY_ID=AKIARZPUZDIKGB2VALC4
//!    |                   ^^^^^^^^^^^^^^^^^^^^ IAM user access key, account 123456789012
//!    = secret: 5dkL… (line 3)
//!    = now: Deactivate and delete this key in IAM now ...
//!    = instead: People: use IAM Identity Center ...
//! ```
//! History findings add, after the location, the commit with its author and date, and a
//! `history:` line when HEAD no longer holds the key:
//! ```text
//!   --> config/prod.env:2:19
//!    = commit 1f0c2d9e4b7a… by Jane Doe <jane@example.com>, 2024-05-01T14:00:00+02:00
//!    = history: deleted from the tree but still in history: rotate the key; ...
//! ```
//! Colour (ANSI) only when `ReportOptions::color` says so (terminal, no `NO_COLOR`). Names
//! and snippets go through [`crate::printable`]: no control character from the input is
//! written raw, and a secret-shaped run in a name is redacted.
//!
//! This module owns the reporter, its colours and the summary; one finding's diagnostic is
//! written in `finding`.

use std::io::{self, Write};

use super::{CleanRun, HiddenInfo, ReportOptions, Reporter, Summary};
use crate::model::finding::Risk;
use crate::model::result::ScanResult;

mod finding;

pub struct Human {
    pub options: ReportOptions,
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn risk(&self, risk: Risk) -> String {
        let code = match risk {
            Risk::Critical => "1;31",
            Risk::High => "31",
            Risk::Medium => "33",
            Risk::Low => "36",
            Risk::Info => "2",
        };
        self.wrap(code, risk.as_str())
    }

    fn dim(&self, text: &str) -> String {
        self.wrap("34", text)
    }

    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
}

impl Paint {
    fn risk_carets(&self, risk: Risk, carets: &str) -> String {
        match risk {
            Risk::Critical | Risk::High => self.wrap("31", carets),
            Risk::Medium => self.wrap("33", carets),
            Risk::Low => self.wrap("36", carets),
            Risk::Info => self.wrap("2", carets),
        }
    }
}

impl Reporter for Human {
    fn report(&self, out: &mut dyn Write, result: &ScanResult) -> io::Result<()> {
        let p = Paint {
            on: self.options.color,
        };
        if result.findings.is_empty() {
            match self.options.clean {
                CleanRun::Summary => {}
                CleanRun::Silent => return Ok(()),
                CleanRun::OneLine => {
                    let files = match result.stats.blobs {
                        1 => "file",
                        _ => "files",
                    };
                    return writeln!(
                        out,
                        "keyleak: {} {files} scanned, no keys{}",
                        result.stats.blobs,
                        left_out(result)
                    );
                }
            }
        }
        let hidden = HiddenInfo::of(&result.findings, &self.options);
        for f in &result.findings {
            if hidden.is_none() || f.risk != Risk::Info {
                self.finding(out, f, &p)?;
            }
        }
        if let Some(hidden) = &hidden {
            writeln!(out, "{}", hidden.line())?;
        }
        let summary = Summary::of(&result.findings);
        let counts: Vec<String> = summary
            .by_risk
            .iter()
            .map(|(r, n)| format!("{n} {}", p.risk(*r)))
            .collect();
        let noun = if summary.findings == 1 {
            "finding"
        } else {
            "findings"
        };
        writeln!(
            out,
            "{} {} {noun}: {}",
            p.bold("summary:"),
            summary.findings,
            counts.join(", ")
        )?;
        if !summary.by_account.is_empty() {
            let accounts: Vec<String> = summary
                .by_account
                .iter()
                .map(|(a, n)| format!("{a} ({n})"))
                .collect();
            writeln!(out, "{} {}", p.bold("by account:"), accounts.join(", "))?;
        }
        if let Some(counts) = super::verified::counts(&result.findings) {
            let parts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
            writeln!(out, "{} {}", p.bold("verified:"), parts.join(", "))?;
            let active = super::verified::active_long_term(&result.findings);
            if active > 0 {
                let noun = if active == 1 {
                    "key works"
                } else {
                    "keys work"
                };
                writeln!(
                    out,
                    "{} {active} long-term {noun} right now: deactivate {} first \
                     (`aws iam update-access-key --status Inactive`)",
                    p.risk_carets(Risk::Critical, "ACTIVE:"),
                    if active == 1 { "it" } else { "them" }
                )?;
            }
        }
        let unit = match (result.stats.commits.is_some(), result.stats.blobs == 1) {
            (false, true) => "file",
            (false, false) => "files",
            (true, true) => "blob",
            (true, false) => "blobs",
        };
        let mut scanned = format!(
            "scanned {} {unit}, {}",
            result.stats.blobs,
            human_bytes(result.stats.bytes)
        );
        if let Some(commits) = result.stats.commits {
            let noun = if commits == 1 { "commit" } else { "commits" };
            scanned.push_str(&format!(" from {commits} {noun}"));
        }
        scanned.push_str(&left_out(result));
        writeln!(out, "{scanned}")?;
        if let Some(r) = result.stats.repositories {
            writeln!(
                out,
                "repositories: {} scanned, {} failed",
                r.scanned, r.failed
            )?;
        }
        Ok(())
    }
}

/// What the summary adds after "scanned …": findings left out by each rule, and warnings.
fn left_out(result: &ScanResult) -> String {
    let s = result.stats.suppressed;
    let mut text = String::new();
    for (n, why) in [
        (s.inline, "allowed by keyleak:allow"),
        (s.path, "in allowed paths"),
        (s.key_id, "allowed key IDs"),
        (s.baseline, "suppressed by the baseline"),
        (s.below_min_risk, "below --min-risk"),
    ] {
        if n > 0 {
            text.push_str(&format!("; {n} {why}"));
        }
    }
    if !result.warnings.is_empty() {
        text.push_str(&format!("; {} warnings (on stderr)", result.warnings.len()));
    }
    text
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64;
    let mut unit = "B";
    for u in UNITS {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{v:.1} {unit}")
}

#[cfg(test)]
mod tests;
