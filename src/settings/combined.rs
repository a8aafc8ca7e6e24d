//! Options that only mean something together, each group checked at once and turned into the
//! one setting it makes: standard output's format and the report files (`--format` with
//! `--output`), verification (`--verify`, `--no-verify`, the configuration's `verify` and hook
//! runs), and the git mode (`--staged` against `--git`, `--ref`, `--since`, `--range`).
//!
//! A conflict is a usage error naming the flag, never a silent pick of one side. Single values
//! are parsed in `values`; what is read from the disk (configuration, baseline, paths) stays in
//! `Settings::resolve`.

use super::values::{format_of, name, parse_duration, parse_range};
use super::{GitMode, Input, ReportFile};
use crate::cli::{FormatArg, OutputArg, ScanArgs};
use crate::config::FileConfig;
use crate::error::Error;
use crate::report::Format;
use crate::source::git::history::Selection;
use crate::verify::{Endpoint, VerifySettings};

/// Standard output's format and the report files. At most one `--output` names `-`; it sets
/// standard output's format, which a `--format` given too must then repeat (two formats for
/// one stream is a mistake, not a preference). No two `--output`s name the same file.
pub(super) fn outputs(
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

/// The flags [`verify_settings`] reads (the rest of `ScanArgs` is moved out by then).
pub(super) struct VerifyArgs<'a> {
    pub(super) verify: bool,
    pub(super) no_verify: bool,
    pub(super) sts_endpoint: &'a str,
    pub(super) verify_timeout: &'a str,
    pub(super) hook_files: bool,
}

/// Verification is on with `--verify`, or with `verify = true` in the configuration unless
/// `--no-verify` or a hook run, `--staged` or `--hook-files` (a pre-commit hook must not send
/// a developer's keys anywhere unless asked on its own command line). Returns the settings and
/// whether the configuration's request was held back.
pub(super) fn verify_settings(
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

/// The git mode the flags ask for, if any. `--ref`, `--since` and `--range` imply `--git`;
/// `--staged` stands alone.
pub(super) fn git_mode(args: &ScanArgs) -> Result<Option<GitMode>, Error> {
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
