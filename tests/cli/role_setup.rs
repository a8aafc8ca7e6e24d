//! `advice.role` (issue 21): a repository with an `origin` remote and a key in each deployment
//! context gets, per finding, the principal, the trust policy scoped to that repository and
//! branch, and the key's own account; no remote gives placeholders, never a guess. Each trust
//! policy keyleak writes is then handed to moto's IAM (`create_role`, then
//! `update_assume_role_policy`, where moto checks a trust policy's grammar, then `get_role`).

use serde_json::{Value, json};

use crate::common::{account_of, scan_in};
use crate::git_common::{Repo, fake_key, fake_secret};
use crate::verify_moto::Moto;

/// A long-term key ID whose account decodes, and a secret.
pub fn key_pair() -> (String, String, String) {
    loop {
        let key = fake_key("AKIA");
        if let Some(account) = account_of(&key) {
            return (key, fake_secret(), account);
        }
    }
}

/// A file in each context, all holding `key` and `secret`.
pub fn files(key: &str, secret: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            ".github/workflows/deploy.yml",
            format!(
                "name: deploy\non:\n  push:\n    branches: [release]\n  pull_request:\njobs:\n  \
                 deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: \
                 aws-actions/configure-aws-credentials@v4\n        with:\n          \
                 aws-access-key-id: {key}\n          aws-secret-access-key: {secret}\n          \
                 aws-region: eu-west-1\n"
            ),
        ),
        (
            "template.yaml",
            format!(
                "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: \
                 AWS::Serverless::Function\n    Properties:\n      Handler: index.handler\n      \
                 Environment:\n        Variables:\n          AWS_ACCESS_KEY_ID: {key}\n          \
                 AWS_SECRET_ACCESS_KEY: {secret}\n      InlineCode: |\n        import boto3\n        \
                 table = boto3.resource(\"dynamodb\")\n        s3 = boto3.client('s3')\n"
            ),
        ),
        (
            "ecs/task-definition.json",
            format!(
                "{{\"family\": \"web\", \"containerDefinitions\": [{{\"name\": \"web\", \
                 \"environment\": [{{\"name\": \"AWS_ACCESS_KEY_ID\", \"value\": \"{key}\"}}, \
                 {{\"name\": \"AWS_SECRET_ACCESS_KEY\", \"value\": \"{secret}\"}}]}}]}}\n"
            ),
        ),
        (
            "deploy/app.yaml",
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      \
                 containers:\n        - name: app\n          env:\n            - name: \
                 AWS_ACCESS_KEY_ID\n              value: {key}\n            - name: \
                 AWS_SECRET_ACCESS_KEY\n              value: {secret}\n"
            ),
        ),
        (
            "home/.aws/credentials",
            format!("[default]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"),
        ),
    ]
}

/// Each finding's path and `advice.role`.
fn roles(repo: &Repo) -> Vec<(String, Value)> {
    let run = scan_in(repo.path(), &["--format", "json", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.findings()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["advice"]["role"].clone(),
            )
        })
        .collect()
}

fn role_of<'a>(roles: &'a [(String, Value)], path: &str) -> &'a Value {
    let found: Vec<&Value> = roles
        .iter()
        .filter(|(p, _)| p == path)
        .map(|(_, r)| r)
        .collect();
    assert_eq!(found.len(), 1, "{path}: {roles:#?}");
    found[0]
}

fn service_policy(service: &str, action: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": action}]})
}

fn repo_with(remote: Option<&str>, key: &str, secret: &str) -> Repo {
    let repo = Repo::new();
    if let Some(url) = remote {
        repo.git(&["remote", "add", "origin", url]);
    }
    for (path, content) in files(key, secret) {
        repo.write(path, &content);
    }
    repo
}

