//! File-wide pairing through the CLI: in a small configuration file (by name, or by content
//! where the name cannot tell; at most 64 KiB) a key ID and a secret announced by their
//! keywords pair however far apart; anywhere else, or in a bigger file, only within the
//! window. The same in a tree, in history and staged.
//! (`scan_testdata` checks the realistic files: a tfstate, a properties file, a Python module.)

use serde_json::Value;

use crate::common::{scan_in, write};
use crate::git_common::{Repo, fake_key, fake_secret, git_findings};

/// The key ID near the top, its secret 30 lines further down.
fn far_apart(key: &str, secret: &str) -> String {
    let filler: String = (0..30).map(|i| format!("setting_{i} = {i}\n")).collect();
    format!("aws_access_key_id = {key}\n{filler}aws_secret_access_key = {secret}\n")
}

/// (path, risk, key ID or "-", secret or "-") per finding.
fn rows(findings: &[Value]) -> Vec<(String, String, String, String)> {
    let s = |v: &Value| v.as_str().unwrap_or("-").to_string();
    findings
        .iter()
        .map(|f| {
            (
                s(&f["path"]),
                s(&f["risk"]),
                s(&f["key_id"]),
                s(&f["secret"]),
            )
        })
        .collect()
}

fn row(path: &str, risk: &str, key: &str, secret: &str) -> (String, String, String, String) {
    (path.into(), risk.into(), key.into(), secret.into())
}

#[test]
fn configuration_files_pair_by_name_and_others_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let names = [
        ".aws/credentials",
        ".env.production",
        "MyApp/Web.config",
        "app/config.toml",
        "config",
        "deploy.sh",
        "my.cnf",
        "notes.txt",
    ];
    let creds: Vec<(String, String)> = names
        .iter()
        .map(|_| (fake_key("AKIA"), fake_secret()))
        .collect();
    for (name, (k, s)) in names.iter().zip(&creds) {
        write(dir.path(), name, far_apart(k, s));
    }
    let run = scan_in(dir.path(), &[".", "--format", "json", "--show-secrets"]);
    assert_eq!(run.code, 1);
    let mut want = Vec::new();
    for (name, (k, s)) in names.iter().zip(&creds) {
        // `config` and `notes.txt` say nothing by name; their lines are all `key = value`.
        if *name == "deploy.sh" {
            want.push(row(name, "high", k, "-"));
            want.push(row(name, "high", "-", s));
        } else {
            want.push(row(name, "critical", k, s));
        }
    }
    assert_eq!(rows(&run.findings()), want);
}

/// Where the name cannot tell (no extension, `.txt`), the content does: lines of `key=value`
/// pair file-wide, a script or notes with other lines do not. (The variables are not the SDK's
/// own names, which pair in any file: `environment_variables_pair_in_any_file`.)
#[test]
fn configuration_by_content_where_the_name_cannot_tell() {
    let dir = tempfile::tempdir().unwrap();
    let env = |k: &str, s: &str| {
        format!(
            "# EnvironmentFile\nUPLOAD_AWS_ACCESS_KEY_ID={k}\nA=1\nB=2\nC=3\nD=4\nE=5\nF=6\nUPLOAD_AWS_SECRET_ACCESS_KEY={s}\n"
        )
    };
    let creds: Vec<(String, String)> = (0..4).map(|_| (fake_key("AKIA"), fake_secret())).collect();
    let files = [
        ("etc/default/uploader", env(&creds[0].0, &creds[0].1)),
        ("handover.txt", env(&creds[1].0, &creds[1].1)),
        (
            "bin/deploy",
            env(&creds[2].0, &creds[2].1).replace("C=3", "aws s3 sync dist/ s3://b/"),
        ),
        (
            "handover-notes.txt",
            env(&creds[3].0, &creds[3].1).replace("C=3", "Ask Sam before rotating these."),
        ),
    ];
    for (name, text) in &files {
        write(dir.path(), name, text);
    }
    let run = scan_in(dir.path(), &[".", "--format", "json", "--show-secrets"]);
    let (k, s): (Vec<&str>, Vec<&str>) =
        creds.iter().map(|(k, s)| (k.as_str(), s.as_str())).unzip();
    assert_eq!(
        rows(&run.findings()),
        [
            row("bin/deploy", "high", k[2], "-"),
            row("bin/deploy", "high", "-", s[2]),
            row("etc/default/uploader", "critical", k[0], s[0]),
            row("handover-notes.txt", "high", k[3], "-"),
            row("handover-notes.txt", "high", "-", s[3]),
            row("handover.txt", "critical", k[1], s[1]),
        ]
    );
}

