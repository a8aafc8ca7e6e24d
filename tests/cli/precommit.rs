//! The pre-commit framework hook, end to end with the real `pre-commit` tool: a throwaway
//! hook repository holding this checkout's sources, project repositories that install the
//! hook, and real `git commit`s and `pre-commit run --all-files` / `--files` runs that it must
//! fail or let through. The hook is built (with cargo, inside pre-commit, as a user's first
//! run does) once per test run, in a pre-commit home every test shares.
//!
//! `scripts/test.sh` installs `pre-commit` and sets `KEYLEAK_REQUIRE_PRECOMMIT=1`, so in CI a
//! missing tool fails the test instead of skipping it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const KEY: &str = "AKIAUJZDEGXDNCF32EPF";
const SECRET: &str = "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";

/// Runs a command in `dir` with `PRE_COMMIT_HOME` set, so the hook is built once per test run
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

/// The hook repository (this checkout's sources, committed) and the pre-commit home where the
/// hook is installed.
struct HookRepo {
    home: PathBuf,
    repo: PathBuf,
    rev: String,
}

/// The hook repository, set up and installed by the first test to ask; `None` (the test is
/// skipped) when pre-commit is not installed. It lives in cargo's scratch directory for
/// integration tests, emptied at the start of each run.
fn hook_repo() -> Option<&'static HookRepo> {
    if !pre_commit_installed() {
        assert!(
            std::env::var_os("KEYLEAK_REQUIRE_PRECOMMIT").is_none(),
            "pre-commit is required here (scripts/test.sh installs it)"
        );
        eprintln!("skipped: pre-commit is not installed (./scripts/test.sh installs it)");
        return None;
    }
    static HOOK: OnceLock<HookRepo> = OnceLock::new();
    Some(HOOK.get_or_init(|| {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("precommit");
        let _ = std::fs::remove_dir_all(&base);
        let home = base.join("pre-commit-home");
        let repo = base.join("hook");
        git_init(&repo, &home);
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for item in ["Cargo.toml", "Cargo.lock", ".pre-commit-hooks.yaml", "src"] {
            ok(root, &home, "cp", &["-R", item, repo.to_str().unwrap()]);
        }
        ok(&repo, &home, "git", &["add", "-A"]);
        ok(
            &repo,
            &home,
            "git",
            &["commit", "-q", "-m", "hook snapshot"],
        );
        let rev = String::from_utf8(ok(&repo, &home, "git", &["rev-parse", "HEAD"]).stdout);
        let hook = HookRepo {
            home,
            repo,
            rev: rev.unwrap().trim().to_string(),
        };
        // Built here, once, so the tests that follow only reuse it.
        let _warm_up = Project::new(&hook, &base.join("warm-up"));
        hook
    }))
}

/// A project repository that installs the hook exactly as a user would.
struct Project {
    dir: PathBuf,
    home: PathBuf,
}

impl Project {
    fn new(hook: &HookRepo, dir: &Path) -> Project {
        let home = hook.home.clone();
        git_init(dir, &home);
        let config = format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: keyleak\n",
            hook.repo.display(),
            hook.rev
        );
        std::fs::write(dir.join(".pre-commit-config.yaml"), config).unwrap();
        ok(dir, &home, "pre-commit", &["install"]);
        ok(dir, &home, "pre-commit", &["install-hooks"]);
        ok(dir, &home, "git", &["add", ".pre-commit-config.yaml"]);
        Project {
            dir: dir.to_path_buf(),
            home,
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        run(&self.dir, &self.home, program, args)
    }

    /// Writes `file`, stages it and runs `git commit` (with the hook unless `verify` is false).
    fn commit(&self, file: &str, content: &str, verify: bool) -> Output {
        std::fs::write(self.dir.join(file), content).unwrap();
        ok(&self.dir, &self.home, "git", &["add", "-f", file]);
        let subject = format!("add {file}");
        let mut args = vec!["commit", "-m", &subject];
        if !verify {
            args.push("--no-verify");
        }
        self.run("git", &args)
    }

    fn head_subject(&self) -> String {
        let log = ok(&self.dir, &self.home, "git", &["log", "-1", "--format=%s"]);
        String::from_utf8(log.stdout).unwrap().trim().to_string()
    }
}

fn key_pair() -> String {
    format!("AWS_ACCESS_KEY_ID={KEY}\nAWS_SECRET_ACCESS_KEY={SECRET}\n")
}

/// Asserts that a failed hook run reported the key pair in `deploy.env` as a human report,
/// without the secret.
fn assert_reports_the_leak(out: &Output) {
    let shown = text(out);
    assert!(!out.status.success(), "the hook passed: {shown}");
    assert!(shown.contains("keyleak (hardcoded AWS keys)"), "{shown}");
    assert!(
        shown
            .contains("critical: long-term AWS access key with its secret\n --> deploy.env:1:19\n"),
        "{shown}"
    );
    assert!(shown.contains(KEY), "{shown}");
    assert!(
        !shown.contains(SECRET),
        "the hook printed the secret: {shown}"
    );
}

