//! `--format gitlab`: GitLab's Secret Detection report validates against GitLab's own schema
//! (15.2.1, vendored in tests/schemas), for a file scan and a history scan, with exact
//! severities, locations and commits, stable unique ids, and no secret in it.

use serde_json::Value;

use crate::common::{Run, scan_cmd, tree_of};
use crate::git_common::{DAY, Repo, env_file, fake_key, fake_secret, now};
use crate::report_formats::{KEY, SECRET, tree};

/// 2024-05-01T14:00:00Z.
const NOW: i64 = 1_714_572_000;

/// `keyleak scan --format gitlab ARGS` in `dir` at [`NOW`]; the run and its report, which
/// must validate against the vendored schema.
fn gitlab(dir: &std::path::Path, args: &[&str]) -> (Run, Value) {
    let run = crate::common::finish(
        scan_cmd(dir)
            .env("KEYLEAK_NOW", NOW.to_string())
            .args(["--format", "gitlab"])
            .args(args),
    );
    let doc: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", run.stdout, run.stderr));
    let errors = crate::common::schema_errors(crate::common::GITLAB_SCHEMA, &doc);
    assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
    (run, doc)
}

fn vulnerabilities(doc: &Value) -> &Vec<Value> {
    doc["vulnerabilities"].as_array().unwrap()
}

