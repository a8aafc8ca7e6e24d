//! `advice.role.wiring_diff` (issue 21): for a key in a GitHub Actions workflow, a unified diff
//! of that workflow that `git apply` takes. Each fixture (keys in the action's `with:`, in a
//! job's and a step's `env:`, an existing `permissions:` block, a job with an `environment:`)
//! is scanned, its diff applied in a fresh repository, and the result read back as YAML
//! (python3's PyYAML, when installed): `id-token: write` and `role-to-assume` are there, the
//! keys are gone. A diff whose removed lines hold a secret is printed redacted and says it does
//! not apply; `--show-secrets` gives the one that does.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{account_of, scan_in};
use crate::git_common::{Repo, fake_key, fake_secret, git_stdin};

const PATH: &str = ".github/workflows/deploy.yml";

fn key_with_account() -> (String, String) {
    loop {
        let key = fake_key("AKIA");
        if let Some(account) = account_of(&key) {
            return (key, account);
        }
    }
}

/// The `wiring_diff` of the one finding at `PATH` in a scan of `repo` with `args`.
fn wiring_diff(repo: &Repo, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let run = scan_in(repo.path(), &all);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let diffs: Vec<Value> = run
        .findings()
        .iter()
        .filter(|f| f["path"] == PATH)
        .map(|f| f["advice"]["role"]["wiring_diff"].clone())
        .collect();
    assert!(!diffs.is_empty(), "{}", run.stdout);
    // Every finding in the file carries the same diff.
    assert!(diffs.iter().all(|d| *d == diffs[0]), "{diffs:#?}");
    diffs[0].clone()
}

/// The workflow as YAML, when PyYAML is installed.
fn yaml(path: &Path) -> Option<Value> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(path)
        .output()
        .ok()?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("No module named 'yaml'"), "{err}");
        eprintln!("skipped the YAML check: PyYAML is not installed");
        return None;
    }
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// Applies `patch` to a repository holding only `workflow` at `PATH`; the result.
fn apply(workflow: &str, patch: &str) -> (Repo, String) {
    let target = Repo::new();
    target.write(PATH, workflow);
    git_stdin(target.path(), &["apply", "--check", "-"], patch.as_bytes());
    git_stdin(target.path(), &["apply", "-"], patch.as_bytes());
    let after = std::fs::read_to_string(target.path().join(PATH)).unwrap();
    (target, after)
}

/// Scans `workflow`, applies its diff, and checks the result: each job in `jobs` has
/// `id-token: write` (in its own `permissions:` or the workflow's) and a step assuming the
/// role; nothing of `gone` is left.
fn rewires(workflow: &str, account: &str, jobs: &[&str], gone: &[&str]) -> String {
    let repo = Repo::new();
    repo.write(PATH, workflow);
    let diff = wiring_diff(&repo, &["--show-secrets"]);
    assert_eq!(diff["applies"], true);
    let patch = diff["patch"].as_str().unwrap();
    let (target, after) = apply(workflow, patch);
    let arn = format!("arn:aws:iam::{account}:role/<ROLE_NAME>");
    for g in gone {
        assert!(!after.contains(g), "{g} left in:\n{after}");
    }
    if let Some(doc) = yaml(&target.path().join(PATH)) {
        for job in jobs {
            let j = &doc["jobs"][job];
            let perms = match &j["permissions"] {
                Value::Null => &doc["permissions"],
                p => p,
            };
            assert_eq!(perms["id-token"], "write", "{job}: {doc:#}");
            let steps = j["steps"].as_array().unwrap();
            let assume: Vec<&Value> = steps
                .iter()
                .filter(|s| s["with"]["role-to-assume"] == arn.as_str())
                .collect();
            assert_eq!(assume.len(), 1, "{job}: {doc:#}");
            let uses = assume[0]["uses"].as_str().unwrap();
            assert!(uses.starts_with("aws-actions/configure-aws-credentials@"));
            assert!(assume[0]["with"].get("aws-access-key-id").is_none());
            for step in steps {
                assert!(step["env"].get("AWS_ACCESS_KEY_ID").is_none(), "{doc:#}");
            }
            assert!(j["env"].get("AWS_ACCESS_KEY_ID").is_none(), "{doc:#}");
        }
        assert!(doc["env"].get("AWS_ACCESS_KEY_ID").is_none(), "{doc:#}");
    }
    patch.to_string()
}

