//! The setup as a CloudFormation template (YAML): `AWS::IAM::Role` with its
//! `AssumeRolePolicyDocument` and `Policies`, and where the setup needs them
//! `AWS::IAM::OIDCProvider` (the trust policy then `!Ref`s it) and `AWS::IAM::InstanceProfile`.
//!
//! The permissions' actions and resources are template parameters without defaults (a
//! `<RESOURCE_ARN>` placeholder is no ARN and cfn-lint rightly refuses it): the stack cannot
//! be created before someone names them. `<ACCOUNT_ID>` is the stack's own account.

use std::fmt::Write;

use serde_json::json;

use super::emit::yaml;
use super::{Plan, Target};
use crate::risk::role::ACCOUNT;

/// Marks a string the template writes as `!Ref` to what follows.
const REF: &str = "\u{0}!Ref ";

/// A whole template for `target`.
pub fn render(target: &Target<'_>, plan: &Plan<'_>) -> String {
    let (parameters, policy) = permissions(target);
    let mut out = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\n\
         Description: The role that replaces a stored AWS access key (keyleak role)\n\
         Parameters:\n{}Resources:\n",
        yaml(&parameters, 2, &|_| None)
    );
    if let Some(oidc) = &plan.oidc {
        let provider = json!({
            "Type": "AWS::IAM::OIDCProvider",
            "Properties": { "Url": oidc.url, "ClientIdList": [oidc.audience] },
        });
        let _ = write!(
            out,
            "  # Once per account: if the account has this provider already, delete this\n  \
             # resource and put the provider's ARN in the trust policy instead.\n  \
             OidcProvider:\n{}",
            yaml(&provider, 4, &|_| None)
        );
    }
    let arn = plan.oidc.as_ref().map(|o| o.arn.as_str());
    let raw = |s: &str| match s.strip_prefix('\u{0}') {
        Some(r) => Some(r.to_string()),
        None if Some(s) == arn => Some("!Ref OidcProvider".to_string()),
        None if s == ACCOUNT => Some("!Ref AWS::AccountId".to_string()),
        None => None,
    };
    let role = json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": target.role_name,
            "AssumeRolePolicyDocument": plan.trust,
            "Policies": [{
                "PolicyName": format!("{}-permissions", target.role_name),
                "PolicyDocument": policy,
            }],
        },
    });
    let _ = write!(out, "  Role:\n{}", yaml(&role, 4, &raw));
    if plan.instance_profile {
        let _ = write!(
            out,
            "  InstanceProfile:\n    Type: AWS::IAM::InstanceProfile\n    Properties:\n      \
             InstanceProfileName: {}\n      Roles:\n        - !Ref Role\n",
            json!(target.role_name)
        );
    }
    out.push_str("Outputs:\n  RoleArn:\n    Value: !GetAtt Role.Arn\n");
    out
}

/// The template's parameters (a list of actions and one of resources per service the file
/// calls) and the permissions policy that uses them.
fn permissions(target: &Target<'_>) -> (serde_json::Value, serde_json::Value) {
    let services = &target.setup.permissions_hint.services;
    let mut parameters = serde_json::Map::new();
    let mut statements = Vec::new();
    let named: Vec<Option<&str>> = match services.is_empty() {
        true => vec![None],
        false => services.iter().map(|s| Some(*s)).collect(),
    };
    for service in named {
        let word: String = service
            .unwrap_or("")
            .split(|c: char| !c.is_ascii_alphanumeric())
            .map(|w| w[..w.len().min(1)].to_uppercase() + &w[w.len().min(1)..])
            .collect();
        let example = service.unwrap_or("s3");
        for (kind, what) in [
            (
                "Actions",
                format!(
                    "the {example} actions the code calls ({example}:GetObject, not {example}:*)"
                ),
            ),
            (
                "Resources",
                format!("the ARNs of the {example} resources it uses (no wildcards)"),
            ),
        ] {
            parameters.insert(
                format!("{word}{kind}"),
                json!({ "Type": "CommaDelimitedList", "Description": format!("Permissions: {what}") }),
            );
        }
        statements.push(json!({
            "Effect": "Allow",
            "Action": format!("{REF}{word}Actions"),
            "Resource": format!("{REF}{word}Resources"),
        }));
    }
    let policy = json!({ "Version": "2012-10-17", "Statement": statements });
    (serde_json::Value::Object(parameters), policy)
}