/// (name, severity, primary identifier, file, start line, end line, commit sha) of each.
fn locations(doc: &Value) -> Vec<(String, String, String, String, u64, u64, String)> {
    vulnerabilities(doc)
        .iter()
        .map(|v| {
            let loc = &v["location"];
            (
                v["name"].as_str().unwrap().to_string(),
                v["severity"].as_str().unwrap().to_string(),
                v["identifiers"][0]["value"].as_str().unwrap().to_string(),
                loc["file"].as_str().unwrap().to_string(),
                loc["start_line"].as_u64().unwrap(),
                loc["end_line"].as_u64().unwrap(),
                loc["commit"]["sha"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn ids(doc: &Value) -> Vec<String> {
    vulnerabilities(doc)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

fn is_uuid_shaped(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.iter().map(|g| g.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && groups.iter().all(|g| {
            g.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

fn row(
    name: &str,
    severity: &str,
    rule: &str,
    file: &str,
    lines: (u64, u64),
    sha: &str,
) -> (String, String, String, String, u64, u64, String) {
    (
        name.into(),
        severity.into(),
        rule.into(),
        file.into(),
        lines.0,
        lines.1,
        sha.into(),
    )
}

#[test]
fn file_scan_report_validates_with_exact_severity_and_location() {
    let dir = tree();
    let (run, doc) = gitlab(dir.path(), &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(doc["version"], "15.2.1");
    let scan = &doc["scan"];
    assert_eq!(scan["type"], "secret_detection");
    assert_eq!(scan["status"], "success");
    assert_eq!(scan["analyzer"]["id"], "keyleak");
    assert_eq!(scan["scanner"]["vendor"]["name"], "keyleak");
    assert_eq!(scan["scanner"]["version"], env!("CARGO_PKG_VERSION"));
    // KEYLEAK_NOW fixes both times: the report is reproducible.
    assert_eq!(scan["start_time"], "2024-05-01T14:00:00");
    assert_eq!(scan["end_time"], "2024-05-01T14:00:00");
    assert_eq!(scan["primary_identifiers"].as_array().unwrap().len(), 6);

    assert_eq!(
        locations(&doc),
        [
            row(
                "Temporary AWS access key",
                "Low",
                "aws_temporary_access_key",
                "notes.md",
                (1, 1),
                "0000000"
            ),
            row(
                "Long-term AWS access key",
                "Info",
                "aws_access_key",
                "notes.md",
                (2, 2),
                "0000000"
            ),
            // The key on line 2, its secret on line 3.
            row(
                "Long-term AWS access key",
                "Critical",
                "aws_access_key",
                "prod.env",
                (2, 3),
                "0000000"
            ),
        ]
    );
    let v = vulnerabilities(&doc);
    // Only the documentation example is flagged as a likely false positive.
    let flagged: Vec<bool> = v.iter().map(|x| x.get("flags").is_some()).collect();
    assert_eq!(flagged, [false, true, false]);
    let critical = v[2]["description"].as_str().unwrap();
    assert!(critical.starts_with(&format!(
        "Risk **critical**. Key ID `{KEY}` (IAM user access key, account `295889548742`). \
         Secret access key `2hpC…`, line 3.\n\n**Now:** Deactivate and delete this key"
    )));
    assert!(critical.contains("\n\n**Instead:** "), "{critical}");
    assert!(v[2]["solution"].as_str().unwrap().starts_with("**Now:** "));
    assert!(v.iter().all(|x| x.get("raw_source_code_extract").is_none()));
    // The secret never appears, not even a 12-character piece of it.
    for piece in SECRET.as_bytes().windows(12) {
        let piece = std::str::from_utf8(piece).unwrap();
        assert!(!run.stdout.contains(piece), "{piece} leaked");
    }

    let ids = ids(&doc);
    assert!(ids.iter().all(|id| is_uuid_shaped(id)), "{ids:?}");
    // Stable: a second run gives the same ids.
    assert_eq!(ids, self::ids(&gitlab(dir.path(), &["."]).1));
}

#[test]
fn show_secrets_shows_the_secret_as_other_formats_do() {
    let dir = tree();
    let (_, doc) = gitlab(dir.path(), &[".", "--show-secrets"]);
    let description = vulnerabilities(&doc)[2]["description"].as_str().unwrap();
    assert!(description.contains(&format!("Secret access key `{SECRET}`")));
}

#[test]
fn the_same_key_twice_in_one_file_gets_two_ids() {
    let dir = tree_of(&[("a.txt", &format!("id = {KEY}\n\nagain = {KEY}\n"))]);
    let (_, doc) = gitlab(dir.path(), &["."]);
    let lines: Vec<u64> = locations(&doc).iter().map(|l| l.4).collect();
    assert_eq!(lines, [1, 3]);
    let ids = ids(&doc);
    assert_ne!(ids[0], ids[1]);
}

#[test]
fn a_clean_tree_is_an_empty_valid_report() {
    let dir = tree_of(&[("README", "nothing here\n")]);
    let (run, doc) = gitlab(dir.path(), &["."]);
    assert_eq!(run.code, 0);
    assert_eq!(vulnerabilities(&doc).len(), 0);
}

#[test]
fn history_scan_report_names_the_introducing_commit() {
    let repo = Repo::new();
    repo.write("README.md", "# app\n");
    repo.commit("init");
    let (key, secret) = (fake_key("AKIA"), fake_secret());
    let when = now() - 3 * DAY;
    repo.write(
        "config/deploy.env",
        &format!("# deploy\n{}", env_file(&key, &secret)),
    );
    let added = repo.commit_as("Jane Doe", "jane@example.com", when, "add deploy config");
    repo.git(&["rm", "-q", "config/deploy.env"]);
    repo.commit("remove it");

    let (run, doc) = gitlab(repo.path(), &["--git"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        locations(&doc),
        [row(
            "Long-term AWS access key",
            "Critical",
            "aws_access_key",
            "config/deploy.env",
            (2, 3),
            &added
        )]
    );
    let v = &vulnerabilities(&doc)[0];
    let commit = &v["location"]["commit"];
    assert_eq!(commit["author"], "Jane Doe");
    let date = commit["date"].as_str().unwrap();
    assert!(date.ends_with('Z') && date.len() == 20, "{date}");
    let description = v["description"].as_str().unwrap();
    assert!(
        description.contains("No longer in HEAD's tree, still in history."),
        "{description}"
    );
    assert!(description.contains("\n\n**History:** "), "{description}");
    assert!(!run.stdout.contains(&secret[..12]));
    assert!(is_uuid_shaped(v["id"].as_str().unwrap()));

    // The id follows the commit: the same credential and path in a file scan differs.
    repo.write(
        "config/deploy.env",
        &format!("# deploy\n{}", env_file(&key, &secret)),
    );
    let (_, files) = gitlab(repo.path(), &["config"]);
    assert_eq!(locations(&files)[0].6, "0000000");
    assert_ne!(ids(&files), ids(&doc));
}

#[test]
fn an_author_name_carrying_a_secret_is_redacted() {
    let repo = Repo::new();
    let (key, secret) = (fake_key("AKIA"), fake_secret());
    repo.write("deploy.env", &env_file(&key, &secret));
    repo.commit_as(&format!("ci {secret}"), "ci@example.com", now(), "add");
    let (run, doc) = gitlab(repo.path(), &["--git"]);
    let author = vulnerabilities(&doc)[0]["location"]["commit"]["author"]
        .as_str()
        .unwrap();
    assert!(
        author.starts_with("ci ") && author.ends_with('…'),
        "{author}"
    );
    assert!(!run.stdout.contains(&secret[..12]));
}
