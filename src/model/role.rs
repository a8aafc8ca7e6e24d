//! The role setup that replaces a key ([`RoleSetup`]), and the repository facts it is
//! tailored with ([`RepoIdentity`]).
//!
//! Plain data: `settings` reads the repository once per run and fills [`RepoIdentity`];
//! `risk::role` builds a [`RoleSetup`] per finding from it, the context and the file. No git
//! I/O and no policy here.

use serde::Serialize;

/// The scanned repository as a role's trust policy names it: its `origin` remote and HEAD's
/// branch. Filled once per run; `Default` is "not a repository, no remote".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoIdentity {
    /// The `origin` remote, when there is one keyleak can read as a forge project.
    pub remote: Option<Remote>,
    /// The branch HEAD names (`main`), even unborn; `None` when detached or no repository.
    pub head_branch: Option<String>,
}

/// A forge project: the host and the project path, as the remote URL names them. Only
/// characters a forge allows in names: nothing from the URL's user part, port or query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    /// `github.com`, `github.example.com`, `gitlab.com`, lower case.
    pub host: String,
    /// `OWNER/REPO`, or `GROUP/SUBGROUP/PROJECT` on GitLab; no `.git`.
    pub path: String,
}

/// How to replace one key with a role, tailored to where it sits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleSetup {
    /// Who assumes the role: a service (`lambda.amazonaws.com`), an OIDC provider
    /// (`token.actions.githubusercontent.com`), or `IAM Identity Center` for people.
    pub principal: String,
    /// The role's trust policy (IAM policy grammar); `null` where no role is made (people
    /// sign in through IAM Identity Center instead).
    pub trust_policy: Option<serde_json::Value>,
    /// What to change where the key was.
    pub wiring: String,
    pub permissions_hint: PermissionsHint,
    /// What was not read from the repository but assumed or left as a placeholder.
    pub guessed: Vec<String>,
}

/// Where the role's permissions policy starts: the AWS services the file calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionsHint {
    /// IAM service prefixes (`s3`, `dynamodb`), sorted; empty when the file names none.
    pub services: Vec<&'static str>,
    /// How to turn them into a policy: only the actions called, on named resources.
    pub note: &'static str,
}
