//! What `keyleak role PATH[:LINE]` picks: the keys of the file (or at LINE), one role for those
//! that share a setup; and exit 2 when there is no key to replace there (none, an example, one
//! an inline marker allows, a missing file) or an option is bad, each with its reason on stderr
//! and nothing on stdout, so a script never takes empty output for a setup.

use serde_json::{Value, json};

use crate::git_common::Repo;
use crate::role_cmd::{repo, role};
use crate::role_setup::key_pair;

#[test]
fn no_key_to_replace_is_exit_2_with_the_reason() {
    let (key, secret, _) = key_pair();
    let repo = repo(&key, &secret);
    repo.write(
        "docs/example.env",
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n",
    );
    repo.write(
        "allowed.env",
        &format!("AWS_ACCESS_KEY_ID={key} # keyleak:allow\n"),
    );
    for (target, why) in [
        (".github/workflows/deploy.yml:3", "no AWS key found there"),
        (
            "docs/example.env",
            "only an example key, an identifier or a canary token there",
        ),
        ("missing.yml:4", "missing.yml: no such file or directory"),
        (
            "allowed.env:1",
            "allowed.env:1: no AWS key reported there (1 in the file left out by an inline marker",
        ),
    ] {
        let run = role(repo.path(), &[target]);
        assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{target}");
        assert!(run.stderr.contains(why), "{target}: {}", run.stderr);
    }
    let bad = role(repo.path(), &["user-data.sh", "--role-name", "a b"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
fn keys_that_share_a_setup_are_one_role_and_a_line_picks_one() {
    let (key, secret, _) = key_pair();
    let (other, other_secret, _) = key_pair();
    let repo = Repo::new();
    repo.write(
        "user-data.sh",
        &format!(
            "export AWS_ACCESS_KEY_ID={key}\nexport AWS_SECRET_ACCESS_KEY={secret}\n\
             export AWS_ACCESS_KEY_ID={key}\nexport AWS_SECRET_ACCESS_KEY={secret}\n\
             export BACKUP_KEY_ID={other}\nexport BACKUP_SECRET_KEY={other_secret}\n"
        ),
    );
    let run = role(repo.path(), &["user-data.sh", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let picked: Vec<_> = run.json()["setups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["lines"].clone(),
                s["key_ids"].clone(),
                s["role_name"].clone(),
            )
        })
        .collect();
    assert_eq!(
        picked,
        [
            (json!([1, 3]), json!([key]), json!("ec2-user-data")),
            (json!([5]), json!([other]), json!("ec2-user-data-2")),
        ]
    );
    let one = role(repo.path(), &["user-data.sh:6", "--format", "json"]);
    assert_eq!(one.json()["setups"][0]["key_ids"], json!([other]));
    assert_eq!(one.json()["setups"].as_array().unwrap().len(), 1);
    // A template is one document: two roles' templates are refused, naming the lines; at a
    // line, one template; the CLI form (commands) may hold both.
    for only in ["cloudformation", "terraform"] {
        let both = role(repo.path(), &["user-data.sh", "--only", only]);
        assert_eq!((both.code, both.stdout.as_str()), (2, ""), "{only}");
        assert!(
            both.stderr
                .contains("2 role setups in user-data.sh (lines 1,3; 5): one template per role"),
            "{}",
            both.stderr
        );
        let at = role(repo.path(), &["user-data.sh:5", "--only", only]);
        assert_eq!(at.code, 0, "{}", at.stderr);
        assert!(at.stdout.contains("ec2-user-data"), "{}", at.stdout);
    }
    let cfn = role(repo.path(), &["user-data.sh:5", "--only", "cloudformation"]);
    assert_eq!(cfn.stdout.matches("AWSTemplateFormatVersion").count(), 1);
    let cli = role(repo.path(), &["user-data.sh", "--only", "cli"]);
    assert_eq!(cli.code, 0, "{}", cli.stderr);
    assert_eq!(cli.stdout.matches("aws iam create-role").count(), 2);
}

/// A third-party tool's configuration keeps its IAM user: no role, so no template; the CLI form
/// says why and where the key goes, then the rotation as commands, a new key first.
#[test]
fn an_iam_user_that_stays_gets_rotation_not_a_role() {
    let (key, secret, _) = key_pair();
    let repo = Repo::new();
    repo.write(
        ".s3cfg",
        &format!("[default]\naccess_key = {key}\nsecret_key = {secret}\n"),
    );
    let run = role(repo.path(), &[".s3cfg", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let s = &run.json()["setups"][0];
    assert_eq!(s["role"]["principal"], Value::Null);
    assert_eq!(
        (s["terraform"].clone(), s["cloudformation"].clone()),
        (Value::Null, Value::Null)
    );
    let cli = s["cli"].as_str().unwrap();
    let commands: Vec<&str> = cli.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        commands,
        [
            "aws iam create-access-key --user-name <USER>",
            "aws iam update-access-key --user-name <USER> --access-key-id <OLD_KEY_ID> --status Inactive",
            "aws iam delete-access-key --user-name <USER> --access-key-id <OLD_KEY_ID>",
        ]
    );
    assert!(cli.starts_with("# No role here: this tool (s3cmd"), "{cli}");
    assert!(cli.contains("AWS Secrets Manager"), "{cli}");
    assert!(!cli.contains(&secret[4..]), "{cli}");
    let only = role(repo.path(), &[".s3cfg", "--only", "cloudformation"]);
    assert_eq!(only.code, 2);
    assert!(
        only.stderr.contains("no role to create here"),
        "{}",
        only.stderr
    );
}
