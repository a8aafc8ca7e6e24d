//! The role setup that replaces a key: who assumes the role (a service, a CI provider's OIDC
//! tokens, or people through IAM Identity Center), its trust policy, what to change where the
//! key was, and where its permissions start.
//!
//! Data, not code: each context in [`CONTEXTS`](super::advice::CONTEXTS) names its [`Role`];
//! services are rows of [`Service`]. The repository (`origin` remote, HEAD's branch) comes in
//! as data ([`RepoIdentity`], filled once per run by `settings`): nothing here reads git.
//! What could not be read (no remote, a branch the workflow does not name) is a marked
//! placeholder or says it was assumed, in [`RoleSetup::guessed`]; never a silent guess.

mod branches;
pub mod gitlab_ci;
pub mod iam_user;
pub(crate) mod markers;
pub mod render;
pub mod services;
pub mod unified;
pub mod wiring_diff;
pub mod workflow;

use serde_json::{Value, json};

use super::advice::{self, Context};
use crate::model::account_string;
use crate::model::role::{PermissionsHint, RepoIdentity, RoleSetup};

pub const ACCOUNT: &str = "<ACCOUNT_ID>";
pub const OWNER_REPO: &str = "<OWNER>/<REPO>";
pub const GROUP_PROJECT: &str = "<GROUP>/<PROJECT>";
pub const BRANCH: &str = "<BRANCH>";
/// The principal of a role for people: they sign in, no trust policy is written.
pub const PEOPLE: &str = "IAM Identity Center";

