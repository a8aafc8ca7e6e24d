use serde_json::json;

use super::emit::{hcl, hcl_string, yaml};
use super::*;
use crate::model::role::PermissionsHint;

fn setup(
    trust: Option<serde_json::Value>,
    principal: &str,
    services: Vec<&'static str>,
) -> RoleSetup {
    RoleSetup {
        principal: Some(principal.to_string()),
        trust_policy: trust,
        wiring: "Delete the key:\n[profile <PROFILE>]\nsso_account_id = 123456789012".to_string(),
        wiring_diff: None,
        permissions_hint: PermissionsHint { services, note: "" },
        guessed: vec![],
    }
}

fn ec2() -> RoleSetup {
    let trust = crate::risk::role::service_policy(&crate::risk::role::EC2, "<ACCOUNT_ID>");
    setup(Some(trust), "ec2.amazonaws.com", vec!["dynamodb", "s3"])
}

#[test]
fn hcl_strings_never_start_a_template() {
    assert_eq!(hcl_string("a${b}%{c}\"d"), r#""a$${b}%%{c}\"d""#);
    let v = json!({"k": ["x", "y"], "o": [{"a": 1}]});
    assert_eq!(
        hcl(&v, 0, &|_| None),
        "{\n  \"k\" = [\"x\", \"y\"]\n  \"o\" = [\n    {\n      \"a\" = 1\n    },\n  ]\n}"
    );
}

#[test]
fn yaml_blocks_quote_every_string_and_odd_keys() {
    let v = json!({"A": [{"b": "x", "c:d": ["y"]}], "E": {}, "F": "yes"});
    assert_eq!(
        yaml(&v, 0, &|s| (s == "x").then(|| "!Ref X".to_string())),
        "A:\n  - b: !Ref X\n    \"c:d\":\n      - \"y\"\nE: {}\nF: \"yes\"\n"
    );
}

#[test]
fn the_shape_follows_the_trust_policy() {
    assert!(matches!(
        Shape::of(&setup(None, "IAM Identity Center", vec![])),
        Shape::People
    ));
    let Shape::Role(Plan {
        oidc,
        instance_profile,
        ..
    }) = Shape::of(&ec2())
    else {
        panic!("a role")
    };
    assert!(oidc.is_none() && instance_profile);
    let gl = crate::risk::role::oidc_policy(
        "<ACCOUNT_ID>",
        "gitlab.example.org",
        "https://gitlab.example.org",
        &["project_path:g/p:ref_type:branch:ref:main".to_string()],
    );
    let Shape::Role(Plan {
        oidc: Some(o),
        instance_profile: false,
        ..
    }) = Shape::of(&setup(Some(gl), "gitlab.example.org", vec![]))
    else {
        panic!("an OIDC role")
    };
    assert_eq!(o.url, "https://gitlab.example.org");
    assert_eq!(o.audience, "https://gitlab.example.org");
    assert_eq!(
        o.arn,
        "arn:aws:iam::<ACCOUNT_ID>:oidc-provider/gitlab.example.org"
    );
}

#[test]
fn permissions_are_one_statement_per_service_never_a_wildcard() {
    let fill = |slot: Slot, part: Part| json!(format!("{}/{part:?}", slot.prefix()));
    assert_eq!(
        permissions_policy(&ec2(), &fill)["Statement"],
        json!([
            {"Effect": "Allow", "Action": "dynamodb/Actions", "Resource": "dynamodb/Resources"},
            {"Effect": "Allow", "Action": "s3/Actions", "Resource": "s3/Resources"},
        ])
    );
    let none = permissions_policy(&setup(None, "x", vec![]), &fill);
    assert_eq!(none["Statement"][0]["Action"], "<SERVICE>/Actions");
    let out = render(&Target {
        setup: &ec2(),
        role_name: "r",
    });
    for text in [Some(out.cli), out.terraform, out.cloudformation] {
        let text = text.unwrap();
        assert!(!text.contains(":*\"") && !text.contains("\"*\""), "{text}");
        assert!(text.contains("dynamodb") && text.contains("s3"), "{text}");
    }
}

#[test]
fn role_names_say_what_and_where_in_iams_alphabet() {
    let s = ec2();
    assert_eq!(
        default_role_name(&s, "sdk_code", Some("octo/shop-api"), "src/app.py"),
        "ec2-shop-api"
    );
    assert_eq!(
        default_role_name(&s, "sdk_code", None, "src/my app.py"),
        "ec2-my-app"
    );
    let gh = setup(None, "token.actions.githubusercontent.com", vec![]);
    assert_eq!(
        default_role_name(&gh, "github_actions", None, ".github/workflows/deploy.yml"),
        "github-actions-deploy"
    );
    let long = "x".repeat(100);
    assert_eq!(default_role_name(&s, "c", Some(&long), "f").len(), 64);
}

#[test]
fn people_get_the_sso_profile_and_no_templates() {
    let s = setup(None, "IAM Identity Center", vec![]);
    let out = render(&Target {
        setup: &s,
        role_name: "r",
    });
    assert_eq!(out.terraform, None);
    assert_eq!(out.cloudformation, None);
    assert!(
        out.cli
            .contains("\n[profile <PROFILE>]\nsso_account_id = 123456789012\n"),
        "{}",
        out.cli
    );
    assert!(!out.cli.contains("Delete the key:"));
}