#[test]
fn each_context_gets_its_role_scoped_to_the_origin_repository() {
    let (key, secret, account) = key_pair();
    let repo = repo_with(Some("git@github.com:octo-org/shop-api.git"), &key, &secret);
    let roles = roles(&repo);
    assert_eq!(roles.len(), 5, "{roles:#?}");

    let gh = role_of(&roles, ".github/workflows/deploy.yml");
    assert_eq!(gh["principal"], "token.actions.githubusercontent.com");
    assert_eq!(
        gh["trust_policy"],
        json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": format!("arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com")},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": "repo:octo-org/shop-api:ref:refs/heads/release",
            }},
        }]})
    );
    assert_eq!(gh["guessed"], json!([]), "the branch is the workflow's");
    assert!(gh["wiring"].as_str().unwrap().contains(&format!(
        "role-to-assume: arn:aws:iam::{account}:role/<ROLE_NAME>"
    )));

    let lambda = role_of(&roles, "template.yaml");
    assert_eq!(lambda["principal"], "lambda.amazonaws.com");
    assert_eq!(
        lambda["trust_policy"],
        service_policy("lambda.amazonaws.com", json!("sts:AssumeRole"))
    );
    assert_eq!(
        lambda["permissions_hint"]["services"],
        json!(["dynamodb", "s3"])
    );

    let ecs = role_of(&roles, "ecs/task-definition.json");
    assert_eq!(ecs["principal"], "ecs-tasks.amazonaws.com");
    let mut want = service_policy("ecs-tasks.amazonaws.com", json!("sts:AssumeRole"));
    want["Statement"][0]["Condition"] = json!({"StringEquals": {"aws:SourceAccount": account}});
    assert_eq!(ecs["trust_policy"], want);
    assert!(ecs["wiring"].as_str().unwrap().contains("taskRoleArn"));
    assert_eq!(ecs["permissions_hint"]["services"], json!([]));

    let eks = role_of(&roles, "deploy/app.yaml");
    assert_eq!(eks["principal"], "pods.eks.amazonaws.com");
    assert_eq!(
        eks["trust_policy"],
        service_policy(
            "pods.eks.amazonaws.com",
            json!(["sts:AssumeRole", "sts:TagSession"])
        )
    );

    let people = role_of(&roles, "home/.aws/credentials");
    assert_eq!(people["principal"], "IAM Identity Center");
    assert_eq!(people["trust_policy"], Value::Null);
    assert!(
        people["wiring"]
            .as_str()
            .unwrap()
            .contains(&format!("sso_account_id = {account}"))
    );
}

#[test]
fn no_remote_is_a_placeholder_and_heads_branch_a_stated_guess() {
    let (key, secret, _) = key_pair();
    let repo = repo_with(None, &key, &secret);
    repo.write(
        ".github/workflows/deploy.yml",
        &format!("on: push\njobs:\n  d:\n    steps:\n      - env:\n          AWS_ACCESS_KEY_ID: {key}\n          AWS_SECRET_ACCESS_KEY: {secret}\n"),
    );
    let roles = roles(&repo);
    let gh = role_of(&roles, ".github/workflows/deploy.yml");
    assert_eq!(
        gh["trust_policy"]["Statement"][0]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"],
        "repo:<OWNER>/<REPO>:ref:refs/heads/main"
    );
    assert_eq!(
        gh["guessed"],
        json!([
            "`<OWNER>/<REPO>`: a placeholder, as there is no `origin` remote",
            "branch `main`: HEAD's branch, as the workflow names no `on: push: branches`"
        ])
    );
}

#[test]
fn a_gitlab_subgroup_remote_names_the_project_path() {
    let (key, secret, account) = key_pair();
    let repo = Repo::new();
    repo.git(&[
        "remote",
        "add",
        "origin",
        "https://gitlab.example.org/platform/team/billing.git",
    ]);
    repo.write(
        ".gitlab-ci.yml",
        &format!("deploy:\n  variables:\n    AWS_ACCESS_KEY_ID: {key}\n    AWS_SECRET_ACCESS_KEY: {secret}\n"),
    );
    let roles = roles(&repo);
    let gl = role_of(&roles, ".gitlab-ci.yml");
    assert_eq!(gl["principal"], "gitlab.example.org");
    let statement = &gl["trust_policy"]["Statement"][0];
    assert_eq!(
        statement["Principal"]["Federated"],
        format!("arn:aws:iam::{account}:oidc-provider/gitlab.example.org")
    );
    assert_eq!(
        statement["Condition"]["StringEquals"]["gitlab.example.org:sub"],
        "project_path:platform/team/billing:ref_type:branch:ref:main"
    );
}

