//! Adopting keyleak in a repository that already leaked: `.keyleak.toml` (allowed paths and
//! key IDs, placeholders, fail_on, errors naming the line), baselines, and the plain git hook
//! from `keyleak install-hook`.

use std::path::Path;
use std::process::Command;

use crate::common::{Run, scan_in, write};

const OLD: &str = "AKIAVRUVS7NI7XTJWVMC";
const OLD_SECRET: &str = "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";
const NEW: &str = "AKIAUJZDEGXDNCF32EPF";
const NEW_SECRET: &str = "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";

fn pair(key: &str, secret: &str) -> String {
    format!("AWS_ACCESS_KEY_ID={key}\nAWS_SECRET_ACCESS_KEY={secret}\n")
}

fn keys(run: &Run) -> Vec<(String, String, String)> {
    run.findings()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("path"), s("key_id"), s("risk"))
        })
        .collect()
}

#[test]
fn config_allows_paths_and_key_ids_and_sets_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "fixtures/old.env", pair(OLD, OLD_SECRET));
    write(d, "app/prod.env", pair(NEW, NEW_SECRET));
    write(
        d,
        "app/notes.txt",
        format!("retired: {OLD}\ntemplate: AKIA2BCDEFGH3JKLMN4P\n"),
    );
    let all = scan_in(d, &["--format", "json", "--no-config"]);
    assert_eq!(all.findings().len(), 4, "{}", all.stdout);

    write(
        d,
        ".keyleak.toml",
        "# adopted 2026-11\nplaceholders = [\"AKIA2BCDEFGH3JKLMN4P\"]\n[allow]\npaths = [\"fixtures/**\"]\nkey_ids = [\"AKIAVRUVS7NI7XTJWVMC\"]\n",
    );
    let run = scan_in(d, &["--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        keys(&run),
        [
            (
                "app/notes.txt".into(),
                "AKIA2BCDEFGH3JKLMN4P".into(),
                "info".into()
            ),
            ("app/prod.env".into(), NEW.into(), "critical".into()),
        ]
    );
    let suppressed = &run.json()["summary"]["suppressed"];
    // key_id: OLD in notes.txt, plus the two IDs .keyleak.toml itself lists.
    assert_eq!(
        (suppressed["path"].as_u64(), suppressed["key_id"].as_u64()),
        (Some(1), Some(3))
    );

    // fail_on from the file; the command line wins over it.
    std::fs::write(d.join(".keyleak.toml"), "fail_on = \"never\"\n").unwrap();
    assert_eq!(scan_in(d, &["--format", "json"]).code, 0);
    assert_eq!(
        scan_in(d, &["--format", "json", "--fail-on", "critical"]).code,
        1
    );
    // --config FILE names another file.
    write(
        d,
        "ci/keyleak.toml",
        "[allow]\npaths = [\"app/**\", \"fixtures/**\"]\n",
    );
    let run = scan_in(d, &["--format", "json", "--config", "ci/keyleak.toml"]);
    assert_eq!((run.code, run.findings().len()), (0, 0), "{}", run.stdout);
}

