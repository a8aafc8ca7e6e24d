//! The legitimate IAM-user cases of `advice.role` (issue 21): a key in a third-party tool's
//! configuration (s3cmd, rclone, s3fs, Cyberduck, boto, restic, duplicity) or in break-glass
//! access gets no role: `principal` and `trust_policy` are null, and the advice says why and
//! points to a secret store and rotation. Files of the same kinds without those marks keep
//! their roles.

use serde_json::{Value, json};

use crate::common::scan_in;
use crate::git_common::{Repo, fake_key, fake_secret};

const TOOL: &str = "A tool that takes only a long-term key outside AWS is the legitimate case \
    for an IAM user: keep its key in a secret store, not in the repository, scope it to the \
    tool's bucket and rotate it.";
const BREAK_GLASS: &str = "Break-glass access is the legitimate case for an IAM user: keep its \
    key in a secret store (never in a repository), require MFA, alarm on its use and rotate it.";

/// Each finding's path, `advice.context`, `advice.replace_with` and `advice.role`.
fn advice(repo: &Repo) -> Vec<(String, String, String, Value)> {
    let run = scan_in(repo.path(), &["--format", "json", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let s = |v: &Value| v.as_str().unwrap().to_string();
    run.findings()
        .iter()
        .map(|f| {
            let a = &f["advice"];
            (
                s(&f["path"]),
                s(&a["context"]),
                s(&a["replace_with"]),
                a["role"].clone(),
            )
        })
        .collect()
}

#[test]
fn tools_and_break_glass_keep_an_iam_user_with_a_secret_store_and_rotation() {
    let (key, secret) = (fake_key("AKIA"), fake_secret());
    let repo = Repo::new();
    let files = [
        (
            ".s3cfg",
            format!("[default]\naccess_key = {key}\nsecret_key = {secret}\n"),
            "third_party_tool",
        ),
        (
            "conf/rclone.conf",
            format!(
                "[s3]\ntype = s3\nprovider = AWS\naccess_key_id = {key}\nsecret_access_key = {secret}\n"
            ),
            "third_party_tool",
        ),
        (
            ".passwd-s3fs",
            format!("{key}:{secret}\n"),
            "third_party_tool",
        ),
        (
            ".boto",
            format!("[Credentials]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"),
            "third_party_tool",
        ),
        (
            "backup/restic.env",
            format!(
                "RESTIC_REPOSITORY=s3:s3.amazonaws.com/backups\nAWS_ACCESS_KEY_ID={key}\nAWS_SECRET_ACCESS_KEY={secret}\n"
            ),
            "third_party_tool",
        ),
        (
            "ops/break-glass/credentials",
            format!("[admin]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"),
            "break_glass",
        ),
        (
            "home/.aws/credentials",
            format!(
                "# Breakglass: sealed, for when SSO is down\n[emergency]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"
            ),
            "break_glass",
        ),
    ];
    for (path, content, _) in &files {
        repo.write(path, content);
    }
    let found = advice(&repo);
    assert_eq!(found.len(), files.len(), "{found:#?}");
    for (path, _, context) in &files {
        let (_, got_context, replace_with, role) = found.iter().find(|f| f.0 == *path).unwrap();
        assert_eq!(got_context, context, "{path}");
        let (want_replace, want_why) = match *context {
            "break_glass" => (
                BREAK_GLASS,
                "No role here: break-glass access, for when IAM Identity Center",
            ),
            _ => (
                TOOL,
                "No role here: this tool (s3cmd, rclone, s3fs, Cyberduck, boto, restic, duplicity)",
            ),
        };
        assert_eq!(replace_with, want_replace, "{path}");
        assert_eq!(role["principal"], Value::Null, "{path}");
        assert_eq!(role["trust_policy"], Value::Null, "{path}");
        assert_eq!(role["wiring_diff"], Value::Null, "{path}");
        assert_eq!(role["guessed"], json!([]), "{path}");
        let wiring = role["wiring"].as_str().unwrap();
        assert!(wiring.starts_with(want_why), "{path}: {wiring}");
        for part in [
            "AWS Secrets Manager",
            "password manager",
            "at most every 90 days",
            "`aws iam create-access-key --user-name <USER>`",
            "`aws iam update-access-key --user-name <USER> --access-key-id <OLD_KEY_ID> --status Inactive`",
            "`aws iam delete-access-key --user-name <USER> --access-key-id <OLD_KEY_ID>`",
        ] {
            assert!(wiring.contains(part), "{path}: no {part} in {wiring}");
        }
        assert!(!wiring.contains(&secret));
    }
}

#[test]
fn the_same_kinds_of_file_without_those_marks_keep_their_roles() {
    let (key, secret) = (fake_key("AKIA"), fake_secret());
    let repo = Repo::new();
    repo.write(
        "home/.aws/credentials",
        &format!("# emergency contact: ops@example.com\n[default]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"),
    );
    repo.write(
        "app.env",
        &format!("AWS_ACCESS_KEY_ID={key}\nAWS_SECRET_ACCESS_KEY={secret}\n"),
    );
    for (_, context, _, role) in advice(&repo) {
        assert_eq!(context, "credentials_file");
        assert_eq!(role["principal"], "IAM Identity Center");
    }
}
