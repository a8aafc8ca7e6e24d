use serde_json::json;

use super::*;
use crate::model::role::Remote;

fn repo(host: &str, path: &str, branch: Option<&str>) -> RepoIdentity {
    RepoIdentity {
        remote: Some(Remote {
            host: host.into(),
            path: path.into(),
        }),
        head_branch: branch.map(String::from),
    }
}

fn setup(path: &str, content: &str, repo: &RepoIdentity, account: Option<u64>) -> RoleSetup {
    Place::of(path, content.as_bytes(), repo).setup(account)
}

const WORKFLOW: &str =
    "on:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n";

#[test]
fn github_actions_trust_the_repository_and_branch() {
    let r = repo("github.com", "octo/app", Some("dev"));
    let s = setup(
        ".github/workflows/deploy.yml",
        WORKFLOW,
        &r,
        Some(123456789012),
    );
    assert_eq!(
        s.principal.as_deref(),
        Some("token.actions.githubusercontent.com")
    );
    assert_eq!(
        s.trust_policy.unwrap(),
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {
                    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                    "token.actions.githubusercontent.com:sub": "repo:octo/app:ref:refs/heads/main",
                }},
            }],
        })
    );
    assert!(s.guessed.is_empty(), "{:?}", s.guessed);
    assert!(s.wiring.contains("id-token: write"));
    assert!(
        s.wiring
            .contains("role-to-assume: arn:aws:iam::123456789012:role/<ROLE_NAME>")
    );
}

#[test]
fn github_environment_wildcard_and_guessed_branch() {
    let r = repo("github.com", "octo/app", Some("trunk"));
    let env = "on: push\njobs:\n  d:\n    environment: production\n";
    let s = setup(".github/workflows/d.yml", env, &r, None);
    let cond = &s.trust_policy.unwrap()["Statement"][0]["Condition"];
    assert_eq!(
        cond["StringEquals"]["token.actions.githubusercontent.com:sub"],
        "repo:octo/app:environment:production"
    );
    let glob = "on:\n  push:\n    branches: [main, 'release/**']\n";
    let s = setup(".github/workflows/d.yml", glob, &r, None);
    let p = s.trust_policy.unwrap();
    let cond = &p["Statement"][0]["Condition"];
    assert_eq!(
        cond["StringLike"]["token.actions.githubusercontent.com:sub"],
        json!([
            "repo:octo/app:ref:refs/heads/main",
            "repo:octo/app:ref:refs/heads/release/*"
        ])
    );
    assert_eq!(
        p["Statement"][0]["Principal"]["Federated"],
        "arn:aws:iam::<ACCOUNT_ID>:oidc-provider/token.actions.githubusercontent.com"
    );
    let s = setup(".github/workflows/d.yml", "on: push\n", &r, None);
    assert_eq!(
        s.trust_policy.unwrap()["Statement"][0]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"],
        "repo:octo/app:ref:refs/heads/trunk"
    );
    assert_eq!(
        s.guessed,
        ["branch `trunk`: HEAD's branch, as the workflow names no `on: push: branches`"]
    );
}

#[test]
fn github_without_a_remote_is_a_placeholder() {
    let none = RepoIdentity::default();
    let s = setup(".github/workflows/d.yml", "on: push\n", &none, None);
    let sub = s.trust_policy.unwrap()["Statement"][0]["Condition"]["StringEquals"]
        ["token.actions.githubusercontent.com:sub"]
        .clone();
    assert_eq!(sub, "repo:<OWNER>/<REPO>:ref:refs/heads/<BRANCH>");
    assert_eq!(s.guessed.len(), 2, "{:?}", s.guessed);
    // A GitLab remote is no GitHub repository either.
    let s = setup(
        ".github/workflows/d.yml",
        WORKFLOW,
        &repo("gitlab.com", "g/p", None),
        None,
    );
    assert!(
        s.trust_policy
            .unwrap()
            .to_string()
            .contains("repo:<OWNER>/<REPO>:ref:refs/heads/main")
    );
}

#[test]
fn github_enterprise_issuers() {
    let ghes = repo("github.acme.example", "platform/api", None);
    let s = setup(".github/workflows/d.yml", WORKFLOW, &ghes, None);
    assert_eq!(
        s.principal.as_deref(),
        Some("github.acme.example/_services/token")
    );
    let p = s.trust_policy.unwrap();
    assert_eq!(
        p["Statement"][0]["Condition"]["StringEquals"]["github.acme.example/_services/token:sub"],
        "repo:platform/api:ref:refs/heads/main"
    );
    let cloud = repo("octo.ghe.com", "team/svc", None);
    let s = setup(".github/workflows/d.yml", WORKFLOW, &cloud, None);
    assert_eq!(s.principal.as_deref(), Some("token.actions.octo.ghe.com"));
}

