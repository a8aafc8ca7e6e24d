//! [`MergeSettings`]: `keyleak merge`'s arguments, validated, and what its report is given.

use std::path::PathBuf;

use super::{color, fail_on_arg, format_of, now};
use crate::cli::MergeArgs;
use crate::error::Error;
use crate::model::FailOn;
use crate::report::{CleanRun, Format, ReportOptions, ScanTimes};

#[derive(Debug, Clone)]
pub struct MergeSettings {
    pub files: Vec<PathBuf>,
    pub format: Format,
    pub fail_on: FailOn,
    /// `show_secrets` is on: a merged finding holds what its shard wrote (redacted unless the
    /// shard ran with `--show-secrets`), which is printed as it is.
    pub options: ReportOptions,
    /// GitLab's start and end: the merge's own time ([`super::NOW_VAR`] fixes it).
    pub times: ScanTimes,
}

impl MergeSettings {
    pub fn resolve(args: MergeArgs) -> Result<MergeSettings, Error> {
        let now = now()?;
        Ok(MergeSettings {
            files: args.files,
            format: format_of(args.format),
            fail_on: fail_on_arg(args.fail_on),
            options: ReportOptions {
                show_secrets: true,
                color: color(args.color),
                show_info: args.show_info,
                clean: CleanRun::Summary,
            },
            times: ScanTimes {
                started: now,
                finished: now,
            },
        })
    }
}
