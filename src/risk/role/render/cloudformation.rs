//! The setup as a CloudFormation template (YAML): `AWS::IAM::Role` with its
//! `AssumeRolePolicyDocument` and `Policies`, and where the setup needs them
//! `AWS::IAM::OIDCProvider` (the trust policy then `!Ref`s it) and `AWS::IAM::InstanceProfile`.
//!
//! The permissions' actions and resources are template parameters without defaults (a
//! `<RESOURCE_ARN>` placeholder is no ARN and cfn-lint rightly refuses it): the stack cannot
//! be created before someone names them. `<ACCOUNT_ID>` is the stack's own account.

use std::fmt::Write;

use serde_json::{Value, json};

use super::emit::{EXPR, yaml};
use super::{Part, Plan, Slot, Target, permissions_policy, slots};
use crate::risk::role::ACCOUNT;

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
    let raw = |s: &str| match s {
        _ if Some(s) == arn => Some("!Ref OidcProvider".to_string()),
        ACCOUNT => Some("!Ref AWS::AccountId".to_string()),
        _ => None,
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

/// The template's parameters (a list of actions and one of resources per [`Slot`], no
/// default) and the permissions policy that uses them.
fn permissions(target: &Target<'_>) -> (Value, Value) {
    let name = |slot: Slot, part: Part| {
        let word: String = slot
            .service
            .unwrap_or("")
            .split(|c: char| !c.is_ascii_alphanumeric())
            .map(|w| w[..w.len().min(1)].to_uppercase() + &w[w.len().min(1)..])
            .collect();
        format!("{word}{part:?}")
    };
    let mut parameters = serde_json::Map::new();
    for slot in slots(target.setup) {
        for part in [Part::Actions, Part::Resources] {
            let doc = format!("Permissions: {}", slot.doc(part));
            parameters.insert(
                name(slot, part),
                json!({ "Type": "CommaDelimitedList", "Description": doc }),
            );
        }
    }
    let policy = permissions_policy(target.setup, &|slot, part| {
        json!(format!("{EXPR}!Ref {}", name(slot, part)))
    });
    (Value::Object(parameters), policy)
}
