//! Exit codes: 0 when nothing reaches `--fail-on`, 1 when something does, 2 on an error.

use crate::common::{scan, scan_in, scan_stdin, tree_of};

#[test]
fn clean_tree_exits_0() {
    let dir = tree_of(&[("README.md", "# nothing to see\n")]);
    let run = scan_in(dir.path(), &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("summary: 0 findings"), "{}", run.stdout);
}

#[test]
fn findings_exit_1() {
    assert_eq!(scan(&["testdata/positive/.env"]).code, 1);
}

#[test]
fn missing_path_exits_2_with_a_clear_error() {
    let run = scan(&["testdata/positive/.env", "testdata/does-not-exist"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.is_empty(),
        "no report on an error: {}",
        run.stdout
    );
    assert!(
        run.stderr.contains("testdata/does-not-exist") && run.stderr.contains("no such file"),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["-", "testdata"][..],
        &["testdata", "--max-filesize", "lots"][..],
        &["testdata", "--fail-on", "sometimes"][..],
        &["testdata", "--format", "xml"][..],
    ] {
        let run = scan(args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(!run.stderr.is_empty(), "{args:?}");
    }
}

/// `ci/assume_role.sh` holds one medium finding and nothing else.
#[test]
fn fail_on_threshold_against_a_medium_only_file() {
    let file = "testdata/positive/ci/assume_role.sh";
    for (fail_on, code) in [
        ("info", 1),
        ("low", 1),
        ("medium", 1),
        ("high", 0),
        ("critical", 0),
        ("never", 0),
    ] {
        let run = scan(&[file, "--fail-on", fail_on]);
        assert_eq!(run.code, code, "--fail-on {fail_on}");
        assert!(run.stdout.contains("1 medium"), "reported either way");
    }
}

/// `logs/deploy.log` holds two low findings; `lone_secret.properties` one high.
#[test]
fn fail_on_low_and_high_only_files() {
    let log = "testdata/positive/logs/deploy.log";
    assert_eq!(scan(&[log]).code, 1, "low fails by default");
    assert_eq!(scan(&[log, "--fail-on", "medium"]).code, 0);
    let lone = "testdata/positive/lone_secret.properties";
    assert_eq!(scan(&[lone, "--fail-on", "high"]).code, 1);
    assert_eq!(scan(&[lone, "--fail-on", "critical"]).code, 0);
}

#[test]
fn fail_on_never_exits_0_even_with_critical_findings() {
    let run = scan(&[
        "testdata/positive",
        "--fail-on",
        "never",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0);
    assert_eq!(run.json()["summary"]["by_risk"]["critical"], 18);
}

#[test]
fn stdin_exit_codes() {
    assert_eq!(scan_stdin(b"nothing here\n", &[]).code, 0);
    assert_eq!(scan_stdin(b"", &[]).code, 0);
    assert_eq!(
        scan_stdin(b"id = AKIAVRUVS7NIUJULA7YF\n", &["--fail-on", "high"]).code,
        1
    );
}