#[test]
fn keys_in_the_actions_inputs() {
    let (key, account) = key_with_account();
    let workflow = format!(
        "name: deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    \
         steps:\n      - uses: actions/checkout@v4\n      - uses: aws-actions/configure-aws-credentials@v4\n        \
         with:\n          aws-access-key-id: {key}\n          aws-secret-access-key: ${{{{ secrets.AWS_SECRET_ACCESS_KEY }}}}\n          \
         aws-region: eu-west-1\n      - run: aws s3 ls\n"
    );
    let patch = rewires(
        &workflow,
        &account,
        &["deploy"],
        &[&key, "aws-secret-access-key"],
    );
    // No secret in it: the same diff without --show-secrets, and it applies.
    let repo = Repo::new();
    repo.write(PATH, &workflow);
    let plain = wiring_diff(&repo, &[]);
    assert_eq!(plain["applies"], true);
    assert_eq!(plain["patch"], patch);
    let want: Vec<String> = [
        format!("--- a/{PATH}"),
        format!("+++ b/{PATH}"),
        "@@ -4,12 +4,14 @@".into(),
        "     branches: [main]".into(),
        " jobs:".into(),
        "   deploy:".into(),
        "+    permissions:".into(),
        "+      id-token: write".into(),
        "+      contents: read".into(),
        "     runs-on: ubuntu-latest".into(),
        "     steps:".into(),
        "       - uses: actions/checkout@v4".into(),
        "       - uses: aws-actions/configure-aws-credentials@v4".into(),
        "         with:".into(),
        format!("-          aws-access-key-id: {key}"),
        "-          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}".into(),
        format!("+          role-to-assume: arn:aws:iam::{account}:role/<ROLE_NAME>"),
        "           aws-region: eu-west-1".into(),
        "       - run: aws s3 ls".into(),
    ]
    .into();
    assert_eq!(patch.lines().collect::<Vec<_>>(), want);
}

#[test]
fn keys_in_job_and_step_env_with_permissions_and_environment() {
    let (key, account) = key_with_account();
    let secret = fake_secret();
    // The job `publish` already has a `permissions:` block and an environment; `deploy` gets
    // its keys from its own `env:`, `publish` from a step's.
    let workflow = format!(
        "on:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      \
         AWS_ACCESS_KEY_ID: {key}\n      AWS_SECRET_ACCESS_KEY: {secret}\n      AWS_REGION: eu-central-1\n    \
         steps:\n      - uses: actions/checkout@v4\n      - run: aws s3 sync dist/ s3://www\n  publish:\n    \
         runs-on: ubuntu-latest\n    environment: production\n    permissions:\n      contents: read\n      \
         packages: write\n    steps:\n      - uses: actions/checkout@v4\n      - name: upload\n        \
         run: aws s3 cp a s3://b\n        env:\n          AWS_ACCESS_KEY_ID: {key}\n          \
         AWS_SECRET_ACCESS_KEY: {secret}\n"
    );
    rewires(
        &workflow,
        &account,
        &["deploy", "publish"],
        &[&key, &secret, "AWS_ACCESS_KEY_ID"],
    );
}

#[test]
fn keys_in_the_workflow_env_under_workflow_permissions() {
    let (key, account) = key_with_account();
    let secret = fake_secret();
    let workflow = format!(
        "on: push\npermissions:\n  contents: read\nenv:\n  AWS_ACCESS_KEY_ID: {key}\n  \
         AWS_SECRET_ACCESS_KEY: {secret}\n  AWS_DEFAULT_REGION: us-east-1\njobs:\n  test:\n    \
         runs-on: ubuntu-latest\n    steps:\n    - run: make test\n  deploy:\n    runs-on: ubuntu-latest\n    \
         steps:\n    - run: make deploy\n"
    );
    rewires(&workflow, &account, &["test", "deploy"], &[&key, &secret]);
}

#[test]
fn a_secret_on_a_removed_line_is_redacted_and_the_diff_says_it_does_not_apply() {
    let (key, _) = key_with_account();
    let secret = fake_secret();
    let workflow = format!(
        "on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: \
         aws-actions/configure-aws-credentials@v4\n        with:\n          aws-access-key-id: {key}\n          \
         aws-secret-access-key: {secret}\n          aws-region: eu-west-1\n"
    );
    let repo = Repo::new();
    repo.write(PATH, &workflow);
    let redacted = wiring_diff(&repo, &[]);
    assert_eq!(redacted["applies"], false);
    let patch = redacted["patch"].as_str().unwrap();
    assert!(!patch.contains(&secret));
    assert!(patch.contains(&format!(
        "-          aws-secret-access-key: {}…\n",
        &secret[..4]
    )));
    let shown = wiring_diff(&repo, &["--show-secrets"]);
    assert_eq!(shown["applies"], true);
    assert_eq!(
        shown["patch"].as_str().unwrap(),
        patch.replace(&format!("{}…", &secret[..4]), &secret)
    );
    apply(&workflow, shown["patch"].as_str().unwrap());
    // SARIF carries the same.
    let sarif = scan_in(repo.path(), &["--format", "sarif"]);
    assert!(!sarif.stdout.contains(&secret));
    let log: Value = serde_json::from_str(&sarif.stdout).unwrap();
    let diff = &log["runs"][0]["results"][0]["properties"]["adviceRole"]["wiring_diff"];
    assert_eq!(diff, &redacted);
}

