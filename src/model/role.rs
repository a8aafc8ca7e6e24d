//! The role setup that replaces a key ([`RoleSetup`]), and the repository facts it is
//! tailored with ([`RepoIdentity`]).
//!
//! Plain data: `settings` reads the repository once per run and fills [`RepoIdentity`];
//! `risk::role` builds a [`RoleSetup`] per finding from it, the context and the file. No git
//! I/O and no policy here.

use std::borrow::Cow;

use serde::Serialize;

use crate::redact::Secret;

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
    /// (`token.actions.githubusercontent.com`), or `IAM Identity Center` for people; `None`
    /// where an IAM user is the legitimate case (a third-party tool, break-glass access).
    pub principal: Option<String>,
    /// The role's trust policy (IAM policy grammar); `null` where no role is made (people
    /// sign in through IAM Identity Center instead; an IAM user keeps its key).
    pub trust_policy: Option<serde_json::Value>,
    /// What to change where the key was.
    pub wiring: String,
    /// The wiring as a unified diff of the file, where keyleak can write one (a GitHub
    /// Actions workflow); `None` elsewhere.
    pub wiring_diff: Option<WiringDiff>,
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

/// A unified diff of the file the key sits in (paths `a/`, `b/` from the repository root),
/// as `git apply` takes it. Lines it removes or keeps as context may hold a secret: then
/// [`patch`](WiringDiff::patch) shows it redacted and does not apply, and the applicable text
/// is kept apart for `--show-secrets` ([`RoleSetup::shown`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WiringDiff {
    /// The diff as it may be printed.
    pub patch: String,
    /// `patch` applies as is: no secret had to be redacted from it.
    pub applies: bool,
    /// The applicable diff when `patch` had to be redacted.
    #[serde(skip)]
    pub full: Option<Secret>,
}

impl RoleSetup {
    /// The setup as it may be printed: with `show_secrets`, a redacted wiring diff is
    /// replaced by the one that applies.
    pub fn shown(&self, show_secrets: bool) -> Cow<'_, RoleSetup> {
        let full = self.wiring_diff.as_ref().and_then(|d| d.full.as_ref());
        match full {
            Some(full) if show_secrets => {
                let mut setup = self.clone();
                setup.wiring_diff = Some(WiringDiff {
                    patch: full.expose().to_string(),
                    applies: true,
                    full: None,
                });
                Cow::Owned(setup)
            }
            _ => Cow::Borrowed(self),
        }
    }
}
