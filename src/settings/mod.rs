//! [`Settings`]: the validated configuration every later stage reads. Built once from the
//! clap types by [`Settings::resolve`]; nothing else looks at raw arguments or the
//! environment (`NO_COLOR`, [`NOW_VAR`]).
//!
//! Settings sits above the stages: it parses into their own types (`WalkOptions`,
//! [`Format`], `Filter`, `VerifySettings`) and, in `report`, hands the reporters their
//! options and the scan's times as plain data: reporters never see `Settings`. Options that
//! only mean something together (`--format` with `--output`, `--verify` with the
//! configuration and hook runs, `--staged` with the history flags) are checked in `combined`.

use std::path::PathBuf;

use crate::cli::ScanArgs;
use crate::config::baseline::BaselineFile;
use crate::config::{self, FileConfig};
use crate::error::Error;
use crate::filter::Filter;
use crate::model::FailOn;
use crate::model::finding::Risk;
use crate::model::role::RepoIdentity;
use crate::report::Format;
use crate::source::archive;
use crate::source::fs::WalkOptions;
use crate::source::git::history::Selection;
use crate::verify::VerifySettings;

mod combined;
pub mod merge;
pub mod repo;
mod report;
pub mod repos;
mod values;

use combined::{VerifyArgs, git_mode, outputs, verify_settings};
pub use values::{
    MIN_THREAD_CAP, THREADS_PER_CPU, parse_duration, parse_range, parse_size, worker_threads,
};
use values::{color, fail_on_arg, format_of, risk_arg};

/// Where the bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Files and directories, walked in parallel.
    Paths(Vec<PathBuf>),
    /// Everything on standard input, scanned as one blob named `<stdin>`.
    Stdin,
    /// A git repository (found at or above `repo`).
    Git { repo: PathBuf, mode: GitMode },
    /// `--repos`, `--repos-under`: the history of each repository listed.
    Repos {
        list: repos::RepoList,
        selection: Selection,
    },
}

/// What of a repository is scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitMode {
    /// `--git`, `--ref`, `--since`, `--range`: blobs the selected commits introduced.
    History(Selection),
    /// `--staged`: index entries that differ from HEAD.
    Staged,
}

/// A report written to a file (`--output FORMAT=PATH`), besides the one on standard output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    pub format: Format,
    pub path: PathBuf,
}

/// How findings are detected and reported.
#[derive(Debug, Clone)]
pub struct Settings {
    pub input: Input,
    pub walk: WalkOptions,
    /// The format of standard output: `--output FORMAT=-`, else `--format`, else human.
    pub format: Format,
    pub color: bool,
    pub show_secrets: bool,
    pub include_identifiers: bool,
    pub fail_on: FailOn,
    /// Unix seconds at the start of the run: what "expired" is measured against.
    pub now: i64,
    /// Placeholders, allow-lists and baseline from `.keyleak.toml` and `--baseline`.
    pub filter: Filter,
    /// Where `--baseline-out` writes the findings' fingerprints.
    pub baseline_out: Option<PathBuf>,
    /// How far archives are opened; `None` with `--no-archives` (raw bytes are scanned).
    pub archives: Option<archive::Limits>,
    /// `--verify` (or `verify = true`): where and how to check key pairs with STS.
    pub verify: Option<VerifySettings>,
    /// The configuration file asked for verification but this is a hook run (`--staged`,
    /// `--hook-files`) without `--verify`: nothing is sent, and a note says so.
    pub verify_held_back: bool,
    /// `--hook-files`: the paths are the files a pre-commit framework hook was given (those
    /// that exist). Human output prints nothing when nothing is found.
    pub hook_files: bool,
    /// What the run changed from what was asked (a `-j` over the cap), printed on stderr as
    /// `keyleak: note: …` before the scan.
    pub notes: Vec<String>,
    /// `--output FORMAT=PATH` for files, in the order given: each written from the same scan.
    pub report_files: Vec<ReportFile>,
    /// `--show-info`: human output and annotations list `info` findings instead of counting them.
    pub show_info: bool,
    /// `-v`: a clean `--staged` run prints one line instead of nothing.
    pub verbose: bool,
    /// `--stats`: figures per stage on stderr after the run.
    pub stats: bool,
    /// The scanned repository (`origin` remote, HEAD's branch), read once for role setups.
    pub repo: RepoIdentity,
    /// `--cache DIR` (history scans): what earlier runs found, per repository.
    pub cache: Option<PathBuf>,
}

