//! Output: standard input, the three formats, redaction, determinism across thread counts,
//! and the inline allow marker.

use serde_json::Value;

use crate::common::{Run, Want, assert_findings, scan, scan_stdin};

const FORMATS: [&str; 3] = ["human", "json", "jsonl"];

/// Every secret and session token in `testdata/positive`, in full, from a `--show-secrets`
/// run (the exact test in `scan_testdata` checks they are the planted ones).
fn planted_values() -> Vec<String> {
    let run = scan(&["testdata/positive", "--format", "json", "--show-secrets"]);
    let mut out = Vec::new();
    for f in run.findings() {
        for field in ["secret", "session_token"] {
            if let Some(s) = f[field].as_str() {
                out.push(s.to_string());
            }
        }
    }
    assert_eq!(out.len(), 43, "30 secrets and 13 tokens are planted");
    out
}

/// The first 12-character piece of `value` found in `text`, if any: a redacted value shows
/// 4 characters, so any 12 in a row mean it leaked.
fn leaked_piece<'v>(text: &str, value: &'v str) -> Option<&'v str> {
    (0..=value.len() - 12)
        .map(|i| &value[i..i + 12])
        .find(|piece| text.contains(piece))
}

#[test]
fn secrets_and_tokens_are_redacted_in_every_format() {
    let values = planted_values();
    for format in FORMATS {
        let run = scan(&["testdata/positive", "--format", format]);
        assert_eq!(run.code, 1);
        for v in &values {
            for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
                assert_eq!(
                    leaked_piece(text, v),
                    None,
                    "{format} {stream} shows part of {}…",
                    &v[..4]
                );
            }
            // The redacted form is there instead: first four characters and an ellipsis.
            assert!(
                run.stdout.contains(&format!("{}…", &v[..4])),
                "{format}: {}…",
                &v[..4]
            );
        }
        // Key IDs stay whole: they are needed to find the key in IAM.
        assert!(run.stdout.contains("AKIAVRUVS7NIUJULA7YF"), "{format}");
    }
}

#[test]
fn show_secrets_prints_them_in_every_format() {
    let values = planted_values();
    for format in FORMATS {
        // --show-info: human output and annotations list the info findings too.
        let run = scan(&[
            "testdata/positive",
            "--format",
            format,
            "--show-secrets",
            "--show-info",
        ]);
        for v in &values {
            assert!(run.stdout.contains(v.as_str()), "{format}: {}…", &v[..4]);
        }
    }
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    for format in FORMATS {
        let args = |j: &'static str| {
            [
                "testdata",
                "--format",
                format,
                "--include-identifiers",
                "-j",
                j,
            ]
        };
        let one = scan(&args("1"));
        assert!(!one.stdout.is_empty());
        for _ in 0..3 {
            let eight = scan(&args("8"));
            assert_eq!(one.stdout, eight.stdout, "{format}: -j1 vs -j8");
            assert_eq!(one.stderr, eight.stderr, "{format}");
            assert_eq!(one.code, eight.code);
        }
    }
}

#[test]
fn jsonl_is_the_json_findings_one_per_line() {
    let json = scan(&["testdata", "--format", "json"]);
    let jsonl = scan(&["testdata", "--format", "jsonl"]);
    let lines: Vec<Value> = jsonl
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect();
    assert_eq!(lines, json.findings());
    assert_eq!(json.json()["version"], 1);
}

fn stdin_row(line: u64, column: u64, key: &str, secret: &str, secret_line: u64) -> Want {
    Want::critical_pair(
        "<stdin>",
        (line, column),
        key,
        (secret, secret_line),
        "generic",
    )
}

