//! Advice: the first thing to do about a finding, and which role setup replaces the key.
//!
//! Data, not code: [`CONTEXTS`] maps where a key sits (path, file name, content markers) to
//! the role that replaces it there; [`first_step`] says what to do with the key itself by
//! its kind, and [`staged_step`] what to do when the key is only staged, not committed. A new
//! case is one row. Each context also names the [`Role`] that replaces the key there, built
//! into a full setup by [`super::role`].

use super::Facts;
use super::history;
use super::role::{self, Role};
use crate::model::advice::Advice;
use crate::model::finding::{Finding, Kind, Risk};

/// One way to recognise a context.
#[derive(Debug)]
pub enum Test {
    /// A directory on the path (`.github/workflows`).
    Dir(&'static str),
    /// The file name, exactly.
    Name(&'static str),
    /// The file name starts with it (`docker-compose`).
    NamePrefix(&'static str),
    /// The file extension, without the dot.
    Ext(&'static str),
    /// The file's bytes contain all of these.
    Content(&'static [&'static str]),
    /// The path contains it, in any case (`Break-Glass/`).
    PathWord(&'static str),
    /// The file's bytes contain it, in any ASCII case.
    ContentWord(&'static str),
}

/// A context: any one of its tests matching is enough.
#[derive(Debug)]
pub struct Context {
    pub id: &'static str,
    pub tests: &'static [Test],
    pub replace_with: &'static str,
    /// Who assumes the role that replaces the key here.
    pub role: Role,
    /// What the role assumes about where the key is used, when the context cannot tell
    /// (a Dockerfile may run anywhere): said in the setup's `guessed`.
    pub role_assumed: Option<&'static str>,
}

use Test::*;

/// Where an IAM user with a long-term key is the legitimate case: checked before
/// [`CONTEXTS`], by path and content alike, as they override the file's kind (a break-glass
/// profile in `~/.aws/credentials`, rclone's keys in an `.env`). `emergency` counts in a path
/// only: in text it says too little.
pub const IAM_USER_CONTEXTS: &[Context] = &[
    Context {
        id: "break_glass",
        tests: &[
            PathWord("break-glass"),
            PathWord("breakglass"),
            PathWord("break_glass"),
            PathWord("emergency"),
            ContentWord("break-glass"),
            ContentWord("breakglass"),
            ContentWord("break_glass"),
            ContentWord("break glass"),
        ],
        replace_with: "Break-glass access is the legitimate case for an IAM user: keep its key in a \
            secret store (never in a repository), require MFA, alarm on its use and rotate it.",
        role: Role::IamUser(&role::iam_user::BREAK_GLASS),
        role_assumed: None,
    },
    Context {
        id: "third_party_tool",
        tests: &[
            Name(".s3cfg"),
            Name("s3cfg"),
            Name("rclone.conf"),
            Name(".passwd-s3fs"),
            Name("passwd-s3fs"),
            Ext("duck"),
            Name(".boto"),
            Name("boto.cfg"),
            Content(&["type = s3", "access_key_id"]),
            Content(&["RESTIC_REPOSITORY"]),
            Content(&["duplicity", "s3"]),
        ],
        replace_with: "A tool that takes only a long-term key outside AWS is the legitimate case for an \
            IAM user: keep its key in a secret store, not in the repository, scope it to the tool's \
            bucket and rotate it.",
        role: Role::IamUser(&role::iam_user::THIRD_PARTY_TOOL),
        role_assumed: None,
    },
];

/// Checked in order; the first context with a matching test wins, [`GENERIC`] otherwise.
pub const CONTEXTS: &[Context] = &[
    Context {
        id: "github_actions",
        tests: &[Dir(".github/workflows")],
        replace_with: "Use GitHub Actions OIDC: give the job `permissions: id-token: write` and run \
            `aws-actions/configure-aws-credentials` with `role-to-assume: arn:aws:iam::<account>:role/<role>` \
            (an IAM OIDC provider for token.actions.githubusercontent.com, trust policy limited to this \
            repository and branch). Delete the key secrets from the repository settings.",
        role: Role::GithubOidc,
        role_assumed: None,
    },
    Context {
        id: "gitlab_ci",
        tests: &[Name(".gitlab-ci.yml"), Name(".gitlab-ci.yaml")],
        replace_with: "Use GitLab OIDC: declare `id_tokens: AWS_ID_TOKEN: aud: <your GitLab URL>` in the job \
            and exchange it with `aws sts assume-role-with-web-identity --web-identity-token $AWS_ID_TOKEN` \
            for a role that trusts your GitLab OIDC provider. Delete the key CI/CD variables.",
        role: Role::GitlabOidc,
        role_assumed: None,
    },
    Context {
        id: "lambda",
        tests: &[
            Name("serverless.yml"),
            Name("serverless.yaml"),
            Name("samconfig.toml"),
            Content(&["AWS::Serverless"]),
            Content(&["AWS::Lambda::Function"]),
        ],
        replace_with: "Give the function an execution role (SAM `Role`/`Policies`, serverless.yml \
            `provider.iam.role`); Lambda hands its credentials to the SDK default chain. Remove the \
            keys from environment variables and code.",
        role: Role::Service(&role::LAMBDA),
        role_assumed: None,
    },
    Context {
        id: "kubernetes",
        tests: &[
            Name("Chart.yaml"),
            Name("values.yaml"),
            Dir("charts"),
            Dir("helm"),
            Dir("k8s"),
            Dir("kubernetes"),
            Content(&["apiVersion:", "kind:"]),
        ],
        replace_with: "Use EKS Pod Identity (associate the pod's service account with an IAM role) or IRSA \
            (the `eks.amazonaws.com/role-arn` annotation on the service account). Remove the keys from \
            manifests, Secrets and Helm values.",
        role: Role::Service(&role::EKS),
        role_assumed: Some(
            "the cluster is assumed to be EKS (elsewhere: the platform's workload identity)",
        ),
    },
    Context {
        id: "ecs_container",
        tests: &[
            Name("Dockerfile"),
            NamePrefix("Dockerfile."),
            NamePrefix("docker-compose"),
            NamePrefix("compose."),
            NamePrefix("task-definition"),
            Content(&["containerDefinitions"]),
        ],
        replace_with: "Run the container with an ECS task role (`taskRoleArn` in the task definition); the \
            SDK gets its credentials from the container credentials endpoint. Never bake keys into images \
            or compose `environment:`.",
        role: Role::Service(&role::ECS),
        role_assumed: Some(
            "the container is assumed to run on ECS (on EKS: Pod Identity; on EC2: an instance profile)",
        ),
    },
    Context {
        id: "infrastructure_as_code",
        tests: &[
            Ext("tf"),
            Ext("tfvars"),
            Ext("hcl"),
            Ext("tfstate"),
            Name("cdk.json"),
            Content(&["AWSTemplateFormatVersion"]),
            Content(&["aws-cdk-lib"]),
        ],
        replace_with: "Give the workload an IAM role instead of an `aws_iam_access_key`: an instance profile \
            for EC2, an execution role for Lambda, a task role for ECS, Pod Identity for EKS. Run \
            Terraform/CDK/CloudFormation itself under an assumed deploy role (OIDC in CI, `aws sso login` \
            on a laptop).",
        role: Role::People,
        role_assumed: Some(
            "whoever runs it is assumed to be a person; in CI, use the CI provider's OIDC role",
        ),
    },
    Context {
        id: "credentials_file",
        tests: &[
            Name("credentials"),
            Dir(".aws"),
            Name(".env"),
            NamePrefix(".env."),
            Ext("env"),
            Name(".envrc"),
            Name(".netrc"),
        ],
        replace_with: "People: use IAM Identity Center (`aws configure sso`, then `aws sso login`): \
            short-lived credentials, nothing stored. Workloads: a role (instance profile, task role, Lambda \
            execution role) through the SDK default credential chain.",
        role: Role::People,
        role_assumed: None,
    },
    Context {
        id: "ec2_instance",
        tests: &[
            Name("user-data"),
            NamePrefix("user-data."),
            NamePrefix("userdata"),
            Dir(".ebextensions"),
            Name("appspec.yml"),
            Content(&["#cloud-config"]),
        ],
        replace_with: "Give the instance a role through an instance profile; the SDK reads it from the \
            instance metadata service. Remove the keys from user data, Elastic Beanstalk and \
            CodeDeploy files.",
        role: Role::Service(&role::EC2),
        role_assumed: None,
    },
    Context {
        id: "sdk_code",
        tests: &[
            Ext("py"),
            Ext("js"),
            Ext("mjs"),
            Ext("cjs"),
            Ext("ts"),
            Ext("tsx"),
            Ext("jsx"),
            Ext("java"),
            Ext("kt"),
            Ext("scala"),
            Ext("groovy"),
            Ext("go"),
            Ext("rb"),
            Ext("php"),
            Ext("cs"),
            Ext("rs"),
            Ext("swift"),
            Ext("m"),
            Ext("c"),
            Ext("cc"),
            Ext("cpp"),
            Ext("h"),
            Ext("sh"),
            Ext("ps1"),
            Ext("pyc"),
            Ext("class"),
            Ext("jar"),
        ],
        replace_with: "Do not pass keys to the SDK client: construct it without credentials and let the \
            default credential chain find the role (instance profile, task role, Lambda execution role, \
            Pod Identity; an SSO profile on a developer machine).",
        role: Role::Service(&role::EC2),
        role_assumed: Some(
            "where this code runs is not known: EC2 is assumed (Lambda, ECS and EKS have their own roles; people use IAM Identity Center)",
        ),
    },
];

/// Used when no context matches.
pub const GENERIC: Context = Context {
    id: "generic",
    tests: &[],
    replace_with: "Replace the key with a role: services (EC2, Lambda, ECS, EKS, CI jobs) assume an IAM role; \
        people use IAM Identity Center (`aws sso login`). No long-term key needs to be stored.",
    role: Role::People,
    role_assumed: Some(
        "who uses this key is not known: a person is assumed (a workload takes the role of where it runs)",
    ),
};

/// What to do with the credential itself, by kind.
pub fn first_step(kind: Kind, example: bool) -> &'static str {
    first_step_for(Facts {
        kind,
        paired: false,
        example,
        expired: false,
    })
}

/// What to do with the credential itself: placeholder, expired, then by kind.
pub fn first_step_for(facts: Facts) -> &'static str {
    let Facts {
        kind,
        example,
        expired,
        ..
    } = facts;
    if expired && !example && kind == Kind::PresignedUrl {
        return PRESIGNED_EXPIRED_STEP;
    }
    if expired && !example {
        return history::EXPIRED_STEP;
    }
    if example {
        return "A documentation or placeholder value: nothing to rotate. Make sure a real key never \
            takes its place.";
    }
    match kind {
        Kind::AccessKey => {
            "Deactivate and delete this key in IAM now (`aws iam update-access-key --status \
            Inactive`, then `aws iam delete-access-key`): a long-term key stays valid until deleted. Then \
            check CloudTrail for what it was used for."
        }
        Kind::TemporaryAccessKey => {
            "Temporary credentials stay valid up to 12 h (36 h from \
            GetSessionToken): revoke the issuing role's active sessions (IAM console: role, Revoke active \
            sessions) and check CloudTrail."
        }
        Kind::SecretAccessKey => {
            "Find the access key this secret belongs to (IAM: users, security \
            credentials), deactivate and delete it; a secret without its key ID is still half a \
            credential."
        }
        Kind::SessionToken => {
            "Revoke the issuing role's active sessions; a session token expires within \
            36 h at most."
        }
        Kind::UniqueId => {
            "Not a credential: this ID names an IAM principal or resource. Nothing to \
            rotate."
        }
        Kind::PresignedUrl => {
            "A presigned URL grants what its signer could do, for the request it signs, to anyone \
            holding it until it expires; it cannot be revoked on its own. If it must stop working \
            sooner, deactivate the signing key (or revoke the role's active sessions for a \
            temporary key). Remove the URL from the file; hand out links at run time instead."
        }
    }
}

/// What to do first about a credential found in what is staged for a commit (`--staged`): it
/// is not committed, so not leaked yet.
pub const STAGED_STEP: &str = "Not committed yet: remove it from the commit (delete it from the \
    file, then `git add` the file again). It has not left this machine unless you pushed or \
    shared it before; if you did, treat it as leaked: deactivate and delete a long-term key in \
    IAM, revoke a temporary key's sessions.";

/// The first step for a finding in what is staged: [`STAGED_STEP`] for a credential that
/// grants something; placeholders and identifiers (`info`), canaries and expired
/// credentials keep their own.
pub fn staged_step(f: &Finding) -> &'static str {
    if f.risk > Risk::Info && f.canary.is_none() && !f.expired {
        STAGED_STEP
    } else {
        f.advice.first_step
    }
}

/// What to do with a presigned URL whose expiry has passed.
pub const PRESIGNED_EXPIRED_STEP: &str = "Expired: this presigned URL no longer works. Nothing to \
    revoke; remove it from the file. Its key ID still names the signing key and account.";

/// Every test of every context, IAM-user cases included.
fn all_tests() -> impl Iterator<Item = &'static Test> {
    CONTEXTS
        .iter()
        .chain(IAM_USER_CONTEXTS)
        .flat_map(|c| c.tests)
}

/// Every `ContentWord` of every context: the words `role::markers` looks for.
pub fn content_words() -> impl Iterator<Item = &'static str> {
    all_tests().filter_map(|t| match t {
        ContentWord(w) => Some(*w),
        _ => None,
    })
}