/// 64 KiB is small enough; one byte more and the window rules. The padding comes after the
/// secret, so the key and the secret are as far apart in both files.
#[test]
fn the_size_limit_is_64_kib() {
    let dir = tempfile::tempdir().unwrap();
    let (k1, s1, k2, s2) = (
        fake_key("AKIA"),
        fake_secret(),
        fake_key("AKIA"),
        fake_secret(),
    );
    let padded = |k: &str, s: &str, len: usize| {
        let mut text = far_apart(k, s);
        text.push_str(&"#".repeat(len - text.len() - 1));
        text.push('\n');
        assert_eq!(text.len(), len);
        text
    };
    write(dir.path(), "a.yaml", padded(&k1, &s1, 64 * 1024));
    write(dir.path(), "b.yaml", padded(&k2, &s2, 64 * 1024 + 1));
    let run = scan_in(dir.path(), &[".", "--format", "json", "--show-secrets"]);
    assert_eq!(
        rows(&run.findings()),
        [
            row("a.yaml", "critical", &k1, &s1),
            row("b.yaml", "high", &k2, "-"),
            row("b.yaml", "high", "-", &s2),
        ]
    );
}

#[test]
fn history_and_staged_blobs_pair_too() {
    let repo = Repo::new();
    let (k1, s1, k2, s2) = (
        fake_key("AKIA"),
        fake_secret(),
        fake_key("AKIA"),
        fake_secret(),
    );
    repo.write("infra/prod.tfvars", &far_apart(&k1, &s1));
    repo.commit("infra");
    let (_, history) = git_findings(repo.path(), &["--git"]);
    assert_eq!(
        rows(&history),
        [row("infra/prod.tfvars", "critical", &k1, &s1)]
    );
    repo.stage(".env", &far_apart(&k2, &s2));
    let (_, staged) = git_findings(repo.path(), &["--staged"]);
    assert_eq!(rows(&staged), [row(".env", "critical", &k2, &s2)]);
}

/// The SDK's own variables, each assigned once, are one credential in any file: a deploy
/// script, notes, a `make -p` dump in a log. A variable assigned twice pairs nothing.
#[test]
fn environment_variables_pair_in_any_file() {
    let dir = tempfile::tempdir().unwrap();
    let (k, s) = (fake_key("AKIA"), fake_secret());
    let (k2, s2) = (fake_key("AKIA"), fake_secret());
    let filler: String = (0..60)
        .map(|i| format!("# environment\nVAR_{i} = {i}\n"))
        .collect();
    write(
        dir.path(),
        "bin/deploy",
        format!(
            "#!/bin/sh\nexport AWS_ACCESS_KEY_ID={k}\n{filler}export AWS_SECRET_ACCESS_KEY={s}\naws s3 sync dist/ s3://b/\n"
        ),
    );
    write(
        dir.path(),
        "logs/make.log",
        format!(
            "AWS_ACCESS_KEY_ID = {k2}\n{filler}AWS_ACCESS_KEY_ID = {k}\n{filler}AWS_SECRET_ACCESS_KEY = {s2}\n"
        ),
    );
    let run = scan_in(dir.path(), &[".", "--format", "json", "--show-secrets"]);
    assert_eq!(
        rows(&run.findings()),
        [
            row("bin/deploy", "critical", &k, &s),
            row("logs/make.log", "high", &k2, "-"),
            row("logs/make.log", "high", &k, "-"),
            row("logs/make.log", "high", "-", &s2),
        ]
    );
}
