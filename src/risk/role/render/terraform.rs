//! The setup as Terraform (AWS provider): `aws_iam_role` with its trust policy through
//! `jsonencode`, `aws_iam_role_policy` for the permissions, and where the setup needs them
//! `aws_iam_openid_connect_provider` (the trust policy then refers to it) and
//! `aws_iam_instance_profile`.

use std::fmt::Write;

use super::emit::{hcl, hcl_string};
use super::{PERMISSIONS_NOTE, Plan, Target, permissions_policy};

/// The resources for `target`.
pub fn render(target: &Target<'_>, plan: &Plan<'_>) -> String {
    let label = label(target.role_name);
    let name = hcl_string(target.role_name);
    let mut out = String::new();
    let provider_ref = format!("aws_iam_openid_connect_provider.{label}.arn");
    if let Some(oidc) = &plan.oidc {
        let _ = writeln!(
            out,
            "# Once per account: if the account has this provider already, import it \
             (terraform import) or use its ARN.\n\
             resource \"aws_iam_openid_connect_provider\" \"{label}\" {{\n  \
             url            = {}\n  client_id_list = [{}]\n}}\n",
            hcl_string(&oidc.url),
            hcl_string(&oidc.audience)
        );
    }
    let arn = plan.oidc.as_ref().map(|o| o.arn.as_str());
    let raw = |s: &str| (Some(s) == arn).then(|| provider_ref.clone());
    let _ = writeln!(
        out,
        "resource \"aws_iam_role\" \"{label}\" {{\n  name = {name}\n  \
         assume_role_policy = jsonencode({})\n}}\n",
        hcl(plan.trust, 2, &raw)
    );
    let _ = writeln!(
        out,
        "{PERMISSIONS_NOTE}\n\
         resource \"aws_iam_role_policy\" \"{label}\" {{\n  \
         name   = {}\n  role   = aws_iam_role.{label}.id\n  policy = jsonencode({})\n}}",
        hcl_string(&format!("{}-permissions", target.role_name)),
        hcl(&permissions_policy(target.setup), 2, &|_| None)
    );
    if plan.instance_profile {
        let _ = writeln!(
            out,
            "\nresource \"aws_iam_instance_profile\" \"{label}\" {{\n  name = {name}\n  \
             role = aws_iam_role.{label}.name\n}}"
        );
    }
    out
}

/// A resource label from the role name: letters, digits and `_`.
fn label(role_name: &str) -> String {
    role_name
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c,
            false => '_',
        })
        .collect()
}