/// Picks the context for a file: an [`IAM_USER_CONTEXTS`] case, else from its path and, if
/// the path says nothing, its content.
pub fn context_for(path: &str, content: &[u8]) -> &'static Context {
    let present = role::markers::Present::in_content(content);
    context_where(path, |n| present.has(n), |w| present.has_word(w))
}

/// [`context_for`], where `has` says whether the content holds one of the strings of
/// [`content_needles`] and `has_word` whether it holds one of [`content_words`] in any ASCII
/// case (so a caller can find them all in one pass, `role::markers::Present`).
pub fn context_where(
    path: &str,
    has: impl Fn(&str) -> bool,
    has_word: impl Fn(&str) -> bool,
) -> &'static Context {
    let path = path.replace('\\', "/");
    let lower = path.to_ascii_lowercase();
    let name = path.rsplit('/').next().unwrap_or(&path);
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let path_match = |t: &Test| match t {
        Dir(d) => path.starts_with(&format!("{d}/")) || path.contains(&format!("/{d}/")),
        Name(n) => name == *n,
        NamePrefix(p) => name.starts_with(p),
        Ext(e) => ext.eq_ignore_ascii_case(e),
        PathWord(w) => lower.contains(w),
        Content(_) | ContentWord(_) => false,
    };
    let content_match = |t: &Test| match t {
        Content(all) => all.iter().all(|needle| has(needle)),
        ContentWord(w) => has_word(w),
        _ => false,
    };
    let either = |c: &&Context| c.tests.iter().any(|t| path_match(t) || content_match(t));
    if let Some(c) = IAM_USER_CONTEXTS.iter().find(either) {
        return c;
    }
    CONTEXTS
        .iter()
        .find(|c| c.tests.iter().any(path_match))
        .or_else(|| CONTEXTS.iter().find(|c| c.tests.iter().any(content_match)))
        .unwrap_or(&GENERIC)
}

