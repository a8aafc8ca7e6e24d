//! Values from the command line as the stages take them: the clap enums turned into the
//! model's types, and the parsers clap calls for durations, sizes and commit ranges. Pure
//! functions of their argument (and, for colour, the terminal and `NO_COLOR`); validation
//! across options stays in `Settings::resolve` and `combined`.

use std::io::IsTerminal;

use crate::cli::{ColorArg, FailOnArg, FormatArg, RiskArg};
use crate::model::FailOn;
use crate::model::finding::Risk;
use crate::report::Format;

/// Whether standard output is coloured: `--color`, and with `auto` a terminal without
/// `NO_COLOR`.
pub(super) fn color(arg: ColorArg) -> bool {
    match arg {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

pub(super) fn format_of(arg: FormatArg) -> Format {
    match arg {
        FormatArg::Human => Format::Human,
        FormatArg::Json => Format::Json,
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Sarif => Format::Sarif,
        FormatArg::Github => Format::Github,
        FormatArg::Gitlab => Format::Gitlab,
    }
}

/// A format as written on the command line.
pub(super) fn name(format: FormatArg) -> String {
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

pub(super) fn fail_on_arg(arg: FailOnArg) -> FailOn {
    match arg {
        FailOnArg::Info => FailOn::AtLeast(Risk::Info),
        FailOnArg::Low => FailOn::AtLeast(Risk::Low),
        FailOnArg::Medium => FailOn::AtLeast(Risk::Medium),
        FailOnArg::High => FailOn::AtLeast(Risk::High),
        FailOnArg::Critical => FailOn::AtLeast(Risk::Critical),
        FailOnArg::Never => FailOn::Never,
    }
}

pub(super) fn risk_arg(arg: RiskArg) -> Risk {
    match arg {
        RiskArg::Info => Risk::Info,
        RiskArg::Low => Risk::Low,
        RiskArg::Medium => Risk::Medium,
        RiskArg::High => Risk::High,
        RiskArg::Critical => Risk::Critical,
    }
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