#[test]
fn a_history_finding_diffs_the_blob_it_was_found_in() {
    let (key, account) = key_with_account();
    let old = format!(
        "on: push\njobs:\n  d:\n    steps:\n      - run: make\n        env:\n          \
         AWS_ACCESS_KEY_ID: {key}\n          AWS_SECRET_ACCESS_KEY: ${{{{ secrets.S }}}}\n"
    );
    let repo = Repo::new();
    repo.write(PATH, &old);
    let first = repo.commit("add");
    repo.write(
        PATH,
        "on: push\njobs:\n  d:\n    steps:\n      - run: make all\n",
    );
    repo.commit("change");
    let diff = wiring_diff(&repo, &["--git"]);
    assert_eq!(diff["applies"], true);
    let patch = diff["patch"].as_str().unwrap();
    assert!(patch.contains(&format!(
        "role-to-assume: arn:aws:iam::{account}:role/<ROLE_NAME>"
    )));
    repo.git(&["checkout", "-q", &first]);
    git_stdin(repo.path(), &["apply", "--check", "-"], patch.as_bytes());
}

#[test]
fn no_diff_where_nothing_can_be_rewired() {
    let (key, _) = key_with_account();
    let repo = Repo::new();
    repo.write(
        PATH,
        &format!("on: push\njobs:\n  d:\n    steps:\n      - run: AWS_ACCESS_KEY_ID={key} make\n"),
    );
    assert_eq!(wiring_diff(&repo, &[]), Value::Null);
    // Elsewhere than a workflow there is none either.
    repo.write(".env", &format!("AWS_ACCESS_KEY_ID={key}\n"));
    let run = scan_in(repo.path(), &["--format", "json", ".env"]);
    assert_eq!(
        run.findings()[0]["advice"]["role"]["wiring_diff"],
        Value::Null
    );
}

#[test]
fn human_output_shows_the_role_in_two_lines_without_secrets() {
    let (key, account) = key_with_account();
    let secret = fake_secret();
    let repo = Repo::new();
    repo.git(&[
        "remote",
        "add",
        "origin",
        "https://github.com/octo/shop.git",
    ]);
    repo.write(
        PATH,
        &format!(
            "on: push\njobs:\n  d:\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        \
             with:\n          aws-access-key-id: {key}\n          aws-secret-access-key: {secret}\n"
        ),
    );
    repo.write(
        "rclone.conf",
        &format!("[s3]\ntype = s3\naccess_key_id = {key}\nsecret_access_key = {secret}\n"),
    );
    let run = scan_in(repo.path(), &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stdout.contains(&secret), "{}", run.stdout);
    let roles: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("  = role: ") || l.starts_with("  = wiring: "))
        .collect();
    assert_eq!(
        roles,
        [
            "  = role: assumed by token.actions.githubusercontent.com; trust policy and workflow diff: --format json".to_string(),
            format!(
                "  = wiring: In the job: `permissions: id-token: write` (and `contents: read`); in \
                 `aws-actions/configure-aws-credentials`, replace `aws-access-key-id` and \
                 `aws-secret-access-key` with `role-to-assume: arn:aws:iam::{account}:role/<ROLE_NAME>` \
                 (keep `aws-region`). Delete the key secrets from the repository settings. Once per \
                 account: an IAM OIDC provider for https://token.actions.githubusercontent.com with \
                 audience sts.amazonaws.com."
            ),
            "  = role: none, an IAM user keeps this key".to_string(),
            "  = wiring: No role here: this tool (s3cmd, rclone, s3fs, Cyberduck, boto, restic, \
             duplicity) takes a long-term access key when it runs outside AWS, so an IAM user is \
             the legitimate case. (On EC2, ECS or EKS it can use the workload's role instead: \
             rclone `env_auth = true`; s3cmd, restic and duplicity read the SDK's default chain.) \
             Give the user only the actions the tool needs, on its bucket. Keep the key out of \
             the repository: in AWS Secrets Manager, the CI's secret store or a password manager, \
             handed to the tool when it runs. Rotate it at most every 90 days: `aws iam \
             create-access-key --user-name <USER>`, put the new key where the old one was, then \
             `aws iam update-access-key --user-name <USER> --access-key-id <OLD_KEY_ID> --status \
             Inactive` and, once nothing fails, `aws iam delete-access-key --user-name <USER> \
             --access-key-id <OLD_KEY_ID>`."
                .to_string(),
        ]
    );
}

#[test]
fn the_documented_example_is_real_output() {
    let doc = include_str!("../../docs/advice.md");
    let run = crate::common::scan(&[
        "--format",
        "json",
        "testdata/positive/.github/workflows/deploy.yml",
    ]);
    let diff = &run.findings()[0]["advice"]["role"]["wiring_diff"];
    assert_eq!(diff["applies"], false);
    let patch = diff["patch"].as_str().unwrap();
    assert!(doc.contains(&format!("```diff\n{patch}```")), "{patch}");
}