impl Settings {
    pub fn resolve(mut args: ScanArgs) -> Result<Settings, Error> {
        // A hook given no files (pre-commit's `always_run` on a commit of deletions) scans
        // nothing; any other scan defaults to the current directory.
        if args.paths.is_empty() && !args.hook_files {
            args.paths.push(PathBuf::from("."));
        }
        let file = match config::locate(args.config.as_deref()).filter(|_| !args.no_config) {
            Some(path) => FileConfig::load(&path)?,
            None => FileConfig::default(),
        };
        let baseline =
            match &args.baseline {
                Some(path) => Some(BaselineFile::load_fingerprints(path).map_err(|message| {
                    Error::Baseline {
                        path: path.display().to_string(),
                        message,
                    }
                })?),
                None => None,
            };
        let input = if let Some(list) = repos::resolve(&args)? {
            let Some(GitMode::History(selection)) = git_mode(&args)? else {
                unreachable!("--repos implies --git and conflicts with --staged");
            };
            Input::Repos { list, selection }
        } else if let Some(mode) = git_mode(&args)? {
            let [repo] = args.paths.as_slice() else {
                return Err(Error::Usage {
                    flag: "PATH",
                    message: "git scans take one repository path".into(),
                });
            };
            if repo.as_os_str() == "-" {
                return Err(Error::Usage {
                    flag: "PATH",
                    message: "git scans read a repository, not standard input".into(),
                });
            }
            Input::Git {
                repo: repo.clone(),
                mode,
            }
        } else if args.hook_files {
            // pre-commit never passes a deleted file, but a file gone by the time the hook
            // runs holds no key: skipped, not an error, so the commit is judged on the rest.
            // `-` is a file name here: `./-`, as the walker reads a bare `-` as standard input.
            let paths = args.paths.into_iter().map(|p| {
                if p.as_os_str() == "-" {
                    PathBuf::from(".").join(p)
                } else {
                    p
                }
            });
            Input::Paths(
                paths
                    .filter(|p| std::fs::symlink_metadata(p).is_ok())
                    .collect(),
            )
        } else if args.paths.iter().any(|p| p.as_os_str() == "-") {
            if args.paths.len() > 1 {
                return Err(Error::Usage {
                    flag: "PATH",
                    message: "`-` (standard input) cannot be combined with other paths".into(),
                });
            }
            Input::Stdin
        } else {
            for path in &args.paths {
                // symlink_metadata: a dangling link given by name is still "there" (it warns later).
                if std::fs::symlink_metadata(path).is_err() {
                    return Err(Error::PathNotFound(path.clone()));
                }
            }
            Input::Paths(args.paths)
        };
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = worker_threads(args.threads, cpus);
        let mut notes = Vec::new();
        if args.threads > threads {
            notes.push(format!(
                "-j {} is more than this machine can use: running {threads} worker threads, \
                 the cap for {cpus} CPUs ({THREADS_PER_CPU} per CPU, at least {MIN_THREAD_CAP})",
                args.threads
            ));
        }
        let color = color(args.color);
        let (verify, verify_held_back) = verify_settings(
            VerifyArgs {
                verify: args.verify,
                no_verify: args.no_verify,
                sts_endpoint: &args.sts_endpoint,
                verify_timeout: &args.verify_timeout,
                hook_files: args.hook_files,
            },
            &file,
            &input,
        )?;
        let (format, report_files) = outputs(args.format, &args.outputs)?;
        let max_filesize = parse_size(&args.max_filesize).map_err(|message| Error::Usage {
            flag: "--max-filesize",
            message,
        })?;
        let repo = repo::identity(&input);
        let history = matches!(
            input,
            Input::Repos { .. }
                | Input::Git {
                    mode: GitMode::History(_),
                    ..
                }
        );
        if args.cache.is_some() && !history {
            return Err(Error::Usage {
                flag: "--cache",
                message: "applies to history scans (--git, --repos, --repos-under)".into(),
            });
        }
        Ok(Settings {
            repo,
            cache: args.cache,
            input,
            walk: WalkOptions {
                threads,
                respect_ignore_files: !args.no_ignore,
                follow_links: args.follow,
                follow_outside: args.follow_outside,
                max_filesize,
            },
            archives: (!args.no_archives).then(|| archive::Limits::for_max_filesize(max_filesize)),
            format,
            color,
            show_secrets: args.show_secrets,
            include_identifiers: args.include_identifiers,
            now: now()?,
            fail_on: match args.fail_on {
                Some(arg) => fail_on_arg(arg),
                None => file.fail_on.unwrap_or(FailOn::AtLeast(Risk::Low)),
            },
            filter: Filter {
                allow_paths: file.allow_globs(),
                placeholders: file.placeholders,
                allow_key_ids: file.allow_key_ids,
                baseline,
                min_risk: args.min_risk.map(risk_arg),
            },
            baseline_out: args.baseline_out,
            verify,
            verify_held_back,
            hook_files: args.hook_files,
            notes,
            report_files,
            show_info: args.show_info,
            verbose: args.verbose,
            stats: args.stats,
        })
    }
}

/// Environment variable that fixes "now" (Unix seconds), for reproducible runs and tests.
pub const NOW_VAR: &str = "KEYLEAK_NOW";

/// The time expiry is measured against: [`NOW_VAR`] when set, else the clock.
fn now() -> Result<i64, Error> {
    match std::env::var(NOW_VAR) {
        Ok(v) => v.trim().parse().map_err(|_| Error::Usage {
            flag: NOW_VAR,
            message: format!("{v:?} is not a number of seconds since 1970-01-01 UTC"),
        }),
        Err(_) => Ok(clock()),
    }
}

/// Unix seconds by the system clock; 0 for a clock set before 1970.
fn clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