#[test]
fn gitlab_trusts_the_instance_and_project_path() {
    let r = repo("gitlab.acme.example", "group/sub/project", Some("main"));
    let s = setup(
        ".gitlab-ci.yml",
        "deploy:\n  script: x\n",
        &r,
        Some(123456789012),
    );
    assert_eq!(s.principal.as_deref(), Some("gitlab.acme.example"));
    assert_eq!(
        s.trust_policy.unwrap(),
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/gitlab.acme.example"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {
                    "gitlab.acme.example:aud": "https://gitlab.acme.example",
                    "gitlab.acme.example:sub": "project_path:group/sub/project:ref_type:branch:ref:main",
                }},
            }],
        })
    );
    assert_eq!(s.guessed.len(), 1, "the branch is HEAD's: {:?}", s.guessed);
    let s = setup(".gitlab-ci.yml", "", &repo("github.com", "o/r", None), None);
    assert_eq!(s.principal.as_deref(), Some("gitlab.com"));
    let azure = repo("dev.azure.com", "org/project/_git/app", Some("main"));
    assert_eq!(
        setup(".gitlab-ci.yml", "", &azure, None)
            .principal
            .as_deref(),
        Some("gitlab.com")
    );
    assert!(
        s.trust_policy
            .unwrap()
            .to_string()
            .contains("project_path:<GROUP>/<PROJECT>:ref_type:branch:ref:<BRANCH>")
    );
}