#[test]
fn stdin_is_scanned_as_one_blob_named_stdin() {
    let key = "AKIA2PSAGESIRBHFKQTT";
    let secret = "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";
    let input = format!("export REGION=eu-west-1\nexport KEY={key}\nexport SECRET='{secret}'\n");
    let run = scan_stdin(input.as_bytes(), &["--format", "json", "--show-secrets"]);
    assert_eq!(run.code, 1);
    assert_findings(&run.findings(), &[stdin_row(2, 12, key, secret, 3)]);
    assert_eq!(run.json()["summary"]["scanned_blobs"], 1);
}

/// A human report, checked on its shape: a diagnostic per finding with `-->` path:line:col,
/// the line with the key ID, the account, and a summary line.
#[test]
fn human_report_shape() {
    let run = scan(&["testdata/positive/.env", "testdata/positive/config.json"]);
    assert_eq!(run.code, 1);
    let out = &run.stdout;
    assert!(
        !out.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    let lines: Vec<&str> = out.lines().collect();
    let has = |pred: &dyn Fn(&str) -> bool| lines.iter().any(|l| pred(l));
    assert!(has(&|l| l.starts_with("critical: long-term AWS access key")));
    // Its `expiration` (2024) has passed, by any clock.
    assert!(has(&|l| l
        == "low: temporary AWS access key with its secret and session token \
            (expired 2024-05-14T18:22:41Z)"));
    assert!(has(&|l| l.trim_start() == "--> testdata/positive/.env:5:19"));
    assert!(has(
        &|l| l.trim_start() == "--> testdata/positive/config.json:9:21"
    ));
    assert!(has(
        &|l| l.contains("AWS_ACCESS_KEY_ID=AKIAVRUVS7NI7BB7QMHP")
    ));
    assert!(has(&|l| l.contains("account 381492067153")));
    let summary = lines
        .iter()
        .find(|l| l.starts_with("summary:"))
        .expect("a summary line");
    assert!(summary.contains("2 findings"), "{summary}");
    assert!(
        summary.contains("1 critical") && summary.contains("1 low"),
        "{summary}"
    );
    assert!(has(
        &|l| l.starts_with("by account:") && l.contains("381492067153 (2)")
    ));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let file = "testdata/positive/.env";
    assert!(scan(&[file, "--color", "always"]).stdout.contains("\x1b["));
    assert!(!scan(&[file, "--color", "never"]).stdout.contains('\x1b'));
    assert!(!scan(&[file, "--color", "auto"]).stdout.contains('\x1b'));
}

fn allow_input() -> String {
    // Three keys, each far enough from the others (8 lines) to stand alone.
    let gap = "# --\n".repeat(7);
    format!(
        "a = AKIAVRUVS7NIUJULA7YF  # keyleak:allow (revoked 2024-05-01, kept for a test)\n{gap}\
         b = AKIA2PSAGESIRWAO6JP6  # gitleaks:allow\n{gap}\
         c = AKIAS73GWDLBKZIQ5L5O\n"
    )
}

#[test]
fn inline_allow_marker_suppresses_and_is_counted() {
    let run: Run = scan_stdin(allow_input().as_bytes(), &["--format", "json"]);
    assert_eq!(run.code, 1, "the unmarked key still fails");
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["key_id"], "AKIAS73GWDLBKZIQ5L5O");
    assert_eq!(findings[0]["line"], 17);
    assert_eq!(findings[0]["risk"], "high");
    let summary = &run.json()["summary"];
    assert_eq!(summary["allowed_inline"], 2);
    assert_eq!(summary["findings"], 1);

    let human = scan_stdin(allow_input().as_bytes(), &[]);
    assert!(
        human.stdout.contains("2 allowed by keyleak:allow"),
        "{}",
        human.stdout
    );
}

#[test]
fn a_marked_line_alone_exits_0() {
    let run = scan_stdin(
        b"AWS_ACCESS_KEY_ID=AKIAVRUVS7NIUJULA7YF # keyleak:allow\n",
        &["--format", "json"],
    );
    assert_eq!(run.code, 0);
    assert!(run.findings().is_empty());
    assert_eq!(run.json()["summary"]["allowed_inline"], 1);
}
