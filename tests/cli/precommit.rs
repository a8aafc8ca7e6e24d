//! The pre-commit framework hook, end to end with the real `pre-commit` tool: a throwaway
//! hook repository holding this checkout's sources, a project repository that installs the
//! hook, and real `git commit`s that it must block or let through.
//!
//! `scripts/test.sh` installs `pre-commit` and sets `KEYLEAK_REQUIRE_PRECOMMIT=1`, so in CI a
//! missing tool fails the test instead of skipping it.

use std::path::Path;
use std::process::{Command, Output};

const KEY: &str = "AKIAUJZDEGXDNCF32EPF";
const SECRET: &str = "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";

/// Runs a command in `dir` with `PRE_COMMIT_HOME` set, so the hook is built once per test
/// and never touches the user's cache.
fn run(dir: &Path, home: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", home)
        // A quicker release build of the hook: this test checks behaviour, not speed.
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"))
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn ok(dir: &Path, home: &Path, program: &str, args: &[&str]) -> Output {
    let out = run(dir, home, program, args);
    assert!(out.status.success(), "{program} {args:?}: {}", text(&out));
    out
}

fn git_init(dir: &Path, home: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    ok(dir, home, "git", &["init", "-q", "-b", "main"]);
    ok(dir, home, "git", &["config", "user.name", "Test"]);
    ok(
        dir,
        home,
        "git",
        &["config", "user.email", "test@example.com"],
    );
    ok(dir, home, "git", &["config", "commit.gpgsign", "false"]);
}

fn pre_commit_installed() -> bool {
    Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn pre_commit_framework_blocks_a_staged_key_pair() {
    if !pre_commit_installed() {
        assert!(
            std::env::var_os("KEYLEAK_REQUIRE_PRECOMMIT").is_none(),
            "pre-commit is required here (scripts/test.sh installs it)"
        );
        eprintln!("skipped: pre-commit is not installed (./scripts/test.sh installs it)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("pre-commit-home");
    let hooks = tmp.path().join("hook");
    let project = tmp.path().join("project");

    // The hook repository: this checkout's sources, committed.
    git_init(&hooks, &home);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for item in ["Cargo.toml", "Cargo.lock", ".pre-commit-hooks.yaml", "src"] {
        ok(root, &home, "cp", &["-R", item, hooks.to_str().unwrap()]);
    }
    ok(&hooks, &home, "git", &["add", "-A"]);
    ok(
        &hooks,
        &home,
        "git",
        &["commit", "-q", "-m", "hook snapshot"],
    );
    let rev = String::from_utf8(ok(&hooks, &home, "git", &["rev-parse", "HEAD"]).stdout).unwrap();

    // The project: installs the hook exactly as a user would.
    git_init(&project, &home);
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: keyleak\n",
        hooks.display(),
        rev.trim()
    );
    std::fs::write(project.join(".pre-commit-config.yaml"), config).unwrap();
    ok(&project, &home, "pre-commit", &["install"]);
    ok(&project, &home, "pre-commit", &["install-hooks"]);
    ok(&project, &home, "git", &["add", ".pre-commit-config.yaml"]);
    let commit = |file: &str, content: &str| {
        std::fs::write(project.join(file), content).unwrap();
        ok(&project, &home, "git", &["add", file]);
        run(
            &project,
            &home,
            "git",
            &["commit", "-q", "-m", &format!("add {file}")],
        )
    };

    let clean = commit("README.md", "# project\n\nNothing secret here.\n");
    assert!(
        clean.status.success(),
        "clean commit blocked: {}",
        text(&clean)
    );

    let docs = commit(
        "aws.md",
        "From the AWS docs:\n\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
         aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    assert!(
        docs.status.success(),
        "doc example blocked: {}",
        text(&docs)
    );

    let leak = commit(
        "deploy.env",
        &format!("AWS_ACCESS_KEY_ID={KEY}\nAWS_SECRET_ACCESS_KEY={SECRET}\n"),
    );
    let shown = text(&leak);
    assert!(!leak.status.success(), "leak committed: {shown}");
    assert!(shown.contains(KEY) && shown.contains("critical"), "{shown}");
    assert!(
        !shown.contains(SECRET),
        "the hook printed the secret: {shown}"
    );
    let log =
        String::from_utf8(ok(&project, &home, "git", &["log", "--format=%s"]).stdout).unwrap();
    assert_eq!(
        log.lines().next(),
        Some("add aws.md"),
        "HEAD moved past the blocked commit"
    );
}
