//! `--output FORMAT=PATH`: one scan writes every report asked for (annotations on stdout,
//! SARIF, GitLab and JSON files), each the same bytes its `--format` prints, with the exit
//! code of the findings; files are written with or without findings and replaced whole; a
//! file that cannot be written is exit 2 naming it, the others still written; a bad spec is a
//! usage error (exit 2) that writes nothing.

use std::path::Path;

use serde_json::Value;

use crate::common::{GITLAB_SCHEMA, Run, SARIF_SCHEMA, finish, scan_cmd, schema_errors, tree_of};
use crate::report_formats::{KEY, SECRET, tree};

/// Fixed, so two runs write the same GitLab report (its start and end times).
const NOW: i64 = 1_714_572_000;

/// `keyleak scan ARGS` in `dir` at [`NOW`].
fn run(dir: &Path, args: &[&str]) -> Run {
    finish(scan_cmd(dir).env("KEYLEAK_NOW", NOW.to_string()).args(args))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One finding as every format can say it: key ID, path, line, risk.
type Row = (String, String, u64, String);

fn row(key: &str, path: &str, line: u64, risk: &str) -> Row {
    (key.into(), path.into(), line, risk.into())
}

/// `tree()`'s three findings, in report order.
fn tree_rows() -> Vec<Row> {
    vec![
        row("ASIAY34FZKBOKMUTVV7A", "notes.md", 1, "low"),
        row("AKIAIOSFODNN7EXAMPLE", "notes.md", 2, "info"),
        row(KEY, "prod.env", 2, "critical"),
    ]
}

fn json_rows(doc: &Value) -> Vec<Row> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            row(
                f["key_id"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
                f["risk"].as_str().unwrap(),
            )
        })
        .collect()
}

fn sarif_rows(doc: &Value) -> Vec<Row> {
    let errors = schema_errors(SARIF_SCHEMA, doc);
    assert!(errors.is_empty(), "{errors:#?}");
    doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            row(
                r["properties"]["keyId"].as_str().unwrap(),
                loc["artifactLocation"]["uri"].as_str().unwrap(),
                loc["region"]["startLine"].as_u64().unwrap(),
                r["properties"]["risk"].as_str().unwrap(),
            )
        })
        .collect()
}

/// GitLab names the key ID in the description (`Key ID \`AKIA…\``) and the risk as severity.
fn gitlab_rows(doc: &Value) -> Vec<Row> {
    let errors = schema_errors(GITLAB_SCHEMA, doc);
    assert!(errors.is_empty(), "{errors:#?}");
    doc["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let description = v["description"].as_str().unwrap();
            let key = description
                .split_once("Key ID `")
                .and_then(|(_, rest)| rest.split_once('`'))
                .map(|(key, _)| key)
                .unwrap_or_else(|| panic!("no key ID in {description}"));
            row(
                key,
                v["location"]["file"].as_str().unwrap(),
                v["location"]["start_line"].as_u64().unwrap(),
                &v["severity"].as_str().unwrap().to_ascii_lowercase(),
            )
        })
        .collect()
}

#[test]
fn one_scan_writes_annotations_sarif_gitlab_and_json() {
    let dir = tree();
    // Outside the scanned tree: a second scan must not read the first one's reports.
    let out = tempfile::tempdir().unwrap();
    let file = |name: &str| out.path().join(name);
    let spec = |format: &str, name: &str| format!("{format}={}", file(name).display());
    let all = run(
        dir.path(),
        &[
            ".",
            "--output",
            "github=-",
            "--output",
            &spec("sarif", "out.sarif"),
            "--output",
            &spec("gitlab", "gl.json"),
            "--output",
            &spec("json", "out.json"),
        ],
    );
    assert_eq!(all.code, 1, "{}", all.stderr);
    assert_eq!(all.stderr, "");

    assert_eq!(json_rows(&parse(&file("out.json"))), tree_rows());
    assert_eq!(sarif_rows(&parse(&file("out.sarif"))), tree_rows());
    assert_eq!(gitlab_rows(&parse(&file("gl.json"))), tree_rows());
    assert!(
        all.stdout
            .lines()
            .any(|l| l.starts_with("::error file=prod.env,line=2,col=19,") && l.contains(KEY)),
        "{}",
        all.stdout
    );
    // Each report is what its --format prints, byte for byte.
    for (format, written) in [
        ("github", all.stdout.clone()),
        ("sarif", read(&file("out.sarif"))),
        ("gitlab", read(&file("gl.json"))),
        ("json", read(&file("out.json"))),
    ] {
        let alone = run(dir.path(), &[".", "--format", format]);
        assert_eq!(alone.code, 1, "{format}: {}", alone.stderr);
        assert_eq!(written, alone.stdout, "{format}");
        assert!(!written.contains(SECRET), "{format} leaks the secret");
    }
    let mut names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["gl.json", "out.json", "out.sarif"],
        "no temporary left"
    );
}