/// Who replaces the key in a context.
#[derive(Debug)]
pub enum Role {
    /// GitHub Actions' OIDC tokens, scoped to the repository and branch or environment.
    GithubOidc,
    /// GitLab CI's `id_tokens`, scoped to the project and branch.
    GitlabOidc,
    /// An AWS service that assumes the role for a workload.
    Service(&'static Service),
    /// People: IAM Identity Center sign-in, no role written by hand.
    People,
    /// No role: an IAM user is the legitimate case; its key goes to a secret store.
    IamUser(&'static iam_user::IamUser),
}

/// A service principal and how a workload gets the role there.
#[derive(Debug)]
pub struct Service {
    pub principal: &'static str,
    pub actions: &'static [&'static str],
    /// Whether the trust policy limits it to the account (`aws:SourceAccount`), as AWS's
    /// guidance for that service shows.
    pub source_account: bool,
    /// What to change; `<ACCOUNT_ID>` is replaced by the key's account when known.
    pub wiring: &'static str,
}

pub const LAMBDA: Service = Service {
    principal: "lambda.amazonaws.com",
    actions: &["sts:AssumeRole"],
    source_account: false,
    wiring: "Give the function an execution role with this trust policy (SAM: `Role: \
        arn:aws:iam::<ACCOUNT_ID>:role/<ROLE_NAME>` or `Policies:`; serverless.yml: \
        `provider.iam.role`; console: Configuration, Permissions). Delete AWS_ACCESS_KEY_ID and \
        AWS_SECRET_ACCESS_KEY from the function's environment and code: the SDK's default chain \
        reads the role's credentials.",
};

pub const ECS: Service = Service {
    principal: "ecs-tasks.amazonaws.com",
    actions: &["sts:AssumeRole"],
    source_account: true,
    wiring: "Set `\"taskRoleArn\": \"arn:aws:iam::<ACCOUNT_ID>:role/<ROLE_NAME>\"` in the task \
        definition (compose on ECS: the service's task role) and delete the keys from \
        `environment`, `secrets` and the image: the SDK reads the task role from the container \
        credentials endpoint.",
};

pub const EKS: Service = Service {
    principal: "pods.eks.amazonaws.com",
    actions: &["sts:AssumeRole", "sts:TagSession"],
    source_account: false,
    wiring: "Associate the pod's service account with the role (EKS Pod Identity Agent add-on): \
        `aws eks create-pod-identity-association --cluster-name <CLUSTER> --namespace \
        <NAMESPACE> --service-account <SERVICE_ACCOUNT> --role-arn \
        arn:aws:iam::<ACCOUNT_ID>:role/<ROLE_NAME>`, run the pod as that service account, and \
        delete the keys from the manifest, Secret or Helm values. (IRSA instead: a trust on the \
        cluster's OIDC provider and the `eks.amazonaws.com/role-arn` annotation.)",
};

pub const EC2: Service = Service {
    principal: "ec2.amazonaws.com",
    actions: &["sts:AssumeRole"],
    source_account: false,
    wiring: "Put the role in an instance profile and attach it: `aws iam create-instance-profile \
        --instance-profile-name <ROLE_NAME>`, `aws iam add-role-to-instance-profile \
        --instance-profile-name <ROLE_NAME> --role-name <ROLE_NAME>`, `aws ec2 \
        associate-iam-instance-profile --instance-id <INSTANCE_ID> --iam-instance-profile \
        Name=<ROLE_NAME>`. Delete the keys from code and configuration: the SDK's default chain \
        reads the role from the instance metadata service.",
};

const PEOPLE_WIRING: &str = "Delete the key from this file and sign in instead: `aws configure \
    sso` writes a profile like this to ~/.aws/config, then `aws sso login --profile <PROFILE>` \
    gives short-lived credentials, nothing stored:\n\
    [profile <PROFILE>]\n\
    sso_session = <SSO_SESSION>\n\
    sso_account_id = <ACCOUNT_ID>\n\
    sso_role_name = <PERMISSION_SET>\n\
    region = <REGION>\n\
    [sso-session <SSO_SESSION>]\n\
    sso_start_url = https://<IDENTITY_STORE_ID>.awsapps.com/start\n\
    sso_region = <REGION>\n\
    sso_registration_scopes = sso:account:access";

const PERMISSIONS_FOUND: &str = "Start the role's permissions policy from these services: only \
    the actions the code calls (s3:GetObject, not every s3 action), each on the resources it \
    uses (a bucket's or table's ARN). Resources must be scoped: no wildcard actions or \
    resources.";

const PERMISSIONS_NONE: &str = "No AWS service calls found in this file: grant only the \
    actions the workload calls, each on the resources it uses (scoped ARNs), never all actions \
    or all resources. IAM Access Analyzer can generate a policy from the key's CloudTrail \
    activity.";

/// Forges that are neither GitHub nor GitLab: their remotes name no project of either.
const OTHER_FORGES: &[&str] = &[
    "bitbucket.org",
    "codeberg.org",
    "dev.azure.com",
    "git.sr.ht",
    "ssh.dev.azure.com",
];

/// A remote host that can be a GitLab instance: not GitHub, not another known forge.
fn gitlab_host(host: &str) -> bool {
    github_issuer(host).is_none()
        && !OTHER_FORGES.contains(&host)
        && !host.ends_with(".visualstudio.com")
}

/// Where a GitHub repository's Actions tokens come from.
fn github_issuer(host: &str) -> Option<String> {
    if host == "github.com" {
        Some("token.actions.githubusercontent.com".to_string())
    } else if host.ends_with(".ghe.com") {
        // GitHub Enterprise Cloud with data residency.
        Some(format!("token.actions.{host}"))
    } else if host.contains("github") {
        // GitHub Enterprise Server.
        Some(format!("{host}/_services/token"))
    } else {
        None
    }
}

/// What one file brings to its findings' role setups, worked out once per file.
#[derive(Debug)]
pub struct Place<'a> {
    pub context: &'static Context,
    repo: &'a RepoIdentity,
    services: Vec<&'static str>,
    triggers: workflow::Triggers,
    /// A workflow's rewiring, rendered per finding with its account.
    rewire: Option<wiring_diff::Plan>,
    /// A GitLab pipeline's jobs and the branches they run on.
    pipeline: Option<gitlab_ci::Pipeline>,
}

