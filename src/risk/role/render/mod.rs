//! A [`RoleSetup`] written out ready to paste, for `keyleak role`: AWS CLI commands
//! ([`cli`]), Terraform ([`terraform`]) and CloudFormation ([`cloudformation`]).
//!
//! Reads only the setup (its principal and trust policy say what to create: an OIDC provider,
//! an instance profile, or nothing at all for people) and the role's name; does no I/O and
//! picks no finding. What is not known stays a marked placeholder (`<ACCOUNT_ID>`,
//! `<RESOURCE_ARN>`, `<ACTION>`): the permissions policy names the services the file calls and
//! never a wildcard, so it cannot be applied before someone scopes it.

pub mod cli;
pub mod cloudformation;
mod emit;
pub mod terraform;

use serde_json::{Value, json};

use crate::model::role::RoleSetup;

/// An action placeholder: IAM refuses it, so an unedited policy grants nothing.
pub const ACTION: &str = "<ACTION>";
pub const RESOURCE: &str = "<RESOURCE_ARN>";

/// Role-name prefixes by service principal, for [`default_role_name`].
const SERVICE_NAMES: &[(&str, &str)] = &[
    ("lambda.amazonaws.com", "lambda"),
    ("ecs-tasks.amazonaws.com", "ecs-task"),
    ("pods.eks.amazonaws.com", "eks-pod"),
    ("ec2.amazonaws.com", "ec2"),
];

/// One role to write out: the setup and the name it is created under.
#[derive(Debug)]
pub struct Target<'a> {
    pub setup: &'a RoleSetup,
    pub role_name: &'a str,
}

/// The three forms of one setup. People get the `aws configure sso` profile as `cli` and no
/// Terraform or CloudFormation: no role is written for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippets {
    pub cli: String,
    pub terraform: Option<String>,
    pub cloudformation: Option<String>,
}

/// What a setup asks to create, read from its trust policy.
#[derive(Debug)]
pub enum Shape<'a> {
    /// No trust policy: people sign in through IAM Identity Center.
    People,
    /// No principal: an IAM user legitimately stays (a third-party tool, break-glass).
    IamUser,
    Role(Plan<'a>),
}

/// The role to create, and what it needs besides.
#[derive(Debug)]
pub struct Plan<'a> {
    pub trust: &'a Value,
    /// The OIDC provider the role trusts (GitHub, GitLab), to create once per account.
    pub oidc: Option<Oidc>,
    /// EC2 reaches a role only through an instance profile.
    pub instance_profile: bool,
}

#[derive(Debug)]
pub struct Oidc {
    /// The provider's ARN as the trust policy names it.
    pub arn: String,
    /// `https://` and the issuer.
    pub url: String,
    /// The audience the trust policy requires: the provider's client ID.
    pub audience: String,
}

impl<'a> Shape<'a> {
    pub fn of(setup: &'a RoleSetup) -> Shape<'a> {
        if setup.principal.is_none() {
            return Shape::IamUser;
        }
        let Some(trust) = &setup.trust_policy else {
            return Shape::People;
        };
        let statement = &trust["Statement"][0];
        let oidc = statement["Principal"]["Federated"].as_str().map(|arn| {
            let issuer = arn.split_once(":oidc-provider/").map_or(arn, |(_, i)| i);
            Oidc {
                arn: arn.to_string(),
                url: format!("https://{issuer}"),
                audience: statement["Condition"]["StringEquals"][format!("{issuer}:aud")]
                    .as_str()
                    .unwrap_or("sts.amazonaws.com")
                    .to_string(),
            }
        });
        let instance_profile = statement["Principal"]["Service"] == "ec2.amazonaws.com";
        Shape::Role(Plan {
            trust,
            oidc,
            instance_profile,
        })
    }
}

/// One statement of the permissions policy: a service the file calls, or any service when
/// it names none.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    pub service: Option<&'static str>,
}

/// The two lists of a [`Slot`] someone must fill in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Actions,
    Resources,
}

impl Slot {
    /// The IAM prefix, or `<SERVICE>`.
    pub fn prefix(self) -> &'static str {
        self.service.unwrap_or("<SERVICE>")
    }

    /// What to put in `part`, for a parameter's or variable's description.
    pub fn doc(self, part: Part) -> String {
        let p = self.prefix();
        match part {
            Part::Actions => {
                format!("the {p}:... actions the code calls, each by name (never {p}:*)")
            }
            Part::Resources => format!("the ARNs of the {p} resources it uses (no wildcards)"),
        }
    }
}

/// The slots of `setup`'s permissions: one per service the file calls, one for any when none.
pub fn slots(setup: &RoleSetup) -> Vec<Slot> {
    match setup.permissions_hint.services.is_empty() {
        true => vec![Slot { service: None }],
        false => setup
            .permissions_hint
            .services
            .iter()
            .map(|s| Slot { service: Some(s) })
            .collect(),
    }
}

/// The role's permissions policy, one statement per [`Slot`], its actions and resources as
/// `fill` writes them (placeholders, template parameters, variables): never a wildcard.
pub fn permissions_policy(setup: &RoleSetup, fill: &dyn Fn(Slot, Part) -> Value) -> Value {
    let statements: Vec<Value> = slots(setup)
        .into_iter()
        .map(|slot| {
            json!({
                "Effect": "Allow",
                "Action": fill(slot, Part::Actions),
                "Resource": fill(slot, Part::Resources),
            })
        })
        .collect();
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// All three forms of `target`.
pub fn render(target: &Target<'_>) -> Snippets {
    match Shape::of(target.setup) {
        Shape::People => Snippets {
            cli: cli::sso(target.setup),
            terraform: None,
            cloudformation: None,
        },
        Shape::IamUser => Snippets {
            cli: cli::iam_user(target.setup),
            terraform: None,
            cloudformation: None,
        },
        Shape::Role(plan) => Snippets {
            cli: cli::render(target, &plan),
            terraform: Some(terraform::render(target, &plan)),
            cloudformation: Some(cloudformation::render(target, &plan)),
        },
    }
}

/// A role name from what the role is for and where: `github-actions-shop-api` (the
/// repository's name when known), else the file's stem (`lambda-template`). Only the
/// characters IAM allows, at most 64.
pub fn default_role_name(
    setup: &RoleSetup,
    context: &str,
    repo: Option<&str>,
    file: &str,
) -> String {
    let kind = SERVICE_NAMES
        .iter()
        .find(|(p, _)| setup.principal.as_deref() == Some(*p))
        .map_or_else(|| context.replace('_', "-"), |(_, n)| n.to_string());
    let stem = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = stem.trim_start_matches('.');
    let stem = stem.split('.').next().unwrap_or(stem);
    let base = repo.and_then(|r| r.rsplit('/').next()).unwrap_or(stem);
    let name: String = format!("{kind}-{base}")
        .chars()
        .map(
            |c| match c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) {
                true => c,
                false => '-',
            },
        )
        .take(64)
        .collect();
    name.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests;