#[test]
fn a_clean_scan_writes_every_report_and_exits_0() {
    let dir = tree_of(&[("app.py", "print('hello')\n")]);
    // A report left by an earlier run is replaced, not appended to or kept.
    std::fs::write(dir.path().join("out.sarif"), "stale").unwrap();
    let clean = run(
        dir.path(),
        &[
            "app.py",
            "--output",
            "sarif=out.sarif",
            "--output",
            "gitlab=gl.json",
            "--output",
            "json=out.json",
            "--output",
            "jsonl=out.jsonl",
            "--output",
            "human=out.txt",
        ],
    );
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    assert_eq!(clean.stderr, "");
    assert_eq!(sarif_rows(&parse(&dir.path().join("out.sarif"))), []);
    assert_eq!(gitlab_rows(&parse(&dir.path().join("gl.json"))), []);
    assert_eq!(json_rows(&parse(&dir.path().join("out.json"))), []);
    assert_eq!(read(&dir.path().join("out.jsonl")), "");
    // With no `--output …=-`, standard output is --format's (human by default), and the human
    // file holds the same report.
    assert_eq!(read(&dir.path().join("out.txt")), clean.stdout);
    assert!(clean.stdout.contains("0 findings"), "{}", clean.stdout);
}

#[test]
fn a_human_report_file_has_no_colour() {
    let dir = tree();
    let out = tempfile::tempdir().unwrap();
    let text = out.path().join("report.txt");
    let spec = format!("human={}", text.display());
    let coloured = run(dir.path(), &[".", "--color", "always", "--output", &spec]);
    assert_eq!(coloured.code, 1, "{}", coloured.stderr);
    assert!(
        coloured.stdout.contains('\x1b'),
        "stdout is coloured as asked"
    );
    let plain = run(dir.path(), &[".", "--color", "never"]);
    assert_eq!(read(&text), plain.stdout);
}

#[test]
fn output_dash_sets_the_stdout_format() {
    let dir = tree();
    let json = run(dir.path(), &[".", "--output", "json=-"]);
    assert_eq!(json.code, 1, "{}", json.stderr);
    assert_eq!(json_rows(&json.json()), tree_rows());
    // --format may repeat it.
    let same = run(dir.path(), &[".", "--format", "json", "--output", "json=-"]);
    assert_eq!(same.code, 1, "{}", same.stderr);
    assert_eq!(same.stdout, json.stdout);
}

#[test]
fn an_unwritable_file_is_exit_2_naming_it_and_the_others_are_written() {
    let dir = tree();
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir(out.path().join("a-directory")).unwrap();
    let json = out.path().join("out.json");
    let missing = out.path().join("no/such/dir/out.sarif");
    let directory = out.path().join("a-directory");
    let r = run(
        dir.path(),
        &[
            ".",
            "--output",
            &format!("sarif={}", missing.display()),
            "--output",
            &format!("json={}", json.display()),
            "--output",
            &format!("gitlab={}", directory.display()),
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    assert!(
        lines[0].starts_with(&format!(
            "keyleak: error: cannot write the report to {}: No such file or directory (os error 2); {}: ",
            missing.display(),
            directory.display()
        )),
        "{}",
        r.stderr
    );
    // The writable report is complete, the directory untouched, and stdout still reported.
    assert_eq!(json_rows(&parse(&json)), tree_rows());
    assert_eq!(
        std::fs::read_dir(&directory).unwrap().count(),
        0,
        "nothing written into the directory"
    );
    assert!(r.stdout.contains("critical"), "{}", r.stdout);
}

#[test]
fn bad_output_specs_are_usage_errors_that_write_nothing() {
    let dir = tree();
    let cases: [(&[&str], &str); 7] = [
        (
            &["--output", "sarif"],
            "error: invalid value 'sarif' for '--output <FORMAT=PATH>': expected FORMAT=PATH",
        ),
        (
            &["--output", "xml=a"],
            "error: invalid value 'xml=a' for '--output <FORMAT=PATH>': unknown format `xml`: \
             expected one of human, json, jsonl, sarif, github, gitlab",
        ),
        (
            &["--output", "sarif="],
            "error: invalid value 'sarif=' for '--output <FORMAT=PATH>': PATH is empty",
        ),
        (
            &["--output", "SARIF=a"],
            "error: invalid value 'SARIF=a' for '--output <FORMAT=PATH>': unknown format `SARIF`",
        ),
        (
            &[
                "--output", "sarif=-", "--output", "json=-", "--output", "json=a",
            ],
            "keyleak: error: invalid value for --output: only one report can go to standard \
             output (`-`)\n",
        ),
        (
            &[
                "--format", "json", "--output", "sarif=-", "--output", "json=a",
            ],
            "keyleak: error: invalid value for --format: `--format json` and `--output sarif=-` \
             both set standard output's format: keep one\n",
        ),
        (
            &["--output", "sarif=a", "--output", "json=a"],
            "keyleak: error: invalid value for --output: a is named by two --output options: \
             one report per file\n",
        ),
    ];
    for (args, message) in cases {
        let r = run(dir.path(), &[&["."], args].concat());
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.starts_with(message), "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout, "", "{args:?}");
        assert!(!dir.path().join("a").exists(), "{args:?} wrote a file");
    }
}
