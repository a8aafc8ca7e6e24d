//! The documentation lists every field keyleak writes, and nothing it does not: the field
//! tables of docs/output.md (each finding, the summary) and the SARIF result `properties` list
//! of docs/ci.md are parsed and compared with the keys of real output, from scans that exercise
//! every optional field (testdata: presigned URLs, canaries, session-token metadata, encoded
//! text, identifiers; a history scan of a deleted, expired key; `--verify` answered active and
//! refused by a stand-in STS).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::common::{FIXED_NOW, ROOT, finish, scan_cmd};
use crate::git_common::{DAY, Repo, env_file, fake_key, fake_secret};
use crate::report_formats::tree;
use crate::verify_offline::{Reply, StandIn};

/// The JSON output page: its field tables.
const OUTPUT_DOC: &str = include_str!("../../docs/output.md");
/// The CI page: its sentence listing the SARIF result properties.
const CI_DOC: &str = include_str!("../../docs/ci.md");

/// Every `code span` in `text`.
fn code_spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// The names in the first column of the table that follows the line starting with `intro`.
fn table_after(text: &str, intro: &str) -> BTreeSet<String> {
    let mut lines = text.lines().skip_while(|l| !l.starts_with(intro)).skip(1);
    let rows = lines
        .by_ref()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        // The header and the separator.
        .skip(2);
    let names: BTreeSet<String> = rows
        .flat_map(|row| {
            let first = row.split('|').nth(1).unwrap_or_default();
            code_spans(first).into_iter().map(str::to_string)
        })
        .collect();
    assert!(!names.is_empty(), "no table after `{intro}`");
    names
}

/// The code spans of the sentence starting `Each result's \`properties\` hold`, options
/// (`--verify`) left out.
fn sarif_properties() -> BTreeSet<String> {
    // One line: the sentence wraps anywhere.
    let ci = CI_DOC.split_whitespace().collect::<Vec<_>>().join(" ");
    let intro = "Each result's `properties` hold";
    let start = ci
        .find(intro)
        .unwrap_or_else(|| panic!("no `{intro}` in docs/ci.md"));
    let sentence = &ci[start + intro.len()..];
    let sentence = &sentence[..sentence.find(". ").unwrap_or(sentence.len())];
    code_spans(sentence)
        .into_iter()
        .filter(|s| !s.starts_with('-'))
        .map(str::to_string)
        .collect()
}

/// The key paths of `value` (`commit.id`), into `out`. `maps` are objects keyed by data (a
/// risk, an account), not by field name: their keys are not fields.
fn key_paths(value: &Value, prefix: &str, maps: &[&str], out: &mut BTreeSet<String>) {
    let Some(object) = value.as_object() else {
        return;
    };
    for (key, v) in object {
        let path = format!("{prefix}{key}");
        if !maps.contains(&path.as_str()) {
            key_paths(v, &format!("{path}."), maps, out);
        }
        out.insert(path);
    }
}

/// One scan's JSON document and SARIF log, both written by the same run with `--output`.
fn reports(dir: &Path, args: &[&str]) -> (Value, Value) {
    let out = tempfile::tempdir().unwrap();
    let json = out.path().join("report.json");
    let sarif = out.path().join("report.sarif");
    let run = finish(
        scan_cmd(dir)
            .env("KEYLEAK_NOW", FIXED_NOW.to_string())
            .args(args)
            .arg("--output")
            .arg(format!("json={}", json.display()))
            .arg("--output")
            .arg(format!("sarif={}", sarif.display())),
    );
    assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
    let parse =
        |p: &Path| -> Value { serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap() };
    (parse(&json), parse(&sarif))
}

/// Reports that between them hold every optional field.
fn every_kind_of_report() -> Vec<(Value, Value)> {
    let mut all = vec![reports(
        Path::new(ROOT),
        &["testdata", "--include-identifiers"],
    )];
    // A long-term key pair committed, then deleted: commit, in_head, expired and the history
    // advice (which an expired temporary key would not get).
    let repo = Repo::new();
    repo.write("old.env", &env_file(&fake_key("AKIA"), &fake_secret()));
    repo.commit_at(FIXED_NOW - 30 * DAY, "add");
    repo.git(&["rm", "-q", "old.env"]);
    repo.commit_at(FIXED_NOW - 29 * DAY, "remove");
    all.push(reports(repo.path(), &["--git"]));
    // The same repository in a multi-repository scan: repository, repositories.
    let parent = repo.path().parent().unwrap();
    all.push(reports(parent, &["--repos-under", "."]));
    // --verify: an active caller (ARN, account, user ID) and a refusal (detail).
    let dir = tree();
    let active = StandIn::start(Reply::Active);
    all.push(reports(
        dir.path(),
        &[".", "--verify", "--sts-endpoint", &active.endpoint],
    ));
    let refused = StandIn::start(Reply::Status(
        403,
        "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>\
         <Message>The security token included in the request is invalid.</Message></Error>\
         </ErrorResponse>",
    ));
    all.push(reports(
        dir.path(),
        &[".", "--verify", "--sts-endpoint", &refused.endpoint],
    ));
    all
}

/// Both ways: what the documentation lists that no output has, and what output has that it omits.
fn assert_same(what: &str, documented: &BTreeSet<String>, output: &BTreeSet<String>) {
    let missing: Vec<&String> = documented.difference(output).collect();
    let undocumented: Vec<&String> = output.difference(documented).collect();
    assert!(
        missing.is_empty() && undocumented.is_empty(),
        "{what}: documented in docs/ but never in the output: {missing:?}; \
         in the output but not documented: {undocumented:?}"
    );
}

#[test]
fn docs_document_exactly_the_fields_of_json_and_sarif_output() {
    let json_section = OUTPUT_DOC;
    let finding_fields = table_after(json_section, "Each finding:");
    let summary_fields = table_after(json_section, "The summary:");
    let sarif_fields = sarif_properties();

    let (mut findings, mut summary, mut properties) =
        (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for (json, sarif) in every_kind_of_report() {
        // In the order written: serde_json keeps it (its `preserve_order` feature).
        let top: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(top, ["version", "findings", "summary"]);
        // A trust policy is IAM's document, not keyleak's fields.
        for f in json["findings"].as_array().unwrap() {
            key_paths(f, "", &["advice.role.trust_policy"], &mut findings);
        }
        key_paths(
            &json["summary"],
            "",
            &["by_risk", "by_account", "verified"],
            &mut summary,
        );
        for r in sarif["runs"][0]["results"].as_array().unwrap() {
            key_paths(
                &r["properties"],
                "",
                &["adviceRole.trust_policy"],
                &mut properties,
            );
        }
    }
    assert_same("JSON finding", &finding_fields, &findings);
    assert_same("JSON summary", &summary_fields, &summary);
    assert_same("SARIF result properties", &sarif_fields, &properties);
}
