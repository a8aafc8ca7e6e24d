//! File-wide pairing through the CLI: in a small configuration file (by name, at most 64 KiB)
//! a key ID and a secret announced by their keywords pair however far apart; anywhere else,
//! or in a bigger file, only within the window. The same in a tree, in history and staged.
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
        "app/config.toml",
        "config",
        "deploy.sh",
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
        if matches!(*name, "config" | "deploy.sh" | "notes.txt") {
            want.push(row(name, "high", k, "-"));
            want.push(row(name, "high", "-", s));
        } else {
            want.push(row(name, "critical", k, s));
        }
    }
    assert_eq!(rows(&run.findings()), want);
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
