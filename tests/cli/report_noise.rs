//! Noise: `info` findings (documentation examples, identifiers) are one count line in human
//! output and GitHub annotations unless `--show-info`; `--min-risk` leaves findings out of
//! every format and of the exit code; annotations stay within GitHub's per-step cap; a
//! placeholder key names no account.

use serde_json::{Value, json};

use crate::common::{Run, scan_in, scan_stdin};
use crate::git_common::{Repo, env_file, fake_key, fake_secret, keyleak};

/// Two documentation examples and one real key ID alone (`high`, account 123456789012).
/// `AKIA222222222EXAMPLE` decodes to account 744830457525, which names no one.
const MIX: &str =
    "docs: AKIAIOSFODNN7EXAMPLE\nother: AKIA222222222EXAMPLE\nreal: AKIARZPUZDIKGB2VALC4\n";

const COUNT_LINE: &str = "plus 2 info findings (documentation examples): --show-info lists them";

fn human(args: &[&str]) -> Run {
    scan_stdin(MIX.as_bytes(), args)
}

#[test]
fn info_findings_are_one_count_line() {
    let run = human(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "high: long-term AWS access key ID (no secret found next to it)"
    );
    assert!(!run.stdout.contains("info:"), "{}", run.stdout);
    assert!(!run.stdout.contains("EXAMPLE"), "{}", run.stdout);
    assert_eq!(
        lines[lines.len() - 5..],
        [
            "",
            COUNT_LINE,
            "summary: 3 findings: 0 critical, 1 high, 0 medium, 0 low, 2 info",
            // The placeholders' decoded accounts are no one's: not counted, not `unknown`.
            "by account: 123456789012 (1)",
            "scanned 1 file, 82 B",
        ]
    );
}

#[test]
fn show_info_lists_them_without_an_account() {
    let run = human(&["--show-info"]);
    assert!(!run.stdout.contains("plus 2 info"), "{}", run.stdout);
    let info: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("info: "))
        .collect();
    assert_eq!(
        info,
        ["info: long-term AWS access key ID (no secret found next to it): documentation or placeholder example";
            2]
    );
    // The caret line names the key type, and no account, for each placeholder.
    let labels: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("^^^^"))
        .map(|l| l.trim_start_matches([' ', '|', '^']))
        .collect();
    assert_eq!(
        labels,
        [
            "IAM user access key",
            "IAM user access key",
            "IAM user access key, account 123456789012"
        ]
    );
    assert!(run.stdout.contains("by account: 123456789012 (1)\n"));
}

/// JSON keeps info findings (machines filter), with `example: true` and no account for a
/// placeholder, and leaves placeholders out of `by_account`.
#[test]
fn json_keeps_info_findings_without_a_placeholder_account() {
    let run = human(&["--format", "json"]);
    let doc = run.json();
    let got: Vec<(Value, Value, Value)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["key_id"].clone(),
                f["example"].clone(),
                f["account_id"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (json!("AKIAIOSFODNN7EXAMPLE"), json!(true), Value::Null),
            (json!("AKIA222222222EXAMPLE"), json!(true), Value::Null),
            (
                json!("AKIARZPUZDIKGB2VALC4"),
                json!(false),
                json!("123456789012")
            ),
        ]
    );
    assert_eq!(doc["summary"]["by_account"], json!({"123456789012": 1}));
    // Nor in the other formats' messages.
    for format in ["github", "sarif", "gitlab"] {
        let run = human(&["--format", format, "--show-info"]);
        assert!(run.stdout.contains("123456789012"), "{format}");
        assert!(
            !run.stdout.contains("744830457525"),
            "{format}: {}",
            run.stdout
        );
    }
}