#[test]
fn service_roles() {
    let none = RepoIdentity::default();
    let service = |path: &str, content: &str| {
        let s = setup(path, content, &none, Some(123456789012));
        (
            s.principal.unwrap(),
            s.trust_policy.unwrap()["Statement"][0].clone(),
        )
    };
    let (p, st) = service("template.yaml", "Transform: AWS::Serverless-2016-10-31");
    assert_eq!(p, "lambda.amazonaws.com");
    assert_eq!(
        st,
        json!({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
    );
    let (p, st) = service("task-definition.json", "{}");
    assert_eq!(p, "ecs-tasks.amazonaws.com");
    assert_eq!(
        st,
        json!({"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole",
               "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}})
    );
    let (p, st) = service("k8s/deploy.yaml", "");
    assert_eq!(p, "pods.eks.amazonaws.com");
    assert_eq!(st["Action"], json!(["sts:AssumeRole", "sts:TagSession"]));
    let (p, st) = service("user-data.sh", "");
    assert_eq!(p, "ec2.amazonaws.com");
    assert_eq!(st["Action"], "sts:AssumeRole");
}

#[test]
fn people_get_an_sso_profile_not_a_trust_policy() {
    let s = setup(
        "home/.aws/credentials",
        "",
        &RepoIdentity::default(),
        Some(123456789012),
    );
    assert_eq!(s.principal.as_deref(), Some("IAM Identity Center"));
    assert_eq!(s.trust_policy, None);
    assert!(s.wiring.contains("aws configure sso"));
    assert!(s.wiring.contains("sso_account_id = 123456789012"));
    assert!(s.guessed.is_empty());
}

#[test]
fn permissions_hint_names_services_never_a_wildcard() {
    let none = RepoIdentity::default();
    let s = setup("app.py", "import boto3\nboto3.client('s3')\n", &none, None);
    assert_eq!(s.permissions_hint.services, ["s3"]);
    assert_eq!(s.permissions_hint.note, PERMISSIONS_FOUND);
    let s = setup("app.py", "print(1)\n", &none, None);
    assert!(s.permissions_hint.services.is_empty());
    assert_eq!(s.permissions_hint.note, PERMISSIONS_NONE);
    for note in [PERMISSIONS_FOUND, PERMISSIONS_NONE] {
        assert!(!note.contains('*'));
        assert!(note.contains("resources"));
    }
}

#[test]
fn iam_user_cases_keep_the_key_in_a_secret_store_and_rotate_it() {
    let none = RepoIdentity::default();
    let rotation = "Rotate it at most every 90 days: `aws iam create-access-key --user-name \
        <USER>`, put the new key where the old one was, then `aws iam update-access-key \
        --user-name <USER> --access-key-id <OLD_KEY_ID> --status Inactive` and, once nothing \
        fails, `aws iam delete-access-key --user-name <USER> --access-key-id <OLD_KEY_ID>`.";
    let tool = format!(
        "No role here: this tool (s3cmd, rclone, s3fs, Cyberduck, boto, restic, duplicity) takes \
         a long-term access key when it runs outside AWS, so an IAM user is the legitimate case. \
         (On EC2, ECS or EKS it can use the workload's role instead: rclone `env_auth = true`; \
         s3cmd, restic and duplicity read the SDK's default chain.) Give the user only the \
         actions the tool needs, on its bucket. Keep the key out of the repository: in AWS \
         Secrets Manager, the CI's secret store or a password manager, handed to the tool when \
         it runs. {rotation}"
    );
    let break_glass = format!(
        "No role here: break-glass access, for when IAM Identity Center or the identity provider \
         is down, is the legitimate case for an IAM user with a long-term key. Require MFA on \
         the user and alarm on every use of it (CloudTrail, an EventBridge rule on its API \
         calls). Never in a repository: keep the key sealed in AWS Secrets Manager (in another \
         account or Region than the one it rescues) or a password manager with access logged, \
         and rotate it after each use too. {rotation}"
    );
    let cases: &[(&str, &str, &String)] = &[
        ("home/.s3cfg", "[default]\n", &tool),
        (".config/rclone/rclone.conf", "[b]\ntype = s3\n", &tool),
        (".passwd-s3fs", "", &tool),
        ("Cyberduck/Bookmarks/b.duck", "", &tool),
        (".boto", "[Credentials]\n", &tool),
        ("restic.env", "RESTIC_REPOSITORY=s3:x\n", &tool),
        ("backup.sh", "duplicity /srv s3://bucket/srv\n", &tool),
        ("ops/breakglass/credentials", "", &break_glass),
        ("home/.aws/credentials", "[break-glass]\n", &break_glass),
        ("emergency/admin.env", "", &break_glass),
    ];
    for (path, content, want) in cases {
        let s = setup(path, content, &none, Some(123456789012));
        assert_eq!(s.principal, None, "{path}");
        assert_eq!(s.trust_policy, None, "{path}");
        assert_eq!(&s.wiring, *want, "{path}");
        assert_eq!(s.wiring_diff, None, "{path}");
        assert!(s.guessed.is_empty(), "{path}");
    }
}

#[test]
fn gitlab_branches_from_the_jobs_rules_else_heads() {
    let r = repo("gitlab.com", "g/p", Some("trunk"));
    let ci = "variables:\n  AWS_ACCESS_KEY_ID: x\ndeploy:\n  rules:\n    - if: $CI_COMMIT_BRANCH == \"main\"\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n  script: x\nlint:\n  script: y\n";
    let sub = |line| {
        let s = Place::of(".gitlab-ci.yml", ci.as_bytes(), &r).setup_at(None, Some(line));
        let p = s.trust_policy.unwrap();
        (p["Statement"][0]["Condition"].clone(), s.guessed)
    };
    let (cond, guessed) = sub(7);
    assert_eq!(
        cond["StringEquals"]["gitlab.com:sub"],
        json!([
            "project_path:g/p:ref_type:branch:ref:main",
            "project_path:g/p:ref_type:branch:ref:trunk"
        ])
    );
    assert_eq!(
        guessed,
        ["branch `trunk`: HEAD's branch, as a rule names `$CI_DEFAULT_BRANCH`"]
    );
    // `lint` names no branch.
    let (cond, guessed) = sub(9);
    assert_eq!(
        cond["StringEquals"]["gitlab.com:sub"],
        "project_path:g/p:ref_type:branch:ref:trunk"
    );
    assert_eq!(
        guessed,
        ["branch `trunk`: HEAD's branch, as the job names no branch in `rules:` or `only:`"]
    );
}

#[test]
fn trust_policy_keys_in_the_order_aws_documents_show() {
    let r = repo("github.com", "octo/app", None);
    let s = setup(".github/workflows/d.yml", WORKFLOW, &r, Some(123456789012));
    assert_eq!(
        serde_json::to_string(&s.trust_policy.unwrap()).unwrap(),
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\
         \"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com\"},\"Action\":\
         \"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":{\
         \"token.actions.githubusercontent.com:aud\":\"sts.amazonaws.com\",\
         \"token.actions.githubusercontent.com:sub\":\"repo:octo/app:ref:refs/heads/main\"}}}]}"
    );
    let s = setup("task-definition.json", "{}", &r, Some(123456789012));
    assert_eq!(
        serde_json::to_string(&s.trust_policy.unwrap()).unwrap(),
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\
         \"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\
         \"aws:SourceAccount\":\"123456789012\"}}}]}"
    );
    // A wildcard subject: StringEquals (aud) before StringLike (sub).
    let glob = "on:\n  push:\n    branches: ['release/**']\n";
    let s = setup(".github/workflows/d.yml", glob, &r, None);
    let text =
        serde_json::to_string(&s.trust_policy.unwrap()["Statement"][0]["Condition"]).unwrap();
    assert_eq!(
        text,
        "{\"StringEquals\":{\"token.actions.githubusercontent.com:aud\":\"sts.amazonaws.com\"},\
         \"StringLike\":{\"token.actions.githubusercontent.com:sub\":\"repo:octo/app:ref:refs/heads/release/*\"}}"
    );
}
