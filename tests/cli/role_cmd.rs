//! `keyleak role PATH[:LINE]` (issue 21): the role setup of one file's keys, ready to paste, in
//! each context (GitHub Actions, GitLab, Lambda, ECS, EC2, EKS, and people: an SSO profile).
//! `role_cmd_pick` checks what LINE picks and exit 2; `role_cmd_tools` hands the snippets to the tools that read them.

use std::path::Path;

use serde_json::{Value, json};

use crate::common::{Run, finish, isolate};
use crate::git_common::{Repo, fake_key, fake_secret};
use crate::role_setup::{files, key_pair};

pub const USER_DATA: &str = "user-data.sh";

/// `keyleak role ARGS` in `dir`.
pub fn role(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_keyleak"));
    isolate(&mut cmd, dir);
    finish(cmd.arg("role").args(args))
}

/// A repository whose `origin` is octo-org/shop-api, with a key in each context.
pub fn repo(key: &str, secret: &str) -> Repo {
    let repo = Repo::new();
    repo.git(&[
        "remote",
        "add",
        "origin",
        "git@github.com:octo-org/shop-api.git",
    ]);
    for (path, content) in files(key, secret) {
        repo.write(path, &content);
    }
    repo.write(
        USER_DATA,
        &format!(
            "#!/bin/bash\nexport AWS_ACCESS_KEY_ID={key}\nexport AWS_SECRET_ACCESS_KEY={secret}\n"
        ),
    );
    repo
}

/// The one setup `keyleak role TARGET --format json` prints.
fn setup(repo: &Repo, target: &str) -> Value {
    let run = role(repo.path(), &[target, "--format", "json"]);
    assert_eq!(run.code, 0, "{target}: {}", run.stderr);
    let setups = run.json()["setups"].as_array().unwrap().clone();
    assert_eq!(setups.len(), 1, "{target}: {setups:#?}");
    setups[0].clone()
}

/// The text between `cat > FILE <<'EOF'` and `EOF` in a CLI snippet, parsed.
pub fn heredoc(cli: &str, file: &str) -> Value {
    let start = format!("cat > {file} <<'EOF'\n");
    let body = &cli[cli
        .find(&start)
        .unwrap_or_else(|| panic!("{file} in {cli}"))
        + start.len()..];
    serde_json::from_str(&body[..body.find("\nEOF\n").unwrap()]).unwrap()
}

fn lines_with<'a>(text: &'a str, word: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.contains(word)).collect()
}

