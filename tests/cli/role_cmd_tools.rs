//! The snippets of `keyleak role` read by the tools that use them: every CloudFormation
//! template passes `cfn-lint`, every Terraform snippet parses with `python-hcl2`, and every
//! trust policy the AWS CLI form writes is accepted by moto's IAM. `scripts/test.sh` installs
//! them and sets `KEYLEAK_REQUIRE_IAC_TOOLS=1` and `KEYLEAK_REQUIRE_MOTO=1`, so there a missing
//! tool fails instead of skipping.

use std::process::Command;

use serde_json::Value;

use crate::common::tool_runs;
use crate::role_cmd::{USER_DATA, heredoc, repo, role};
use crate::role_setup::key_pair;
use crate::verify_moto::Moto;

/// Whether `program ARGS` runs (cfn-lint, python-hcl2's module).
fn have(program: &str, args: &[&str]) -> bool {
    tool_runs(
        program,
        args,
        "KEYLEAK_REQUIRE_IAC_TOOLS",
        "cfn-lint and python-hcl2",
    )
}

const TARGETS: [&str; 5] = [
    ".github/workflows/deploy.yml",
    "template.yaml",
    "ecs/task-definition.json",
    "deploy/app.yaml",
    USER_DATA,
];

#[test]
fn every_cloudformation_template_passes_cfn_lint() {
    if !have("cfn-lint", &["--version"]) {
        return;
    }
    let (key, secret, _) = key_pair();
    let repo = repo(&key, &secret);
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, target) in TARGETS.iter().enumerate() {
        let run = role(repo.path(), &[target, "--only", "cloudformation"]);
        assert_eq!(run.code, 0, "{target}: {}", run.stderr);
        let path = dir.path().join(format!("{i}.yaml"));
        std::fs::write(&path, &run.stdout).unwrap();
        paths.push(path);
    }
    let out = Command::new("cfn-lint").args(&paths).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The check is real: a placeholder ARN, as the CLI form writes it, is refused.
    let bad = std::fs::read_to_string(&paths[1])
        .unwrap()
        .replace("!Ref S3Resources", "\"<RESOURCE_ARN>\"");
    std::fs::write(&paths[1], bad).unwrap();
    let out = Command::new("cfn-lint").arg(&paths[1]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("E3510"),
        "{out:?}"
    );
}

#[test]
fn every_terraform_snippet_parses_with_python_hcl2() {
    if !have("python3", &["-c", "import hcl2"]) {
        return;
    }
    let (key, secret, _) = key_pair();
    let repo = repo(&key, &secret);
    let parse = "import hcl2, json, sys\ntry:\n    print(json.dumps(hcl2.load(sys.stdin)))\nexcept Exception as e:\n    sys.exit(f'{type(e).__name__}: {e}')";
    let types = |tf: &str| -> Result<Vec<String>, String> {
        let mut cmd = assert_cmd::Command::new("python3");
        let out = cmd
            .args(["-c", parse])
            .write_stdin(tf.to_string())
            .output()
            .unwrap();
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let resources = doc["resource"].as_array().unwrap();
        Ok(resources
            .iter()
            .flat_map(|r| {
                r.as_object()
                    .unwrap()
                    .keys()
                    .map(|k| k.trim_matches('"').to_string())
            })
            .collect())
    };
    for target in TARGETS {
        let run = role(repo.path(), &[target, "--only", "terraform"]);
        assert_eq!(run.code, 0, "{target}: {}", run.stderr);
        let mut want = vec!["aws_iam_role", "aws_iam_role_policy"];
        if target.starts_with(".github") {
            want.insert(0, "aws_iam_openid_connect_provider");
        }
        if target == USER_DATA {
            want.push("aws_iam_instance_profile");
        }
        assert_eq!(
            types(&run.stdout),
            Ok(want.iter().map(|s| s.to_string()).collect()),
            "{target}"
        );
    }
    // The check is real: a broken brace does not parse.
    assert!(types("resource \"aws_iam_role\" \"x\" {\n  name = \"x\"\n").is_err());
}

#[test]
fn the_cli_trust_policies_are_accepted_by_moto_iam() {
    let Some(moto) = Moto::start_open() else {
        return;
    };
    let (key, secret, _) = key_pair();
    let repo = repo(&key, &secret);
    for (i, target) in TARGETS.iter().enumerate() {
        let run = role(repo.path(), &[target, "--only", "cli"]);
        assert_eq!(run.code, 0, "{target}: {}", run.stderr);
        let trust = heredoc(&run.stdout, "trust.json");
        let got = moto.helper(&["trust", &format!("keyleak-cmd-{i}"), &trust.to_string()]);
        assert_eq!(got["policy"], trust, "{target}");
    }
}
