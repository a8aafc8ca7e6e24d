//! `scan --hook-files`: the files a pre-commit framework hook is given, scanned as named. The
//! hook itself, run by the real `pre-commit`, is tested in `precommit.rs`.

use crate::common::{scan_in, tree_of};
use crate::git_common::{env_file, fake_key, fake_secret};

/// A work tree with a key pair in `leak.env` (listed in `.gitignore`), a clean file, and a
/// documentation example key; returns it and the key ID.
fn tree() -> (tempfile::TempDir, String) {
    let key = fake_key("AKIA");
    let tmp = tree_of(&[
        ("leak.env", &env_file(&key, &fake_secret())),
        (".gitignore", "leak.env\n"),
        ("clean.txt", "nothing secret here\n"),
        ("docs.md", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"),
    ]);
    (tmp, key)
}

/// The `(key ID, path, line)` of each finding of a `--format json` run.
fn found(stdout: &str) -> Vec<(String, String, u64)> {
    let doc: serde_json::Value = serde_json::from_str(stdout).expect("JSON");
    let findings = doc["findings"].as_array().expect("findings").iter();
    findings
        .map(|f| {
            (
                f["key_id"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn a_named_file_is_scanned_though_ignored() {
    let (tmp, key) = tree();
    let run = scan_in(
        tmp.path(),
        &["--hook-files", "--format", "json", "leak.env"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(found(&run.stdout), [(key, "leak.env".to_string(), 1)]);
}

#[test]
fn files_that_hold_nothing_print_nothing() {
    let (tmp, _) = tree();
    let run = scan_in(tmp.path(), &["--hook-files", "clean.txt", ".gitignore"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "")
    );
    // Without --hook-files the same scan reports its summary.
    let run = scan_in(tmp.path(), &["clean.txt", ".gitignore"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("summary: 0 findings"),
        "{}",
        run.stdout
    );
    // A format for machines still gets its document.
    let run = scan_in(
        tmp.path(),
        &["--hook-files", "--format", "json", "clean.txt"],
    );
    assert_eq!(
        (run.code, found(&run.stdout)),
        (0, vec![]),
        "{}",
        run.stderr
    );
}

#[test]
fn a_run_with_a_finding_prints_the_full_report() {
    let (tmp, key) = tree();
    let run = scan_in(
        tmp.path(),
        &["--hook-files", "--color", "never", "clean.txt", "leak.env"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("critical: long-term AWS access key with its secret\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(" --> leak.env:1:19\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(&key), "{}", run.stdout);
    assert!(run.stdout.contains("scanned 2 files"), "{}", run.stdout);
    // An example key alone is counted (it is a finding, listed with --show-info) but passes.
    let run = scan_in(tmp.path(), &["--hook-files", "--color", "never", "docs.md"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("plus 1 info finding (documentation examples): --show-info lists it\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_missing_file_is_skipped_not_an_error() {
    let (tmp, key) = tree();
    let run = scan_in(
        tmp.path(),
        &["--hook-files", "--format", "json", "gone.txt", "leak.env"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(found(&run.stdout), [(key, "leak.env".to_string(), 1)]);
    assert_eq!(run.stderr, "");
    let run = scan_in(tmp.path(), &["--hook-files", "gone.txt", "gone/too.txt"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "")
    );
    // Named on a plain scan, a missing path is still an error.
    let run = scan_in(tmp.path(), &["gone.txt", "leak.env"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("gone.txt: no such file or directory"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_file_named_dash_is_a_file_not_standard_input() {
    let (tmp, key) = tree();
    std::fs::rename(tmp.path().join("leak.env"), tmp.path().join("-")).unwrap();
    let run = scan_in(tmp.path(), &["--hook-files", "--format", "json", "-"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(found(&run.stdout), [(key, "-".to_string(), 1)]);
}

#[test]
fn hook_files_is_not_a_git_scan() {
    let (tmp, _) = tree();
    for git in ["--staged", "--git"] {
        let run = scan_in(tmp.path(), &["--hook-files", git]);
        assert_eq!(run.code, 2, "{git}: {}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("'--hook-files' cannot be used with '{git}'")),
            "{}",
            run.stderr
        );
    }
}

/// A hook given no files (`always_run: true` on a commit that only deletes) scans nothing,
/// not the current directory, which here holds a key; a plain scan still defaults to `.`.
#[test]
fn no_files_given_scans_nothing() {
    let (tmp, key) = tree();
    let run = scan_in(tmp.path(), &["--hook-files", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(found(&run.stdout), []);
    let run = scan_in(tmp.path(), &["--no-ignore", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        found(&run.stdout).contains(&(key, "leak.env".to_string(), 1)),
        "{}",
        run.stdout
    );
}