impl<'a> Place<'a> {
    /// The context of the file at `path` and what its content says for a role.
    pub fn of(path: &str, content: &[u8], repo: &'a RepoIdentity) -> Place<'a> {
        Place::of_reading(path, content, repo, &mut markers::warming(content))
            .expect("asking bytes into the cache goes on")
    }

    /// [`Place::of`], its search for markers telling `ahead` of each range of `content`
    /// before it reads it (`markers::Present::in_content_reading`); None when `ahead`
    /// breaks, which stops the reading there.
    pub fn of_reading(
        path: &str,
        content: &[u8],
        repo: &'a RepoIdentity,
        ahead: &mut markers::Ahead,
    ) -> Option<Place<'a>> {
        // One pass finds every string the context and the services look for.
        let present = markers::Present::in_content_reading(content, ahead)?;
        let context = advice::context_where(path, |n| present.has(n), |w| present.has_word(w));
        let (triggers, rewire) = match context.role {
            Role::GithubOidc => (workflow::read(content), wiring_diff::plan(path, content)),
            _ => (workflow::Triggers::default(), None),
        };
        let pipeline =
            matches!(context.role, Role::GitlabOidc).then(|| gitlab_ci::Pipeline::read(content));
        Some(Place {
            context,
            repo,
            services: services::called_where(content, |n| present.has(n)),
            triggers,
            rewire,
            pipeline,
        })
    }

    /// The role setup for a key of `account` (`None`: not decoded) found here, on no line in
    /// particular.
    pub fn setup(&self, account: Option<u64>) -> RoleSetup {
        self.setup_at(account, None)
    }

    /// The role setup for a key of `account` on `line` (1-based), which names its CI job.
    pub fn setup_at(&self, account: Option<u64>, line: Option<u32>) -> RoleSetup {
        let account = account.map_or_else(|| ACCOUNT.to_string(), account_string);
        let mut guessed: Vec<String> = self
            .context
            .role_assumed
            .map(String::from)
            .into_iter()
            .collect();
        let (principal, trust_policy, wiring) = match self.context.role {
            Role::GithubOidc => self.github(&account, &mut guessed),
            Role::GitlabOidc => self.gitlab(&account, line, &mut guessed),
            Role::Service(s) => (
                Some(s.principal.to_string()),
                Some(service_policy(s, &account)),
                s.wiring.to_string(),
            ),
            Role::People => (Some(PEOPLE.to_string()), None, PEOPLE_WIRING.to_string()),
            Role::IamUser(u) => (None, None, u.wiring()),
        };
        let arn = format!("arn:aws:iam::{account}:role/<ROLE_NAME>");
        RoleSetup {
            principal,
            trust_policy,
            wiring: wiring.replace(ACCOUNT, &account),
            wiring_diff: self.rewire.as_ref().and_then(|p| p.render(&arn)),
            permissions_hint: PermissionsHint {
                note: match self.services.is_empty() {
                    true => PERMISSIONS_NONE,
                    false => PERMISSIONS_FOUND,
                },
                services: self.services.clone(),
            },
            guessed,
        }
    }

    fn github(
        &self,
        account: &str,
        guessed: &mut Vec<String>,
    ) -> (Option<String>, Option<Value>, String) {
        let remote = self.repo.remote.as_ref();
        let (issuer, repo) = match remote.and_then(|r| Some((github_issuer(&r.host)?, r))) {
            Some((issuer, r)) if r.path.matches('/').count() == 1 => (issuer, r.path.clone()),
            _ => {
                guessed.push(match remote {
                    Some(r) => format!(
                        "`{OWNER_REPO}`: a placeholder, as `origin` ({}) is not a GitHub repository",
                        r.host
                    ),
                    None => format!("`{OWNER_REPO}`: a placeholder, as there is no `origin` remote"),
                });
                (
                    github_issuer("github.com").expect("github.com"),
                    OWNER_REPO.to_string(),
                )
            }
        };
        let subjects: Vec<String> = if self.triggers.environments.is_empty() {
            self.branches(guessed)
                .iter()
                .map(|b| format!("repo:{repo}:ref:refs/heads/{b}"))
                .collect()
        } else {
            self.triggers
                .environments
                .iter()
                .map(|e| format!("repo:{repo}:environment:{e}"))
                .collect()
        };
        let policy = oidc_policy(account, &issuer, "sts.amazonaws.com", &subjects);
        let wiring = format!(
            "In the job: `permissions: id-token: write` (and `contents: read`); in \
             `aws-actions/configure-aws-credentials`, replace `aws-access-key-id` and \
             `aws-secret-access-key` with `role-to-assume: \
             arn:aws:iam::{account}:role/<ROLE_NAME>` (keep `aws-region`). Delete the key \
             secrets from the repository settings. Once per account: an IAM OIDC provider for \
             https://{issuer} with audience sts.amazonaws.com."
        );
        (Some(issuer), Some(policy), wiring)
    }

