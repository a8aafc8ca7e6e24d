//! `--stats`: what a scan read and the seconds per stage, on stderr after the run. Counts are
//! checked exactly; times only for their form, never their value.

use std::collections::BTreeMap;

use crate::common::scan_in;
use crate::git_common::{Repo, env_file, fake_key, fake_secret, keyleak};

/// The `keyleak: stats: NAME: VALUE` lines of `stderr`, in order.
fn stats(stderr: &str) -> Vec<(String, String)> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("keyleak: stats: "))
        .map(|l| {
            let (name, value) = l.split_once(": ").expect("NAME: VALUE");
            (name.to_string(), value.to_string())
        })
        .collect()
}

/// Seconds in `value` (`1.25 s`, `1.25 s wall`, `1.25 s summed over 2 workers`).
fn seconds(value: &str) -> f64 {
    let (secs, rest) = value.split_once(" s").expect("seconds");
    assert!(
        rest.is_empty() || rest == " wall" || rest.starts_with(" summed over "),
        "{value}"
    );
    secs.parse().expect("a number of seconds")
}

/// `N bytes (M MiB)`: the process's peak resident set, more than a megabyte and less than a
/// gigabyte for these small scans, with M = N / 2^20.
fn peak_rss_is_plausible(value: &str) {
    let (bytes, mib) = value.split_once(" bytes (").expect("N bytes (M MiB)");
    let bytes: u64 = bytes.parse().expect("a number of bytes");
    assert!((1 << 20..1 << 30).contains(&bytes), "{value}");
    assert_eq!(mib, format!("{} MiB)", bytes >> 20));
}

#[test]
fn history_stats_count_commits_unique_blobs_and_bytes() {
    let repo = Repo::new();
    let key = fake_key("AKIA");
    let env = env_file(&key, &fake_secret());
    repo.write("a.txt", "one\n");
    repo.write("b.txt", "two\n");
    repo.commit("first");
    repo.write("a.txt", &env);
    repo.commit("second");
    // Same content as b.txt: no new blob to read.
    repo.write("c.txt", "two\n");
    repo.commit("third");

    let run = keyleak(
        repo.path(),
        &["--git", "--stats", "--format", "json", "--threads", "2"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    // Standard output is the report alone.
    assert_eq!(run.findings().len(), 1);
    let lines = stats(&run.stderr);
    let names: Vec<&str> = lines.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "commits walked",
            "unique blobs",
            "read from packs",
            "blobs scanned",
            "bytes read",
            "plan memory",
            "plan",
            "read/inflate",
            "expand archives",
            "detect",
            "read+detect",
            "merge",
            "report",
            "peak RSS",
        ]
    );
    let value: BTreeMap<&str, &str> = lines
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(value["commits walked"], "3");
    assert_eq!(value["unique blobs"], "3");
    // A repository with loose objects only: libgit2 reads them.
    assert_eq!(value["read from packs"], "0 of 3 unique blobs");
    assert_eq!(value["blobs scanned"], "3");
    let bytes = 4 + 4 + env.len();
    assert_eq!(value["bytes read"], bytes.to_string());
    assert!(value["plan memory"].ends_with(" bytes per unique blob)"));
    for stage in ["plan", "merge", "report", "read+detect"] {
        assert!(seconds(value[stage]) >= 0.0);
    }
    for stage in ["read/inflate", "expand archives", "detect"] {
        assert!(value[stage].ends_with(" summed over 2 workers"), "{stage}");
    }
    peak_rss_is_plausible(value["peak RSS"]);
    // What the summary counts agrees.
    let summary = &run.json()["summary"];
    assert_eq!(summary["scanned_commits"], 3);
    assert_eq!(summary["scanned_blobs"], 3);
    assert_eq!(summary["scanned_bytes"], bytes);
}

#[test]
fn file_stats_have_no_git_stages() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "hello\n").unwrap();
    std::fs::write(dir.path().join("b.txt"), "world!\n").unwrap();
    let run = scan_in(dir.path(), &["--stats", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = stats(&run.stderr);
    let names: Vec<&str> = lines.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "blobs scanned",
            "bytes read",
            "expand archives",
            "detect",
            "read+detect",
            "merge",
            "report",
            "peak RSS"
        ]
    );
    peak_rss_is_plausible(&lines[7].1);
    assert_eq!(lines[0].1, "2");
    assert_eq!(lines[1].1, "13");
}

/// The expansion of archives is timed apart from detection; with `--no-archives` nothing is
/// expanded and the line is left out.
#[test]
fn archive_expansion_has_its_own_line_unless_archives_are_not_opened() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "hello\n").unwrap();
    let run = scan_in(dir.path(), &["--stats", "-j", "2", "."]);
    let value = crate::common::stat(&run.stderr, "expand archives");
    assert!(value.ends_with(" summed over 2 workers"), "{value}");
    assert!(seconds(value) >= 0.0);
    let run = scan_in(dir.path(), &["--stats", "--no-archives", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let names: Vec<String> = stats(&run.stderr).into_iter().map(|(n, _)| n).collect();
    assert!(names.iter().all(|n| n != "expand archives"), "{names:?}");
    assert!(names.iter().any(|n| n == "detect"), "{names:?}");
}

#[test]
fn no_stats_without_the_option() {
    let repo = Repo::new();
    repo.write("a.txt", "one\n");
    repo.commit("first");
    let run = keyleak(repo.path(), &["--git", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("stats"), "{}", run.stderr);
}