#[test]
fn bad_config_is_an_error_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.env", pair(NEW, NEW_SECRET));
    for (text, line) in [
        ("fail_on = \"low\"\n\n[allow]\nglobs = [\"x\"]\n", 4),
        ("fail_on = \"sometimes\"\n", 1),
        ("\nplaceholders = [\"AKIA0000\"]\n", 2),
    ] {
        std::fs::write(d.join(".keyleak.toml"), text).unwrap();
        let run = scan_in(d, &[]);
        assert_eq!(run.code, 2, "{text}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(".keyleak.toml:{line}:")),
            "{text}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn baseline_suppresses_exactly_what_it_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "legacy/old.env", pair(OLD, OLD_SECRET));
    let out = d.join("keyleak-baseline.json");
    let first = scan_in(d, &["--no-config", "--baseline-out", out.to_str().unwrap()]);
    assert_eq!(first.code, 1, "the run that records still reports");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("legacy/old.env"), "{text}");
    assert!(
        !text.contains(OLD_SECRET) && !text.contains(OLD),
        "baseline holds no secret or key: {text}"
    );

    // Lines move: the fingerprint leaves the line out, so the old key stays suppressed.
    write(
        d,
        "legacy/old.env",
        format!("# moved down\n\n{}", pair(OLD, OLD_SECRET)),
    );
    let base = [
        "--no-config",
        "--format",
        "json",
        "--baseline",
        out.to_str().unwrap(),
    ];
    let run = scan_in(d, &base);
    assert_eq!((run.code, run.findings().len()), (0, 0), "{}", run.stdout);
    assert_eq!(run.json()["summary"]["suppressed"]["baseline"], 1);

    // A new key still fails.
    write(d, "app/new.env", pair(NEW, NEW_SECRET));
    let run = scan_in(d, &base);
    assert_eq!(run.code, 1);
    assert_eq!(
        keys(&run),
        [("app/new.env".into(), NEW.into(), "critical".into())]
    );

    let bad = d.join("bad.json");
    std::fs::write(&bad, "{\"not\": 1}").unwrap();
    let run = scan_in(d, &["--baseline", bad.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_SYSTEM", "/dev/null")
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap()
}

fn install(dir: &Path, extra: &[&str]) -> Run {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_keyleak"));
    cmd.current_dir(dir).arg("install-hook").args(extra);
    crate::common::finish(&mut cmd)
}

#[test]
fn install_hook_blocks_commits_and_respects_other_hooks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(git(d, &["init", "-q"]).status.success());
    let run = install(d, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let hook = d.join(".git/hooks/pre-commit");
    assert!(
        std::fs::read_to_string(&hook)
            .unwrap()
            .contains("scan --staged")
    );

    write(d, "ok.txt", "hello\n");
    assert!(git(d, &["add", "ok.txt"]).status.success());
    assert!(git(d, &["commit", "-qm", "ok"]).status.success());
    write(d, "prod.env", pair(NEW, NEW_SECRET));
    assert!(git(d, &["add", "prod.env"]).status.success());
    let blocked = git(d, &["commit", "-qm", "leak"]);
    assert!(!blocked.status.success(), "the hook let a key pair through");
    // git shows a hook's output on its stderr.
    assert!(
        String::from_utf8_lossy(&blocked.stderr).contains(NEW),
        "{blocked:?}"
    );

    // Reinstalling over its own hook is fine; over someone else's it needs --force.
    assert_eq!(install(d, &[]).code, 0);
    std::fs::write(&hook, "#!/bin/sh\necho theirs\n").unwrap();
    let refused = install(d, &[]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\necho theirs\n"
    );
    assert_eq!(install(d, &["--force"]).code, 0);

    // core.hooksPath is honoured.
    assert!(
        git(d, &["config", "core.hooksPath", "githooks"])
            .status
            .success()
    );
    assert_eq!(install(d, &[]).code, 0);
    assert!(d.join("githooks/pre-commit").is_file());

    let not_repo = tempfile::tempdir().unwrap();
    assert_eq!(install(not_repo.path(), &[]).code, 2);
}

/// A SHA-256 repository, which libgit2 cannot open: git itself says where its hooks go, and
/// the hook installed there blocks a staged key pair (`--staged` reads it through git).
#[test]
fn install_hook_in_a_sha256_repository() {
    let Some(repo) = crate::git_common::Repo::sha256() else {
        return;
    };
    let run = install(repo.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let hook = repo.path().join(".git/hooks/pre-commit");
    assert!(
        std::fs::read_to_string(&hook)
            .unwrap()
            .contains("scan --staged")
    );
    repo.write("prod.env", &pair(NEW, NEW_SECRET));
    repo.git(&["add", "prod.env"]);
    let blocked = git(repo.path(), &["commit", "-qm", "leak"]);
    assert!(!blocked.status.success(), "the hook let a key pair through");
    assert!(
        String::from_utf8_lossy(&blocked.stderr).contains(NEW),
        "{blocked:?}"
    );
}