    fn gitlab(
        &self,
        account: &str,
        line: Option<u32>,
        guessed: &mut Vec<String>,
    ) -> (Option<String>, Option<Value>, String) {
        let remote = self.repo.remote.as_ref();
        let (host, project) = match remote {
            Some(r) if gitlab_host(&r.host) => (r.host.clone(), r.path.clone()),
            _ => {
                guessed.push(match remote {
                    Some(r) => format!(
                        "`{GROUP_PROJECT}` on gitlab.com: placeholders, as `origin` ({}) is not a GitLab project",
                        r.host
                    ),
                    None => format!(
                        "`{GROUP_PROJECT}` on gitlab.com: placeholders, as there is no `origin` remote"
                    ),
                });
                ("gitlab.com".to_string(), GROUP_PROJECT.to_string())
            }
        };
        let subjects: Vec<String> = self
            .gitlab_branches(line, guessed)
            .iter()
            .map(|b| format!("project_path:{project}:ref_type:branch:ref:{b}"))
            .collect();
        let audience = format!("https://{host}");
        let policy = oidc_policy(account, &host, &audience, &subjects);
        let wiring = format!(
            "In the job: `id_tokens: AWS_ID_TOKEN: aud: {audience}`, then `aws sts \
             assume-role-with-web-identity --role-arn arn:aws:iam::{account}:role/<ROLE_NAME> \
             --role-session-name \"gitlab-$CI_JOB_ID\" --web-identity-token \"$AWS_ID_TOKEN\"` \
             (or set AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE for the SDK). Delete the key \
             CI/CD variables. Once per account: an IAM OIDC provider for {audience} with \
             audience {audience}."
        );
        (Some(host), Some(policy), wiring)
    }
}

/// A trust policy for an OIDC provider: its tokens for `audience`, with one of `subjects`
/// (`StringLike` when one has a `*`).
pub fn oidc_policy(account: &str, issuer: &str, audience: &str, subjects: &[String]) -> Value {
    let sub = match subjects {
        [one] => json!(one),
        many => json!(many),
    };
    let mut condition = json!({ "StringEquals": { format!("{issuer}:aud"): audience } });
    let operator = match subjects.iter().any(|s| s.contains('*')) {
        true => "StringLike",
        false => "StringEquals",
    };
    condition
        .as_object_mut()
        .expect("an object")
        .entry(operator)
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("an object")
        .insert(format!("{issuer}:sub"), sub);
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Federated": format!("arn:aws:iam::{account}:oidc-provider/{issuer}") },
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": condition,
        }],
    })
}

/// A trust policy for an AWS service principal.
pub fn service_policy(service: &Service, account: &str) -> Value {
    let action = match service.actions {
        [one] => json!(one),
        many => json!(many),
    };
    let mut statement = json!({
        "Effect": "Allow",
        "Principal": { "Service": service.principal },
        "Action": action,
    });
    if service.source_account {
        statement["Condition"] = json!({ "StringEquals": { "aws:SourceAccount": account } });
    }
    json!({ "Version": "2012-10-17", "Statement": [statement] })
}

#[cfg(test)]
mod tests;