/// `--min-risk` leaves lower findings out of human and JSON output, counts them, and they
/// no longer fail the run.
#[test]
fn min_risk_filters_every_format_and_the_exit_code() {
    let run = human(&["--min-risk", "high"]);
    assert_eq!(run.code, 1);
    assert!(!run.stdout.contains("plus "), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("summary: 1 finding: 0 critical, 1 high, 0 medium, 0 low, 0 info\n")
    );
    assert!(
        run.stdout
            .ends_with("scanned 1 file, 82 B; 2 below --min-risk\n"),
        "{}",
        run.stdout
    );

    let doc = human(&["--format", "json", "--min-risk", "low"]).json();
    let keys: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key_id"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["AKIARZPUZDIKGB2VALC4"]);
    assert_eq!(doc["summary"]["suppressed"]["min_risk"], 2);
    assert_eq!(doc["summary"]["findings"], 1);

    // Above every finding: nothing reported, exit 0 at the default --fail-on low.
    let run = human(&["--format", "json", "--min-risk", "critical"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.findings(), Vec::<Value>::new());
    assert_eq!(run.json()["summary"]["suppressed"]["min_risk"], 3);
}

/// A tree with `critical` long-term key pairs in `c00.env`…, `low` lone temporary key IDs in
/// `l00.md`…, and two documentation examples in `docs.md`.
fn annotated_tree(critical: usize, low: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..critical {
        let file = env_file(&fake_key("AKIA"), &fake_secret());
        std::fs::write(dir.path().join(format!("c{i:02}.env")), file).unwrap();
    }
    for i in 0..low {
        let file = format!("temporary: {}\n", fake_key("ASIA"));
        std::fs::write(dir.path().join(format!("l{i:02}.md")), file).unwrap();
    }
    std::fs::write(
        dir.path().join("docs.md"),
        MIX.lines().take(2).collect::<Vec<_>>().join("\n"),
    )
    .unwrap();
    dir
}

/// The annotations' commands and files, in order.
fn annotations(run: &Run) -> Vec<String> {
    run.stdout
        .lines()
        .map(|l| {
            let end = l
                .find("::")
                .map(|_| l[2..].find("::").unwrap() + 2)
                .unwrap();
            l[..end].split(",line=").next().unwrap().to_string()
        })
        .collect()
}

#[test]
fn annotations_stay_within_githubs_cap_most_severe_first() {
    let dir = annotated_tree(25, 12);
    let run = scan_in(dir.path(), &[".", "--format", "github"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut want: Vec<String> = (0..10)
        .map(|i| format!("::error file=c{i:02}.env"))
        .collect();
    want.extend((0..10).map(|i| format!("::warning file=l{i:02}.md")));
    want.extend(vec!["::notice title=keyleak".to_string(); 2]);
    assert_eq!(annotations(&run), want, "{}", run.stdout);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[20],
        "::notice title=keyleak::plus 2 info findings (documentation examples): --show-info lists them"
    );
    assert_eq!(
        lines[21],
        "::notice title=keyleak::17 more findings are not annotated (15 critical, 2 low): GitHub \
         shows at most 10 error, 10 warning and 10 notice annotations per step. Every finding is \
         in keyleak's human output (`--format human`, in the job log) and in SARIF (`--format \
         sarif`, for code scanning)."
    );
}

#[test]
fn annotations_cap_exactly_ten_errors_and_one_overflow_notice() {
    let dir = annotated_tree(25, 0);
    std::fs::remove_file(dir.path().join("docs.md")).unwrap();
    let run = scan_in(dir.path(), &[".", "--format", "github"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 11, "{}", run.stdout);
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("::error ")).count(),
        10
    );
    assert!(
        lines[10].starts_with(
            "::notice title=keyleak::15 more findings are not annotated (15 critical): "
        ),
        "{}",
        lines[10]
    );

    // --show-info: the examples are notices, and one notice stays free for the overflow.
    let dir = annotated_tree(11, 0);
    let run = scan_in(dir.path(), &[".", "--format", "github", "--show-info"]);
    let mut want: Vec<String> = (0..10)
        .map(|i| format!("::error file=c{i:02}.env"))
        .collect();
    want.extend(vec!["::notice file=docs.md".to_string(); 2]);
    want.push("::notice title=keyleak".to_string());
    assert_eq!(annotations(&run), want, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("::notice title=keyleak::1 more finding is not annotated (1 critical): ")
    );

    // Within the cap: every finding, no overflow notice.
    let dir = annotated_tree(10, 10);
    let run = scan_in(dir.path(), &[".", "--format", "github"]);
    assert_eq!(run.stdout.lines().count(), 21, "{}", run.stdout);
    assert!(!run.stdout.contains("more finding"), "{}", run.stdout);
}

/// A clean `--staged` run (a pre-commit hook letting a commit through) prints nothing; with
/// `-v` one line. A clean scan of files keeps its summary.
#[test]
fn a_clean_staged_run_prints_nothing_or_one_line() {
    let repo = Repo::new();
    repo.first_commit();
    repo.write("README.md", "hello again\n");
    repo.write("src/main.rs", "fn main() {}\n");
    repo.git(&["add", "-A"]);
    let run = keyleak(repo.path(), &["--staged"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "")
    );
    let run = keyleak(repo.path(), &["--staged", "-v"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "keyleak: 2 files scanned, no keys\n")
    );
    let run = keyleak(repo.path(), &["--staged", "--verbose", "--format", "json"]);
    assert_eq!(run.json()["summary"]["findings"], 0);

    let run = keyleak(repo.path(), &["src"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            0,
            "summary: 0 findings: 0 critical, 0 high, 0 medium, 0 low, 0 info\nscanned 1 file, 13 B\n"
        )
    );
}
