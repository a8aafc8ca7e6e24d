//! [`Settings`]: the validated configuration every later stage reads. Built once from the
//! clap types by [`Settings::resolve`]; nothing else looks at raw arguments or the
//! environment (`NO_COLOR`, [`NOW_VAR`]).
//!
//! Settings sits above the stages: it parses into their own types (`WalkOptions`,
//! [`Format`], `Filter`, `VerifySettings`) and, in `report`, hands the reporters their
//! options and the scan's times as plain data: reporters never see `Settings`.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{ColorArg, FailOnArg, FormatArg, OutputArg, RiskArg, ScanArgs};
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
use crate::verify::{Endpoint, VerifySettings};

pub mod merge;
pub mod repo;
mod report;
pub mod repos;

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

/// Whether standard output is coloured: `--color`, and with `auto` a terminal without
/// `NO_COLOR`.
fn color(arg: ColorArg) -> bool {
    match arg {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

fn format_of(arg: FormatArg) -> Format {
    match arg {
        FormatArg::Human => Format::Human,
        FormatArg::Json => Format::Json,
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Sarif => Format::Sarif,
        FormatArg::Github => Format::Github,
        FormatArg::Gitlab => Format::Gitlab,
    }
}

/// Standard output's format and the report files. At most one `--output` names `-`; it sets
/// standard output's format, which a `--format` given too must then repeat (two formats for
/// one stream is a mistake, not a preference). No two `--output`s name the same file.
fn outputs(
    format: Option<FormatArg>,
    outputs: &[OutputArg],
) -> Result<(Format, Vec<ReportFile>), Error> {
    let is_stdout = |o: &&OutputArg| o.path.as_os_str() == "-";
    let stdout: Vec<&OutputArg> = outputs.iter().filter(is_stdout).collect();
    let stdout_format = match (stdout.as_slice(), format) {
        ([], f) => f.unwrap_or(FormatArg::Human),
        ([one], None) => one.format,
        ([one], Some(f)) if f == one.format => f,
        ([one], Some(f)) => {
            return Err(Error::Usage {
                flag: "--format",
                message: format!(
                    "`--format {}` and `--output {}=-` both set standard output's format: keep one",
                    name(f),
                    name(one.format)
                ),
            });
        }
        _ => {
            return Err(Error::Usage {
                flag: "--output",
                message: "only one report can go to standard output (`-`)".into(),
            });
        }
    };
    let mut files: Vec<ReportFile> = Vec::new();
    for o in outputs.iter().filter(|o| !is_stdout(o)) {
        if files.iter().any(|f| f.path == o.path) {
            return Err(Error::Usage {
                flag: "--output",
                message: format!(
                    "{} is named by two --output options: one report per file",
                    o.path.display()
                ),
            });
        }
        files.push(ReportFile {
            format: format_of(o.format),
            path: o.path.clone(),
        });
    }
    Ok((format_of(stdout_format), files))
}

/// A format as written on the command line.
fn name(format: FormatArg) -> String {
    use clap::ValueEnum;
    format
        .to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_string())
}

/// Worker threads per CPU at most. The file walker's idle workers poll every other worker's
/// queue each millisecond, so its cost grows with the square of the thread count (`-j 1024`
/// spun for seconds on a 300-file tree); a few threads per CPU still cover I/O waits.
pub const THREADS_PER_CPU: usize = 4;
/// The cap on a machine with few CPUs: enough to overlap slow (network) file reads.
pub const MIN_THREAD_CAP: usize = 16;

/// Worker threads for `-j requested` on a machine with `cpus` CPUs: one per CPU for `0`, else
/// the request, capped at [`THREADS_PER_CPU`] per CPU (at least [`MIN_THREAD_CAP`]). The
/// file walker and the git pools both use it; nothing else scales with `-j`.
pub fn worker_threads(requested: usize, cpus: usize) -> usize {
    let cpus = cpus.max(1);
    match requested {
        0 => cpus,
        n => n.min(cpus.saturating_mul(THREADS_PER_CPU).max(MIN_THREAD_CAP)),
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

/// The flags [`verify_settings`] reads (the rest of `ScanArgs` is moved out by then).
struct VerifyArgs<'a> {
    verify: bool,
    no_verify: bool,
    sts_endpoint: &'a str,
    verify_timeout: &'a str,
    hook_files: bool,
}

/// Verification is on with `--verify`, or with `verify = true` in the configuration unless
/// `--no-verify` or a hook run, `--staged` or `--hook-files` (a pre-commit hook must not send
/// a developer's keys anywhere unless asked on its own command line). Returns the settings and
/// whether the configuration's request was held back.
fn verify_settings(
    args: VerifyArgs<'_>,
    file: &FileConfig,
    input: &Input,
) -> Result<(Option<VerifySettings>, bool), Error> {
    let hook = args.hook_files
        || matches!(
            input,
            Input::Git {
                mode: GitMode::Staged,
                ..
            }
        );
    let from_file = file.verify && !args.no_verify && !args.verify;
    let held_back = from_file && hook;
    if !(args.verify || (from_file && !hook)) {
        return Ok((None, held_back));
    }
    let endpoint = Endpoint::parse(args.sts_endpoint).map_err(|message| Error::Usage {
        flag: "--sts-endpoint",
        message,
    })?;
    let timeout = parse_duration(args.verify_timeout).map_err(|message| Error::Usage {
        flag: "--verify-timeout",
        message,
    })?;
    Ok((Some(VerifySettings { endpoint, timeout }), false))
}

/// Parses `10`, `2.5` (seconds) or `1500ms`; zero is refused (it would never answer).
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let bad = || format!("`{t}` is not a duration (examples: 10, 2.5, 500ms)");
    let seconds = match t.strip_suffix("ms") {
        Some(ms) => ms.trim().parse::<f64>().map_err(|_| bad())? / 1000.0,
        None => t
            .strip_suffix('s')
            .unwrap_or(t)
            .trim()
            .parse::<f64>()
            .map_err(|_| bad())?,
    };
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0) {
        return Err(format!("`{t}`: give more than 0 and at most 3600 seconds"));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

fn fail_on_arg(arg: FailOnArg) -> FailOn {
    match arg {
        FailOnArg::Info => FailOn::AtLeast(Risk::Info),
        FailOnArg::Low => FailOn::AtLeast(Risk::Low),
        FailOnArg::Medium => FailOn::AtLeast(Risk::Medium),
        FailOnArg::High => FailOn::AtLeast(Risk::High),
        FailOnArg::Critical => FailOn::AtLeast(Risk::Critical),
        FailOnArg::Never => FailOn::Never,
    }
}

fn risk_arg(arg: RiskArg) -> Risk {
    match arg {
        RiskArg::Info => Risk::Info,
        RiskArg::Low => Risk::Low,
        RiskArg::Medium => Risk::Medium,
        RiskArg::High => Risk::High,
        RiskArg::Critical => Risk::Critical,
    }
}

/// The git mode the flags ask for, if any. `--ref`, `--since` and `--range` imply `--git`;
/// `--staged` stands alone.
fn git_mode(args: &ScanArgs) -> Result<Option<GitMode>, Error> {
    let history = args.git
        || !args.refs.is_empty()
        || args.since.is_some()
        || args.range.is_some()
        || args.repos.is_some()
        || args.repos_under.is_some();
    if args.staged {
        if history {
            return Err(Error::Usage {
                flag: "--staged",
                message: "scans the index alone: it cannot be combined with --git, --ref, \
                          --since or --range"
                    .into(),
            });
        }
        return Ok(Some(GitMode::Staged));
    }
    if !history {
        return Ok(None);
    }
    let mut selection = Selection {
        tips: args.refs.clone(),
        since: args.since.clone(),
        range: false,
    };
    if let Some(range) = &args.range {
        if args.since.is_some() || !args.refs.is_empty() {
            return Err(Error::Usage {
                flag: "--range",
                message: "names its own base and head: drop --since and --ref".into(),
            });
        }
        let (base, head) = parse_range(range).map_err(|message| Error::Usage {
            flag: "--range",
            message,
        })?;
        selection = Selection {
            tips: vec![head],
            since: Some(base),
            range: true,
        };
    } else if selection.since.is_some() && selection.tips.is_empty() {
        selection.tips.push("HEAD".into());
    }
    Ok(Some(GitMode::History(selection)))
}

/// `BASE..HEAD` into its two revisions; an empty side means `HEAD`, as in git.
pub fn parse_range(text: &str) -> Result<(String, String), String> {
    if text.contains("...") {
        return Err(format!(
            "`{text}`: `A...B` (symmetric difference) is not supported; use BASE..HEAD"
        ));
    }
    let Some((base, head)) = text.split_once("..") else {
        return Err(format!("`{text}` is not a range: expected BASE..HEAD"));
    };
    let side = |s: &str| {
        if s.is_empty() {
            "HEAD".to_string()
        } else {
            s.to_string()
        }
    };
    if base.is_empty() && head.is_empty() {
        return Err("`..` names no commits: expected BASE..HEAD".into());
    }
    Ok((side(base), side(head)))
}

/// Parses `123`, `64K`, `100M`, `2G` (powers of 1024, case-insensitive, optional `B`/`iB`).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let stripped = lower
        .strip_suffix("ib")
        .or_else(|| lower.strip_suffix('b'))
        .unwrap_or(&lower);
    let (digits, shift) = match stripped.chars().last() {
        Some('k') => (&stripped[..stripped.len() - 1], 10),
        Some('m') => (&stripped[..stripped.len() - 1], 20),
        Some('g') => (&stripped[..stripped.len() - 1], 30),
        _ => (stripped, 0),
    };
    let n: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("`{t}` is not a size (examples: 500K, 100M, 1G)"))?;
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| format!("`{t}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::{parse_duration, parse_range, parse_size, worker_threads};
    use std::time::Duration;

    #[test]
    fn worker_threads_are_capped_per_cpu() {
        // 0: one per CPU.
        assert_eq!(worker_threads(0, 2), 2);
        assert_eq!(worker_threads(0, 64), 64);
        // What is asked, up to 4 per CPU and never capped below 16.
        assert_eq!(worker_threads(1, 2), 1);
        assert_eq!(worker_threads(16, 2), 16);
        assert_eq!(worker_threads(17, 2), 16);
        assert_eq!(worker_threads(100_000, 2), 16);
        assert_eq!(worker_threads(100_000, 8), 32);
        assert_eq!(worker_threads(200, 64), 200);
        assert_eq!(worker_threads(usize::MAX, 64), 256);
        assert_eq!(worker_threads(usize::MAX, usize::MAX), usize::MAX);
        // A machine reporting no CPU counts as one.
        assert_eq!(worker_threads(0, 0), 1);
        assert_eq!(worker_threads(100, 0), 16);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("2.5s"), Ok(Duration::from_millis(2500)));
        assert_eq!(parse_duration("1500ms"), Ok(Duration::from_millis(1500)));
        for bad in ["0", "-1", "soon", "", "1e9", "NaN"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ranges() {
        let ok = |a: &str, b: &str| Ok((a.to_string(), b.to_string()));
        assert_eq!(parse_range("main..HEAD"), ok("main", "HEAD"));
        assert_eq!(
            parse_range("origin/main..feature"),
            ok("origin/main", "feature")
        );
        assert_eq!(parse_range("abc123.."), ok("abc123", "HEAD"));
        assert_eq!(parse_range("..topic"), ok("HEAD", "topic"));
        assert!(parse_range("main...HEAD").is_err());
        assert!(parse_range("main").is_err());
        assert!(parse_range("..").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("123"), Ok(123));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("100M"), Ok(100 << 20));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("").is_err());
    }
}