#[test]
fn every_trust_policy_is_accepted_by_moto_iam() {
    let Some(moto) = Moto::start_open() else {
        return;
    };
    let (key, secret, _) = key_pair();
    let repo = repo_with(Some("https://github.com/octo-org/shop-api"), &key, &secret);
    repo.write(
        ".gitlab-ci.yml",
        &format!("deploy:\n  variables:\n    AWS_ACCESS_KEY_ID: {key}\n    AWS_SECRET_ACCESS_KEY: {secret}\n"),
    );
    let mut tried = 0;
    for (i, (path, role)) in roles(&repo).iter().enumerate() {
        let policy = &role["trust_policy"];
        if policy.is_null() {
            continue;
        }
        let name = format!("keyleak-role-{i}");
        let got = moto.helper(&["trust", &name, &policy.to_string()]);
        assert_eq!(&got["policy"], policy, "{path}");
        tried += 1;
    }
    // GitHub, GitLab, Lambda, ECS, EKS.
    assert_eq!(tried, 5);
    // The check is real: a permission (not a trust) action, or a Resource, is refused.
    for (i, bad) in [
        service_policy("lambda.amazonaws.com", json!("s3:GetObject")),
        {
            let mut p = service_policy("lambda.amazonaws.com", json!("sts:AssumeRole"));
            p["Statement"][0]["Resource"] = json!("arn:aws:s3:::bucket");
            p
        },
    ]
    .iter()
    .enumerate()
    {
        let name = format!("keyleak-bad-{i}");
        let got = moto.helper(&["trust", &name, &bad.to_string()]);
        assert_eq!(got["error"], "MalformedPolicyDocument", "{bad}");
    }
}

#[test]
fn a_gitlab_jobs_rules_name_its_branch() {
    let (key, secret, _) = key_pair();
    let (other, _, _) = key_pair();
    let repo = Repo::new();
    repo.git(&[
        "remote",
        "add",
        "origin",
        "git@gitlab.com:platform/billing.git",
    ]);
    repo.write(
        ".gitlab-ci.yml",
        &format!(
            "stages: [deploy]\ndeploy:\n  stage: deploy\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"schedule\"\n      when: never\n    - if: '$CI_COMMIT_BRANCH == \"production\"'\n  variables:\n    AWS_ACCESS_KEY_ID: {key}\n    AWS_SECRET_ACCESS_KEY: {secret}\n  script: aws s3 sync dist/ s3://www\n\
             nightly:\n  only: [release]\n  variables:\n    AWS_ACCESS_KEY_ID: {other}\n  script: make\n"
        ),
    );
    let run = scan_in(repo.path(), &["--format", "json", "."]);
    let subs: Vec<(u64, Value, Value)> = run
        .findings()
        .iter()
        .map(|f| {
            let role = &f["advice"]["role"];
            (
                f["line"].as_u64().unwrap(),
                role["trust_policy"]["Statement"][0]["Condition"]["StringEquals"]["gitlab.com:sub"]
                    .clone(),
                role["guessed"].clone(),
            )
        })
        .collect();
    assert_eq!(
        subs,
        [
            (
                9,
                json!("project_path:platform/billing:ref_type:branch:ref:production"),
                json!([])
            ),
            (
                15,
                json!("project_path:platform/billing:ref_type:branch:ref:release"),
                json!([])
            ),
        ]
    );
}

#[test]
fn trust_policies_print_their_keys_in_the_order_aws_documents_show() {
    let (key, secret, account) = key_pair();
    let repo = repo_with(Some("https://github.com/octo-org/shop-api"), &key, &secret);
    // serde_json keeps the order it reads (preserve_order), so this is the output's order.
    let text = |role: &Value| serde_json::to_string(&role["trust_policy"]).unwrap();
    let roles = roles(&repo);
    assert_eq!(
        text(role_of(&roles, ".github/workflows/deploy.yml")),
        format!(
            "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"Federated\":\
             \"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com\"}},\"Action\":\
             \"sts:AssumeRoleWithWebIdentity\",\"Condition\":{{\"StringEquals\":{{\
             \"token.actions.githubusercontent.com:aud\":\"sts.amazonaws.com\",\
             \"token.actions.githubusercontent.com:sub\":\"repo:octo-org/shop-api:ref:refs/heads/release\"}}}}}}]}}"
        )
    );
    assert_eq!(
        text(role_of(&roles, "ecs/task-definition.json")),
        format!(
            "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"Service\":\
             \"ecs-tasks.amazonaws.com\"}},\"Action\":\"sts:AssumeRole\",\"Condition\":{{\"StringEquals\":{{\
             \"aws:SourceAccount\":\"{account}\"}}}}}}]}}"
        )
    );
}