#[test]
fn github_actions_gets_the_oidc_provider_and_a_role_scoped_to_the_repository() {
    let (key, secret, account) = key_pair();
    let repo = repo(&key, &secret);
    let text = role(repo.path(), &[".github/workflows/deploy.yml:12"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        !text.stdout.contains(&secret),
        "the secret is never printed"
    );
    assert!(
        text.stdout.starts_with(&format!(
            "# keyleak role: .github/workflows/deploy.yml:12, key {key} (account {account})\n\
         # context: github_actions; assumed by: token.actions.githubusercontent.com\n\
         # role name: github-actions-shop-api (--role-name to change)\n"
        )),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains(&format!(
        "role-to-assume: arn:aws:iam::{account}:role/github-actions-shop-api"
    )));

    // The secret's line picks the same finding.
    let s = setup(&repo, ".github/workflows/deploy.yml:13");
    let cli = s["cli"].as_str().unwrap();
    assert_eq!(
        lines_with(cli, "aws iam"),
        [
            "# Once per account (skip it if `aws iam list-open-id-connect-providers` lists it):",
            "aws iam create-open-id-connect-provider --url https://token.actions.githubusercontent.com --client-id-list sts.amazonaws.com",
            "aws iam create-role --role-name github-actions-shop-api --assume-role-policy-document file://trust.json",
            "aws iam put-role-policy --role-name github-actions-shop-api --policy-name github-actions-shop-api-permissions --policy-document file://permissions.json",
        ]
    );
    assert_eq!(heredoc(cli, "trust.json"), s["role"]["trust_policy"]);
    assert_eq!(
        s["role"]["trust_policy"]["Statement"][0]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"],
        "repo:octo-org/shop-api:ref:refs/heads/release"
    );
    let tf = s["terraform"].as_str().unwrap();
    assert!(
        tf.contains(
            "\"Federated\" = aws_iam_openid_connect_provider.github_actions_shop_api.arn\n"
        ),
        "{tf}"
    );
    assert!(!tf.contains("aws_iam_instance_profile"));
    let cfn = s["cloudformation"].as_str().unwrap();
    assert!(
        cfn.contains("    Type: \"AWS::IAM::OIDCProvider\"\n"),
        "{cfn}"
    );
    assert!(
        cfn.contains("              Federated: !Ref OidcProvider\n"),
        "{cfn}"
    );
    assert_eq!(
        (s["lines"].clone(), s["key_ids"].clone()),
        (json!([12]), json!([key]))
    );
}

#[test]
fn services_get_their_principal_and_ec2_an_instance_profile() {
    let (key, secret, account) = key_pair();
    let repo = repo(&key, &secret);
    for (target, name, principal, profile) in [
        (
            "template.yaml:9",
            "lambda-shop-api",
            "lambda.amazonaws.com",
            false,
        ),
        (
            "ecs/task-definition.json",
            "ecs-task-shop-api",
            "ecs-tasks.amazonaws.com",
            false,
        ),
        (
            "deploy/app.yaml:10",
            "eks-pod-shop-api",
            "pods.eks.amazonaws.com",
            false,
        ),
        ("user-data.sh:2", "ec2-shop-api", "ec2.amazonaws.com", true),
    ] {
        let s = setup(&repo, target);
        assert_eq!(
            (s["role_name"].as_str(), s["role"]["principal"].as_str()),
            (Some(name), Some(principal))
        );
        let cli = s["cli"].as_str().unwrap();
        assert!(!cli.contains("open-id-connect"), "{target}");
        let trust = heredoc(cli, "trust.json");
        assert_eq!(
            trust["Statement"][0]["Principal"]["Service"], principal,
            "{target}"
        );
        let tf = s["terraform"].as_str().unwrap();
        let cfn = s["cloudformation"].as_str().unwrap();
        let want = match profile {
            true => vec![
                format!("aws iam create-instance-profile --instance-profile-name {name}"),
                format!(
                    "aws iam add-role-to-instance-profile --instance-profile-name {name} --role-name {name}"
                ),
            ],
            false => vec![],
        };
        assert_eq!(lines_with(cli, "instance-profile"), want, "{target}");
        assert_eq!(
            tf.contains("resource \"aws_iam_instance_profile\""),
            profile,
            "{target}"
        );
        assert_eq!(
            cfn.contains("Type: AWS::IAM::InstanceProfile"),
            profile,
            "{target}"
        );
    }
    // The services the SAM template's code calls, each its own placeholder statement.
    let lambda = setup(&repo, "template.yaml");
    assert_eq!(
        heredoc(lambda["cli"].as_str().unwrap(), "permissions.json")["Statement"],
        json!([
            {"Action": ["dynamodb:<ACTION>"], "Effect": "Allow", "Resource": ["<RESOURCE_ARN>"]},
            {"Action": ["s3:<ACTION>"], "Effect": "Allow", "Resource": ["<RESOURCE_ARN>"]},
        ])
    );
    let cfn = lambda["cloudformation"].as_str().unwrap();
    assert!(
        cfn.contains(
            "              - Effect: \"Allow\"\n                Action: !Ref DynamodbActions\n"
        ),
        "{cfn}"
    );
    let tf = lambda["terraform"].as_str().unwrap();
    assert_eq!(
        lines_with(tf, "var."),
        [
            "        \"Action\" = var.lambda_shop_api_dynamodb_actions",
            "        \"Resource\" = var.lambda_shop_api_dynamodb_resources",
            "        \"Action\" = var.lambda_shop_api_s3_actions",
            "        \"Resource\" = var.lambda_shop_api_s3_resources",
        ]
    );
    // ECS's trust is limited to the key's own account.
    let ecs = setup(&repo, "ecs/task-definition.json");
    assert!(
        ecs["cloudformation"]
            .as_str()
            .unwrap()
            .contains(&format!("\"aws:SourceAccount\": \"{account}\""))
    );
}

#[test]
fn people_get_the_sso_profile_not_a_role() {
    let (key, secret, account) = key_pair();
    let repo = repo(&key, &secret);
    let s = setup(&repo, "home/.aws/credentials:2");
    assert_eq!(
        (s["terraform"].clone(), s["cloudformation"].clone()),
        (Value::Null, Value::Null)
    );
    let cli = s["cli"].as_str().unwrap();
    assert!(
        cli.contains(&format!(
            "[profile <PROFILE>]\nsso_session = <SSO_SESSION>\nsso_account_id = {account}\n"
        )),
        "{cli}"
    );
    assert!(!cli.contains("aws iam"));
    let only = role(
        repo.path(),
        &["home/.aws/credentials", "--only", "terraform"],
    );
    assert_eq!(only.code, 2);
    assert!(
        only.stderr
            .contains("no role to create here (people sign in through IAM Identity Center"),
        "{}",
        only.stderr
    );
    assert_eq!(only.stdout, "");
}

#[test]
fn gitlab_gets_its_own_provider_and_an_undecoded_account_stays_a_placeholder() {
    // A fifth character `I` predates the account encoding: no account to decode.
    let key = format!("AKIAI{}", &fake_key("AKIA")[5..]);
    let secret = fake_secret();
    let repo = Repo::new();
    repo.git(&[
        "remote",
        "add",
        "origin",
        "https://gitlab.example.org/platform/billing.git",
    ]);
    repo.write(
        ".gitlab-ci.yml",
        &format!("deploy:\n  variables:\n    AWS_ACCESS_KEY_ID: {key}\n    AWS_SECRET_ACCESS_KEY: {secret}\n"),
    );
    repo.write("ecs/task-definition.json", &files(&key, &secret)[2].1);
    let gl = setup(&repo, ".gitlab-ci.yml:3");
    assert_eq!(
        (gl["account_id"].clone(), gl["role_name"].clone()),
        (Value::Null, json!("gitlab-ci-billing"))
    );
    let cli = gl["cli"].as_str().unwrap();
    assert_eq!(
        lines_with(cli, "aws iam create-open"),
        [
            "aws iam create-open-id-connect-provider --url https://gitlab.example.org --client-id-list https://gitlab.example.org"
        ]
    );
    assert_eq!(
        heredoc(cli, "trust.json")["Statement"][0]["Principal"]["Federated"],
        "arn:aws:iam::<ACCOUNT_ID>:oidc-provider/gitlab.example.org"
    );
    let cfn = gl["cloudformation"].as_str().unwrap();
    assert!(
        cfn.contains("      Url: \"https://gitlab.example.org\"\n"),
        "{cfn}"
    );
    // CloudFormation knows its own account; the CLI form keeps the placeholder.
    let ecs = setup(&repo, "ecs/task-definition.json");
    let cfn = ecs["cloudformation"].as_str().unwrap();
    assert!(
        cfn.contains("                \"aws:SourceAccount\": !Ref AWS::AccountId\n"),
        "{cfn}"
    );
    let trust = heredoc(ecs["cli"].as_str().unwrap(), "trust.json");
    assert_eq!(
        trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"],
        "<ACCOUNT_ID>"
    );
}