/// Asserts that a hook run passed without a word from keyleak.
fn assert_passes_silently(out: &Output) {
    let shown = text(out);
    assert!(out.status.success(), "the hook failed: {shown}");
    assert!(shown.contains("Passed"), "{shown}");
    for report in ["summary:", "scanned", "critical", "info:"] {
        assert!(
            !shown.contains(report),
            "keyleak printed {report:?}: {shown}"
        );
    }
}

#[test]
fn pre_commit_framework_blocks_a_staged_key_pair() {
    let Some(hook) = hook_repo() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let project = Project::new(hook, &tmp.path().join("project"));

    let clean = project.commit("README.md", "# project\n\nNothing secret here.\n", true);
    assert_passes_silently(&clean);

    let docs = project.commit(
        "aws.md",
        "From the AWS docs:\n\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
         aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        true,
    );
    assert!(
        docs.status.success(),
        "doc example blocked: {}",
        text(&docs)
    );

    let leak = project.commit("deploy.env", &key_pair(), true);
    assert_reports_the_leak(&leak);
    assert_eq!(
        project.head_subject(),
        "add aws.md",
        "HEAD moved past the blocked commit"
    );
}

#[test]
fn pre_commit_run_checks_committed_files() {
    let Some(hook) = hook_repo() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let project = Project::new(hook, &tmp.path().join("project"));
    let clean = project.commit("clean.txt", "nothing secret here\n", true);
    assert!(clean.status.success(), "{}", text(&clean));
    // Committed past the hook, as before the hook was installed; listed in .gitignore too,
    // which does not hide a file git tracks.
    std::fs::write(project.dir.join(".gitignore"), "deploy.env\n").unwrap();
    ok(&project.dir, &project.home, "git", &["add", ".gitignore"]);
    let leak = project.commit("deploy.env", &key_pair(), false);
    assert!(leak.status.success(), "{}", text(&leak));

    assert_reports_the_leak(&project.run("pre-commit", &["run", "--all-files"]));
    assert_reports_the_leak(&project.run("pre-commit", &["run", "--files", "deploy.env"]));
    assert_passes_silently(&project.run("pre-commit", &["run", "--files", "clean.txt"]));
}

#[test]
fn each_run_of_a_split_file_list_stands_on_its_own() {
    let Some(hook) = hook_repo() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let project = Project::new(hook, &tmp.path().join("project"));
    // pre-commit passes at most 128 KiB of file names to one run: these need two or more.
    let names: Vec<String> = (0..1200)
        .map(|i| format!("clean-{}-{i:04}.txt", "x".repeat(120)))
        .collect();
    assert!(names.iter().map(|n| n.len() + 1).sum::<usize>() > 1 << 17);
    for name in &names {
        std::fs::write(project.dir.join(name), "nothing secret here\n").unwrap();
    }
    std::fs::write(project.dir.join("deploy.env"), key_pair()).unwrap();
    ok(&project.dir, &project.home, "git", &["add", "-A"]);

    let out = project.run("pre-commit", &["run", "--all-files"]);
    assert_reports_the_leak(&out);
    // Only the run given deploy.env printed a report: a clean run's summary would read as the
    // verdict on all the files.
    let shown = text(&out);
    assert_eq!(shown.matches("summary:").count(), 1, "{shown}");
    assert!(shown.contains("summary: 1 finding: 1 critical"), "{shown}");
    let scanned = shown.lines().find(|l| l.starts_with("scanned ")).unwrap();
    let files: usize = scanned.split(' ').nth(1).unwrap().parse().unwrap();
    assert!(
        files < names.len(),
        "one run was given every file: {scanned}"
    );
}

/// A tracked file named like an option is a file to scan, never an option: without the hook's
/// `--`, `--show-secrets` would print the secret of every file and `-x` would stop the run.
#[test]
fn file_names_that_look_like_options_are_files() {
    let Some(hook) = hook_repo() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let project = Project::new(hook, &tmp.path().join("project"));
    for name in ["--show-secrets", "-x", "deploy.env"] {
        std::fs::write(project.dir.join(name), key_pair()).unwrap();
    }
    ok(&project.dir, &project.home, "git", &["add", "-A"]);

    let out = project.run("pre-commit", &["run", "--all-files"]);
    assert_reports_the_leak(&out);
    let shown = text(&out);
    for name in ["--show-secrets", "-x"] {
        assert!(
            shown.contains(&format!(" --> {name}:1:19\n")),
            "{name} not scanned: {shown}"
        );
    }
    assert!(shown.contains("summary: 3 findings: 3 critical"), "{shown}");
}
