//! The snippets of `keyleak role` read by the tools that use them: every CloudFormation
//! template passes `cfn-lint`, every Terraform snippet parses with `python-hcl2`, and every
//! AWS CLI script runs, as pasted, against moto's IAM (`aws_cli_shim.py` standing in for
//! `aws`). `scripts/test.sh` installs them and sets `KEYLEAK_REQUIRE_IAC_TOOLS=1` and `KEYLEAK_REQUIRE_MOTO=1`, so there a missing
//! tool fails instead of skipping.

use std::process::Command;

use std::path::Path;

use serde_json::{Value, json};

use crate::common::{ROOT, Run, tool_runs};
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
    // And a key whose account is not encoded: `!Ref AWS::AccountId` in its place.
    let old_key = format!("AKIAI{}", &key[5..]);
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for key in [&key, &old_key] {
        let repo = repo(key, &secret);
        for target in TARGETS {
            let run = role(repo.path(), &[target, "--only", "cloudformation"]);
            assert_eq!(run.code, 0, "{target}: {}", run.stderr);
            let path = dir.path().join(format!("{}.yaml", paths.len()));
            std::fs::write(&path, &run.stdout).unwrap();
            paths.push(path);
        }
    }
    let joined: String = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(joined.contains("!Ref AWS::AccountId"), "{joined}");
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

/// Runs `script` with bash in a new directory, `aws` being `aws_cli_shim.py` against `moto`.
fn run_with_aws(moto: &Moto, script: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let shim = Path::new(ROOT).join("tests/cli/aws_cli_shim.py");
    let aws = bin.join("aws");
    std::fs::write(
        &aws,
        format!("#!/bin/sh\nexec python3 '{}' \"$@\"\n", shim.display()),
    )
    .unwrap();
    std::fs::set_permissions(&aws, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(dir.path())
        .env("PATH", path)
        .env("KEYLEAK_MOTO_ENDPOINT", moto.endpoint())
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn the_cli_commands_run_as_pasted_against_moto_iam() {
    let Some(moto) = Moto::start_open() else {
        return;
    };
    let (key, secret, _) = key_pair();
    let repo = repo(&key, &secret);
    for (i, target) in TARGETS.iter().enumerate() {
        let name = format!("keyleak-cmd-{i}");
        let run = role(
            repo.path(),
            &[target, "--only", "cli", "--role-name", &name],
        );
        assert_eq!(run.code, 0, "{target}: {}", run.stderr);
        // As written, IAM refuses the permissions: a placeholder is no ARN. (Once: each run
        // of the shim starts python and boto3.)
        if i == 0 {
            let unedited = run_with_aws(&moto, &run.stdout);
            assert_eq!(unedited.code, 1, "{target}: {unedited:?}");
            assert!(
                unedited
                    .stderr
                    .contains("aws iam put-role-policy: MalformedPolicyDocument"),
                "{target}: {}",
                unedited.stderr
            );
        }
        // Named as someone pasting would, all of it runs (the role exists already: a new name).
        let named = format!("{name}-named");
        let script = run
            .stdout
            .replace(&name, &named)
            .replace("<SERVICE>", "s3")
            .replace("<ACTION>", "GetObject")
            .replace("<RESOURCE_ARN>", "arn:aws:s3:::shop-api/*")
            // GitHub's provider was made by the unedited run: once per account.
            .replace("aws iam create-open-id-connect-provider", "true");
        let edited = run_with_aws(&moto, &script);
        assert_eq!(edited.code, 0, "{target}: {}", edited.stderr);
        let check = format!(
            "aws iam get-role --role-name {named}\n\
             aws iam get-role-policy --role-name {named} --policy-name {named}-permissions\n\
             aws iam list-instance-profiles-for-role --role-name {named}\n"
        );
        let got = run_with_aws(&moto, &check);
        assert_eq!(got.code, 0, "{target}: {}", got.stderr);
        let answers: Vec<Value> = got
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let trust = heredoc(&run.stdout, "trust.json");
        assert_eq!(
            answers[0]["Role"]["AssumeRolePolicyDocument"], trust,
            "{target}"
        );
        assert_eq!(
            answers[1]["PolicyDocument"]["Statement"][0]["Resource"],
            json!(["arn:aws:s3:::shop-api/*"])
        );
        let profiles: Vec<&str> = answers[2]["InstanceProfiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["InstanceProfileName"].as_str().unwrap())
            .collect();
        let want: &[&str] = match *target == USER_DATA {
            true => &[named.as_str()],
            false => &[],
        };
        assert_eq!(profiles, want, "{target}");
    }
}
