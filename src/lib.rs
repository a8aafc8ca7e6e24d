//! keyleak finds hardcoded AWS access keys, rates the risk of each, and says which role setup
//! replaces it.
//!
//! The pipeline, one module per stage and one type between stages:
//!
//! ```text
//! cli::Cli ─► settings::Settings
//!   source (fs, stdin, git::history, git::staged) ─► Blob ─► detect::Detector ─► Detection
//!     ─► risk::classify ─► Finding ─► scan (merge, filter, sort) ─► ScanResult ─► report::Reporter
//! ```
//!
//! With `--verify`, `verify` asks STS about each found key pair before reporting.
//!
//! The types between stages (`Finding`, `ScanResult`, `Warning`, ...) live in `model`, at the
//! bottom: every stage imports down to it and none reaches up (`tests/layers.rs` checks it).
//! `settings` turns arguments into each stage's own options; `report` sees only the model.
//!
//! Git scans plan first (`source::git::history` maps each unique blob to the commits and paths
//! that introduced it), then read blobs in parallel, one repository handle per worker
//! (`scan::history`); `progress` draws on stderr when it is a terminal.
//!
//! [`run`] wires them; `main.rs` only parses arguments and maps [`Status`] to an exit code.

pub mod cache;
pub mod cli;
pub mod completions;
pub mod config;
pub mod detect;
pub mod error;
pub mod filter;
pub mod install_hook;
pub mod memory;
pub mod merge;
pub mod model;
pub mod printable;
pub mod progress;
pub mod redact;
pub mod report;
pub mod risk;
pub mod role_cmd;
pub mod scan;
pub mod settings;
pub mod source;
pub mod verify;

use std::io::Write;

use error::Error;
use settings::Settings;

/// How a successful run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Nothing at or above `--fail-on`: exit 0.
    Clean,
    /// At least one finding at or above `--fail-on`: exit 1.
    Findings,
}

impl Status {
    pub fn code(self) -> u8 {
        match self {
            Status::Clean => 0,
            Status::Findings => 1,
        }
    }
}

/// Runs one command. Errors are fatal (exit 2); per-file problems are printed as warnings on
/// stderr and do not change the status.
pub fn run(cli: cli::Cli) -> Result<Status, Error> {
    match cli.command {
        cli::Command::Scan(args) => {
            let settings = Settings::resolve(args)?;
            run_scan(&settings)
        }
        cli::Command::Role(args) => {
            role_cmd::run(&args)?;
            Ok(Status::Clean)
        }
        cli::Command::InstallHook(args) => {
            let hook = install_hook::install(&args.repo, args.force)?;
            let shown = printable::text(&hook.display().to_string());
            eprintln!("keyleak: installed {shown}");
            Ok(Status::Clean)
        }
        cli::Command::Completions { shell } => {
            completions::completions(shell, &mut std::io::stdout().lock())
                .map_err(Error::Output)?;
            Ok(Status::Clean)
        }
        cli::Command::Man => {
            completions::man(&mut std::io::stdout().lock()).map_err(Error::Output)?;
            Ok(Status::Clean)
        }
        cli::Command::Merge(args) => run_merge(&settings::merge::MergeSettings::resolve(args)?),
    }
}

/// `keyleak merge`: the shards' findings as one report; the status as a scan would give it.
pub fn run_merge(settings: &settings::merge::MergeSettings) -> Result<Status, Error> {
    let result = merge::merge(&settings.files)?;
    print_warnings(&result.warnings);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    report::reporter(settings.format, settings.options, settings.times)
        .report(&mut out, &result)
        .and_then(|()| out.flush())
        .map_err(Error::Output)?;
    Ok(status(&result, settings.fail_on))
}

/// Warnings on stderr, one `keyleak: warning:` line each.
fn print_warnings(warnings: &[error::Warning]) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for w in warnings {
        // A failed write to stderr has nowhere better to be reported.
        let _ = writeln!(err, "keyleak: warning: {w}");
    }
}

/// Findings at or above `fail_on`: exit 1.
fn status(result: &model::result::ScanResult, fail_on: model::FailOn) -> Status {
    match result.findings.iter().any(|f| fail_on.fails(f.risk)) {
        true => Status::Findings,
        false => Status::Clean,
    }
}

pub fn run_scan(settings: &Settings) -> Result<Status, Error> {
    for note in &settings.notes {
        eprintln!("keyleak: note: {note}");
    }
    let scan::Scanned {
        mut result,
        baseline_out,
        mut stages,
    } = scan::scan(settings)?;
    for note in &result.notes {
        // Names refs: printable, never raw.
        eprintln!("keyleak: note: {}", printable::text(note));
    }
    if settings.verify_held_back {
        let (run, keys) = if settings.hook_files {
            ("--hook-files", "found")
        } else {
            ("--staged", "staged")
        };
        eprintln!(
            "keyleak: note: `verify = true` in the configuration is not applied to {run} \
             (pre-commit) scans; pass --verify to check {keys} keys with STS"
        );
    }
    if let Some(verify) = &settings.verify {
        let warnings = verify::verify(&mut result.findings, verify);
        result.warnings.extend(warnings);
    }
    // After --verify, which moves risks; before the report and the exit code, which both
    // leave out what --min-risk leaves out.
    let findings = std::mem::take(&mut result.findings);
    result.findings = settings
        .filter
        .apply_min_risk(findings, &mut result.stats.suppressed);
    if let (Some(path), Some(baseline)) = (&settings.baseline_out, &baseline_out) {
        baseline.write(path).map_err(|e| Error::Baseline {
            path: path.display().to_string(),
            message: format!("cannot write: {e}"),
        })?;
    }
    print_warnings(&result.warnings);
    // Files first, each whole or not at all; one that fails does not stop the others.
    let unwritten: Vec<_> = settings
        .report_files
        .iter()
        .filter_map(|file| {
            let options = settings.file_report_options();
            let reporter = report::reporter(file.format, options, settings.scan_times());
            report::file::write_atomically(&file.path, |out| reporter.report(out, &result))
                .err()
                .map(|e| (file.path.clone(), e))
        })
        .collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let start = std::time::Instant::now();
    report::reporter(
        settings.format,
        settings.report_options(),
        settings.scan_times(),
    )
    .report(&mut out, &result)
    .and_then(|()| out.flush())
    .map_err(Error::Output)?;
    if settings.stats {
        stages.report = start.elapsed();
        stages.peak_rss = memory::peak_rss();
        // A failed write to stderr has nowhere better to be reported.
        let _ = stages.write(&mut std::io::stderr().lock());
    }
    if !unwritten.is_empty() {
        return Err(Error::ReportFiles(unwritten));
    }
    Ok(status(&result, settings.fail_on))
}
