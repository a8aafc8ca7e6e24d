//! What the reports are given, from [`Settings`]: their [`ReportOptions`] and the
//! [`ScanTimes`] (the clock, or [`NOW_VAR`]). Reporters never read `Settings` or the
//! environment; this is the one place that turns them into report data.

use super::{GitMode, Input, NOW_VAR, Settings, clock};
use crate::report::{CleanRun, ReportOptions, ScanTimes};

impl Settings {
    /// Options for the report on standard output: coloured as `--color` says, and a hook run
    /// stays quiet when clean.
    pub fn report_options(&self) -> ReportOptions {
        let staged = matches!(
            self.input,
            Input::Git {
                mode: GitMode::Staged,
                ..
            }
        );
        ReportOptions {
            color: self.color,
            // A hook prints nothing when nothing is found: pre-commit may split its files among
            // several runs, and a clean one's summary would read as the verdict on them all.
            clean: match (staged || self.hook_files, self.verbose) {
                (false, _) => CleanRun::Summary,
                (true, false) => CleanRun::Silent,
                (true, true) => CleanRun::OneLine,
            },
            ..self.file_report_options()
        }
    }

    /// Options for an `--output` file: never coloured (`--color` is about the terminal), and
    /// a clean run's file holds its summary (a file that is there but empty says nothing).
    pub fn file_report_options(&self) -> ReportOptions {
        ReportOptions {
            show_secrets: self.show_secrets,
            color: false,
            show_info: self.show_info,
            clean: CleanRun::Summary,
        }
    }

    /// Called once the scan is done: it started at [`Settings::now`](Settings) and finishes
    /// now, unless [`NOW_VAR`] fixes the clock, which then fixes both.
    pub fn scan_times(&self) -> ScanTimes {
        let finished = if std::env::var_os(NOW_VAR).is_some() {
            self.now
        } else {
            clock().max(self.now)
        };
        ScanTimes {
            started: self.now,
            finished,
        }
    }
}
