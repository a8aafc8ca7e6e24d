//! [`Settings`]: the validated configuration every later stage reads. Built once from the
//! clap types by [`Settings::resolve`]; nothing else looks at raw arguments.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{ColorArg, FailOnArg, FormatArg, ScanArgs};
use crate::error::Error;
use crate::finding::Risk;

/// Where the bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Files and directories, walked in parallel.
    Paths(Vec<PathBuf>),
    /// Everything on standard input, scanned as one blob named `<stdin>`.
    Stdin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Jsonl,
}

/// Which findings make the run exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    AtLeast(Risk),
    Never,
}

impl FailOn {
    pub fn fails(self, risk: Risk) -> bool {
        match self {
            FailOn::AtLeast(threshold) => risk >= threshold,
            FailOn::Never => false,
        }
    }
}

/// How the file walker behaves.
#[derive(Debug, Clone)]
pub struct WalkSettings {
    pub threads: usize,
    pub respect_ignore_files: bool,
    pub follow_links: bool,
    pub max_filesize: u64,
}

/// How findings are detected and reported.
#[derive(Debug, Clone)]
pub struct Settings {
    pub input: Input,
    pub walk: WalkSettings,
    pub format: Format,
    pub color: bool,
    pub show_secrets: bool,
    pub include_identifiers: bool,
    pub fail_on: FailOn,
}

impl Settings {
    pub fn resolve(args: ScanArgs) -> Result<Settings, Error> {
        let input = if args.paths.iter().any(|p| p.as_os_str() == "-") {
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
        let threads = if args.threads == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            args.threads
        };
        let color = match args.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        };
        Ok(Settings {
            input,
            walk: WalkSettings {
                threads,
                respect_ignore_files: !args.no_ignore,
                follow_links: args.follow,
                max_filesize: parse_size(&args.max_filesize).map_err(|message| Error::Usage {
                    flag: "--max-filesize",
                    message,
                })?,
            },
            format: match args.format {
                FormatArg::Human => Format::Human,
                FormatArg::Json => Format::Json,
                FormatArg::Jsonl => Format::Jsonl,
            },
            color,
            show_secrets: args.show_secrets,
            include_identifiers: args.include_identifiers,
            fail_on: match args.fail_on {
                FailOnArg::Info => FailOn::AtLeast(Risk::Info),
                FailOnArg::Low => FailOn::AtLeast(Risk::Low),
                FailOnArg::Medium => FailOn::AtLeast(Risk::Medium),
                FailOnArg::High => FailOn::AtLeast(Risk::High),
                FailOnArg::Critical => FailOn::AtLeast(Risk::Critical),
                FailOnArg::Never => FailOn::Never,
            },
        })
    }
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
    use super::parse_size;

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
