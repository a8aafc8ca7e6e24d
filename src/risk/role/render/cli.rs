//! The setup as AWS CLI commands: each policy written to a file by a quoted heredoc (nothing
//! in it is expanded by the shell), then the `aws iam` calls that use it. For people, the
//! `aws configure sso` profile instead.

use std::fmt::Write;

use serde_json::json;

use super::{ACTION, Part, Plan, RESOURCE, Target, permissions_policy};
use crate::model::role::RoleSetup;
use crate::risk::role::iam_user::ROTATION;

/// Above the permissions policy.
const PERMISSIONS_NOTE: &str = "# Permissions: replace each [<SERVICE>:]<ACTION> with an action the code calls \
    (s3:GetObject, never s3:*)\n# and each <RESOURCE_ARN> with the ARN it uses. IAM refuses the \
    placeholders: nothing is granted until they are scoped.";

/// Where the setup's wiring shows the profile (`risk::role`'s text for people).
const PROFILE_START: &str = "[profile ";

/// The commands that create the role of `target`.
pub fn render(target: &Target<'_>, plan: &Plan<'_>) -> String {
    let name = target.role_name;
    let mut out = String::new();
    if let Some(oidc) = &plan.oidc {
        let _ = writeln!(
            out,
            "# Once per account (skip it if `aws iam list-open-id-connect-providers` lists it):\n\
             aws iam create-open-id-connect-provider --url {} --client-id-list {}\n",
            oidc.url, oidc.audience
        );
    }
    let _ = writeln!(
        out,
        "{}\naws iam create-role --role-name {name} --assume-role-policy-document file://trust.json\n",
        heredoc("trust.json", plan.trust)
    );
    let _ = writeln!(
        out,
        "{PERMISSIONS_NOTE}\n{}\naws iam put-role-policy --role-name {name} \
         --policy-name {name}-permissions --policy-document file://permissions.json",
        heredoc(
            "permissions.json",
            &permissions_policy(target.setup, &|slot, part| match part {
                Part::Actions => json!([format!("{}:{ACTION}", slot.prefix())]),
                Part::Resources => json!([RESOURCE]),
            })
        )
    );
    if plan.instance_profile {
        let _ = writeln!(
            out,
            "\naws iam create-instance-profile --instance-profile-name {name}\n\
             aws iam add-role-to-instance-profile --instance-profile-name {name} --role-name {name}"
        );
    }
    out
}

/// `cat > FILE <<'EOF'` with `value` as pretty JSON: a quoted delimiter, so `$` stays `$`.
fn heredoc(file: &str, value: &serde_json::Value) -> String {
    let json = serde_json::to_string_pretty(value).expect("JSON serialises");
    format!("cat > {file} <<'EOF'\n{json}\nEOF")
}

/// An IAM user that stays: why and where its key lives, as comments, then the rotation as
/// commands to run, a new key first so the tool never goes without one.
pub fn iam_user(setup: &RoleSetup) -> String {
    let mut out = String::new();
    let mut line = String::from("#");
    let why = setup.wiring.strip_suffix(ROTATION).unwrap_or(&setup.wiring);
    for word in why.split_whitespace() {
        if line.len() + word.len() > 95 && line.len() > 1 {
            out += &line;
            out.push('\n');
            line = String::from("#");
        }
        line.push(' ');
        line += word;
    }
    out += &line;
    out += "\n\
        # Rotate it at most every 90 days, a new key first so the tool never goes without one:\n\
        aws iam create-access-key --user-name <USER>\n\
        # Put the new key where the old one was, then:\n\
        aws iam update-access-key --user-name <USER> --access-key-id <OLD_KEY_ID> --status Inactive\n\
        # Once nothing fails:\n\
        aws iam delete-access-key --user-name <USER> --access-key-id <OLD_KEY_ID>\n";
    out
}

/// People: the `~/.aws/config` profile `aws configure sso` writes, with `#` comments (which
/// that file allows) saying how to use it.
pub fn sso(setup: &RoleSetup) -> String {
    let profile = match setup.wiring.find(PROFILE_START) {
        Some(at) => setup.wiring[at..].to_string(),
        None => setup.wiring.clone(),
    };
    format!(
        "# People sign in through IAM Identity Center: no role to create and no key to store.\n\
         # Run `aws configure sso --profile <PROFILE>`, or add this to ~/.aws/config:\n\
         {profile}\n\
         # Then: aws sso login --profile <PROFILE>\n"
    )
}
