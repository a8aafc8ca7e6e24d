//! The setup as Terraform (AWS provider): `aws_iam_role` with its trust policy through
//! `jsonencode`, `aws_iam_role_policy` for the permissions, and where the setup needs them
//! `aws_iam_openid_connect_provider` (the trust policy then refers to it) and
//! `aws_iam_instance_profile`.
//!
//! The permissions' actions and resources are variables without defaults, as CloudFormation's
//! are parameters: `terraform plan` asks for them, so nothing is granted before they are named.

use std::fmt::Write;

use serde_json::json;

use super::emit::{EXPR, hcl, hcl_string};
use super::{Part, Plan, Slot, Target, permissions_policy, slots};

/// The resources for `target`.
pub fn render(target: &Target<'_>, plan: &Plan<'_>) -> String {
    let label = label(target.role_name);
    let name = hcl_string(target.role_name);
    let mut out = String::new();
    let variable = |slot: Slot, part: Part| {
        let service = slot
            .service
            .map(|s| format!("{}_", self::label(s)))
            .unwrap_or_default();
        format!("{label}_{service}{}", format!("{part:?}").to_lowercase())
    };
    for slot in slots(target.setup) {
        for part in [Part::Actions, Part::Resources] {
            let _ = writeln!(
                out,
                "variable \"{}\" {{\n  description = {}\n  type        = list(string)\n}}\n",
                variable(slot, part),
                hcl_string(&format!("Permissions: {}", slot.doc(part)))
            );
        }
    }
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
        "resource \"aws_iam_role_policy\" \"{label}\" {{\n  \
         name   = {}\n  role   = aws_iam_role.{label}.id\n  policy = jsonencode({})\n}}",
        hcl_string(&format!("{}-permissions", target.role_name)),
        hcl(
            &permissions_policy(target.setup, &|slot, part| {
                json!(format!("{EXPR}var.{}", variable(slot, part)))
            }),
            2,
            &|_| None
        )
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