/// Every string a `Content` test looks for.
pub fn content_needles() -> impl Iterator<Item = &'static str> {
    all_tests()
        .filter_map(|t| match t {
            Content(all) => Some(all.iter().copied()),
            _ => None,
        })
        .flatten()
}

/// The first string of each `Content` test: [`context_where`] asks for the others of a test
/// only once those before them were found (`all` stops at the first missing one).
pub fn content_leads() -> impl Iterator<Item = &'static str> {
    all_tests().filter_map(|t| match t {
        Content(all) => all.first().copied(),
        _ => None,
    })
}

/// The advice for a credential found in `context`; its first step is left empty until the
/// finding is settled ([`super::Unsettled::settle`]).
pub fn advise(context: &'static Context) -> Advice {
    Advice {
        context: context.id,
        first_step: "",
        replace_with: context.replace_with,
        history: None,
        role: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_by_path_and_content() {
        let cases: &[(&str, &[u8], &str)] = &[
            (".github/workflows/deploy.yml", b"", "github_actions"),
            ("repo/.github/workflows/ci.yaml", b"", "github_actions"),
            (".gitlab-ci.yml", b"", "gitlab_ci"),
            ("infra/main.tf", b"", "infrastructure_as_code"),
            (
                "stack/template.yaml",
                b"AWSTemplateFormatVersion: '2010-09-09'",
                "infrastructure_as_code",
            ),
            (
                "sam/template.yaml",
                b"Transform: AWS::Serverless-2016-10-31",
                "lambda",
            ),
            ("serverless.yml", b"", "lambda"),
            ("Dockerfile", b"", "ecs_container"),
            ("docker-compose.prod.yml", b"", "ecs_container"),
            (
                "ecs/web.json",
                b"{\"containerDefinitions\": []}",
                "ecs_container",
            ),
            (
                "deploy/app.yaml",
                b"apiVersion: v1\nkind: Secret\n",
                "kubernetes",
            ),
            ("charts/app/values.yaml", b"", "kubernetes"),
            ("home/.aws/credentials", b"", "credentials_file"),
            ("home/.s3cfg", b"", "third_party_tool"),
            (".config/rclone/rclone.conf", b"", "third_party_tool"),
            ("etc/passwd-s3fs", b"", "third_party_tool"),
            ("bookmarks/backup.duck", b"", "third_party_tool"),
            (".boto", b"", "third_party_tool"),
            (
                "backup.env",
                b"RESTIC_REPOSITORY=s3:s3.amazonaws.com/b",
                "third_party_tool",
            ),
            (
                "backup.sh",
                b"duplicity /home s3://b/home",
                "third_party_tool",
            ),
            (
                "remotes.ini",
                b"[r]\ntype = s3\naccess_key_id = x",
                "third_party_tool",
            ),
            ("ops/Break-Glass/credentials", b"", "break_glass"),
            ("emergency-access.env", b"", "break_glass"),
            (
                "home/.aws/credentials",
                b"[BreakGlass-admin]\n",
                "break_glass",
            ),
            (".env", b"# break glass only\n", "break_glass"),
            // `emergency` in text alone says too little.
            (".env", b"# emergency contact: ops\n", "credentials_file"),
            (".env", b"", "credentials_file"),
            (".env.production", b"", "credentials_file"),
            ("app/upload.py", b"boto3.client('s3')", "sdk_code"),
            ("src/Main.java", b"", "sdk_code"),
            ("deploy/user-data.sh", b"", "ec2_instance"),
            (".ebextensions/app.config", b"", "ec2_instance"),
            ("boot.yaml", b"#cloud-config\nruncmd: []", "ec2_instance"),
            ("notes.txt", b"", "generic"),
            ("<stdin>", b"", "generic"),
        ];
        for (path, content, want) in cases {
            assert_eq!(context_for(path, content).id, *want, "{path}");
        }
    }

    #[test]
    fn every_kind_has_a_first_step() {
        for kind in Kind::ALL {
            assert!(!first_step(kind, false).is_empty());
        }
        assert!(first_step(Kind::AccessKey, false).contains("delete"));
        assert!(first_step(Kind::TemporaryAccessKey, false).contains("12 h"));
    }

    #[test]
    fn expired_step() {
        let facts = |example| Facts {
            kind: Kind::TemporaryAccessKey,
            paired: true,
            example,
            expired: true,
        };
        assert_eq!(first_step_for(facts(false)), history::EXPIRED_STEP);
        assert!(first_step_for(facts(true)).contains("placeholder"));
        let url = Facts {
            kind: Kind::PresignedUrl,
            ..facts(false)
        };
        assert_eq!(first_step_for(url), PRESIGNED_EXPIRED_STEP);
    }
}
