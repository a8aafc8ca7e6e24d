//! `scan --staged`: what the next commit would add, read from the index.

use std::path::Path;

use crate::common::Run;

use crate::git_common::{
    Repo, env_file, fake_key, fake_secret, git_findings, git_in, keyleak, keyleak_env, now,
};

#[test]
fn a_staged_key_is_found_and_an_unstaged_one_is_not() {
    let repo = Repo::new();
    repo.first_commit();
    let (staged, unstaged) = (fake_key("AKIA"), fake_key("AKIA"));
    repo.stage("staged.env", &env_file(&staged, &fake_secret()));
    // Working-tree only: never added.
    repo.write("unstaged.env", &env_file(&unstaged, &fake_secret()));
    let (run, findings) = git_findings(repo.path(), &["--staged"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["key_id"], staged.as_str());
    assert_eq!(findings[0]["path"], "staged.env");
    assert!(
        findings[0].get("commit").is_none(),
        "staged findings have no commit"
    );
    assert_eq!(run.json()["summary"]["scanned_blobs"], 1);
}

#[test]
fn the_staged_blob_is_read_not_the_working_file() {
    let repo = Repo::new();
    repo.first_commit();
    let key = fake_key("AKIA");
    repo.stage("app.env", &env_file(&key, &fake_secret()));
    // Cleaned in the working tree, but the index still holds the key: the commit would too.
    repo.write("app.env", "AWS_PROFILE=dev\n");
    let (_, findings) = git_findings(repo.path(), &["--staged"]);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["key_id"], key.as_str());

    // The other way round: a key only in the working copy of a staged clean file.
    let repo = Repo::new();
    repo.stage("app.env", "AWS_PROFILE=dev\n");
    repo.write("app.env", &env_file(&fake_key("AKIA"), &fake_secret()));
    let (run, findings) = git_findings(repo.path(), &["--staged"]);
    assert_eq!(run.code, 0);
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn only_keys_the_staged_version_adds_are_reported() {
    let repo = Repo::new();
    let old = fake_key("AKIA");
    repo.write("settings.py", &format!("OLD = '{old}'\n"));
    repo.commit("an old key (the history scan reports it)");
    let new = fake_key("AKIA");
    repo.write(
        "settings.py",
        &format!("# edited\nOLD = '{old}'\nNEW = '{new}'\n"),
    );
    repo.git(&["add", "settings.py"]);
    let (_, findings) = git_findings(repo.path(), &["--staged"]);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["key_id"], new.as_str());
    assert_eq!(findings[0]["line"], 3);
}

#[test]
fn before_the_first_commit_every_index_entry_is_staged() {
    let repo = Repo::new();
    let key = fake_key("AKIA");
    repo.write("a/b/c.env", &env_file(&key, &fake_secret()));
    repo.write("clean.txt", "nothing\n");
    repo.git(&["add", "-A"]);
    let (run, findings) = git_findings(repo.path(), &["--staged"]);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["path"], "a/b/c.env");
    assert_eq!(run.json()["summary"]["scanned_blobs"], 2);
    // Nothing staged: clean.
    let empty = Repo::new();
    assert_eq!(keyleak(empty.path(), &["--staged"]).code, 0);
}

#[test]
fn nothing_staged_is_clean_and_fast_path_needs_no_threads() {
    let repo = Repo::new();
    repo.write("x.env", &env_file(&fake_key("AKIA"), &fake_secret()));
    repo.commit("committed, not staged");
    let (run, findings) = git_findings(repo.path(), &["--staged"]);
    assert_eq!(run.code, 0);
    assert!(findings.is_empty());
    assert_eq!(run.json()["summary"]["scanned_blobs"], 0);
}

#[test]
fn every_index_format_gives_the_same_answer() {
    let repo = Repo::new();
    for i in 0..30 {
        repo.write(
            &format!("d{}/e{}/f{i}.txt", i % 3, i % 5),
            &format!("file {i}\n"),
        );
    }
    repo.commit("many files");
    let key = fake_key("AKIA");
    repo.write("d1/e2/new.env", &env_file(&key, &fake_secret()));
    repo.write("d2/e4/f9.txt", "changed, no key\n");
    repo.git(&["add", "-A"]);
    let baseline = git_findings(repo.path(), &["--staged"]).1;
    assert_eq!(baseline.len(), 1);
    assert_eq!(baseline[0]["key_id"], key.as_str());
    // Versions 2 to 4 (v4 compresses paths); a split index is refused, not half read.
    for version in ["2", "3", "4"] {
        repo.git(&["update-index", "--index-version", version]);
        let (run, findings) = git_findings(repo.path(), &["--staged"]);
        assert_eq!(findings, baseline, "index v{version}");
        assert_eq!(
            run.json()["summary"]["scanned_blobs"],
            2,
            "index v{version}"
        );
    }
    repo.git(&["update-index", "--index-version", "2"]);
    repo.git(&["update-index", "--split-index"]);
    let run = keyleak(repo.path(), &["--staged"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--no-split-index"), "{}", run.stderr);
}

#[test]
fn git_index_file_is_honoured_as_in_a_commit_hook() {
    let repo = Repo::new();
    repo.first_commit();
    let key = fake_key("AKIA");
    repo.write("hook.env", &env_file(&key, &fake_secret()));
    // Build a second index holding the key, as `git commit <paths>` does for its hooks.
    let alt = repo.path().join(".git/alt-index");
    let alt_str = alt.to_str().unwrap();
    std::fs::copy(repo.path().join(".git/index"), &alt).unwrap();
    let out = std::process::Command::new("git")
        .current_dir(repo.path())
        .env("GIT_INDEX_FILE", alt_str)
        .args(["add", "hook.env"])
        .status()
        .unwrap();
    assert!(out.success());
    let (_, default_index) = git_findings(repo.path(), &["--staged"]);
    assert!(default_index.is_empty());
    let run = crate::common::finish(
        crate::common::scan_cmd(repo.path())
            .env("GIT_INDEX_FILE", alt_str)
            .args(["--staged", "--format", "json"]),
    );
    assert_eq!(run.code, 1);
    assert_eq!(run.findings()[0]["key_id"], key.as_str());
}

#[test]
fn a_conflicted_entry_is_skipped_with_a_warning() {
    let repo = Repo::new();
    repo.write("conf.txt", "base\n");
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "other"]);
    repo.write("conf.txt", "other side\n");
    repo.commit("other");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("conf.txt", "main side\n");
    repo.commit("main");
    let merge = std::process::Command::new("git")
        .current_dir(repo.path())
        .args(["merge", "-q", "other"])
        .output()
        .unwrap();
    assert!(!merge.status.success(), "the merge conflicts");
    let run = keyleak(repo.path(), &["--staged"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("conf.txt: skipped: unmerged"),
        "{}",
        run.stderr
    );
}

/// D9: HEAD's file already has the key ID; the staged version adds its secret. That is a new
/// leak (`high` → `critical`), not the old key edited, and must fail the hook.
#[test]
fn a_secret_added_under_a_key_id_head_already_has_is_reported() {
    let repo = Repo::new();
    let key = fake_key("AKIA");
    let only_key = format!("[default]\naws_access_key_id = {key}\n");
    repo.write("credentials", &only_key);
    repo.commit("key ID only");
    let secret = fake_secret();
    let with_secret = format!("{only_key}aws_secret_access_key = {secret}\n");
    repo.stage("credentials", &with_secret);
    let (run, findings) = git_findings(repo.path(), &["--staged"]);
    only_critical(&run, &findings, &key, "credentials", 2);
    assert_eq!(findings[0]["secret"], secret.as_str());

    // Committed; the next change swaps the secret for another: new again.
    repo.commit("key and secret");
    let other = fake_secret();
    repo.write(
        "credentials",
        &format!("{only_key}aws_secret_access_key = {other}\n"),
    );
    repo.git(&["add", "credentials"]);
    let (run, findings) = git_findings(repo.path(), &["--staged"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["risk"], "critical");
    assert_eq!(findings[0]["secret"], other.as_str());

    // The same pair with an edit around it, or the secret taken out: nothing new.
    repo.stage("credentials", &format!("# edited\n{with_secret}"));
    let (run, findings) = git_findings(repo.path(), &["--staged"]);
    assert_eq!((run.code, findings.len()), (0, 0), "{findings:#?}");
    repo.stage("credentials", &only_key);
    let (run, findings) = git_findings(repo.path(), &["--staged"]);
    assert_eq!((run.code, findings.len()), (0, 0), "{findings:#?}");
}

/// Fails unless the run found exactly one credential, `key` at `path:line`, `critical`.
fn only_critical(run: &Run, findings: &[serde_json::Value], key: &str, path: &str, line: u64) {
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["key_id"], key);
    assert_eq!(findings[0]["path"], path);
    assert_eq!(findings[0]["line"], line);
    assert_eq!(findings[0]["risk"], "critical");
}

/// Fails unless keyleak's stderr contains `text`.
fn stderr_has(run: &Run, text: impl AsRef<str>) {
    assert!(run.stderr.contains(text.as_ref()), "{}", run.stderr);
}

/// Deletes the loose object `oid` of `repo`.
fn delete_object(repo: &Path, oid: &str) {
    std::fs::remove_file(repo.join(".git/objects").join(&oid[..2]).join(&oid[2..]))
        .expect("a loose object");
}

/// D22: a staged blob the object store does not have is not "clean": the hook fails closed,
/// naming the path, whether one file is staged or several (read in parallel).
#[test]
fn a_staged_blob_that_cannot_be_read_fails_the_run() {
    let repo = Repo::new();
    repo.first_commit();
    repo.stage("c.env", &env_file(&fake_key("AKIA"), &fake_secret()));
    let oid = repo.rev(":c.env");
    delete_object(repo.path(), &oid);
    let run = keyleak(repo.path(), &["--staged"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(
            "keyleak: error: git: --staged: cannot read what is staged at c.env, so the commit \
             cannot be checked (stage it again, or run `git fsck`)\n"
        ),
        "{}",
        run.stderr
    );
    stderr_has(
        &run,
        format!("c.env (blob {oid}): missing or corrupt object"),
    );
    assert!(run.stdout.is_empty(), "no report: {}", run.stdout);

    // Several staged files, one readable with a key: still exit 2, not 1 or 0.
    repo.write("b.env", &env_file(&fake_key("AKIA"), &fake_secret()));
    repo.write("d.txt", "clean\n");
    repo.git(&["add", "b.env", "d.txt"]);
    let run = keyleak(repo.path(), &["--staged", "-j", "4"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    stderr_has(&run, "cannot read what is staged at c.env, so");

    // Over --max-filesize is a choice, not damage: a warning.
    repo.git(&["rm", "-q", "--cached", "c.env"]);
    let run = keyleak(repo.path(), &["--staged", "--max-filesize", "10"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let skipped = format!(
        "b.env (blob {}): skipped: 102 bytes is over --max-filesize (10 bytes)",
        repo.rev(":b.env")
    );
    stderr_has(&run, skipped);
}

/// D21: libgit2 cannot open a SHA-256 repository, so `--staged` reads it through the git
/// command: the same findings, the same comparison with HEAD, the same failure when a staged
/// blob is missing.
#[test]
fn a_sha256_repository_is_checked_through_the_git_command() {
    let Some(repo) = Repo::sha256() else { return };
    // Before the first commit: every entry is staged.
    let first = fake_key("AKIA");
    repo.write("conf/first.env", &env_file(&first, &fake_secret()));
    let (run, findings) = git_findings(repo.path(), &["--staged"]);
    assert_eq!((run.code, findings.len()), (0, 0), "nothing staged yet");
    repo.git(&["add", "-A"]);
    let (run, findings) = git_findings(repo.path(), &["--staged"]);
    only_critical(&run, &findings, &first, "conf/first.env", 1);
    repo.commit("first key");

    // An edit around HEAD's key is clean; a secret added under HEAD's key ID is not.
    let key = fake_key("AKIA");
    let only_key = format!("[default]\naws_access_key_id = {key}\n");
    repo.write("credentials", &only_key);
    repo.commit("key ID only");
    repo.write("credentials", &format!("# edited\n{only_key}"));
    repo.git(&["add", "-A"]);
    let (run, findings) = git_findings(repo.path(), &["--staged"]);
    assert_eq!((run.code, findings.len()), (0, 0), "{findings:#?}");
    let secret = fake_secret();
    repo.write(
        "credentials",
        &format!("{only_key}aws_secret_access_key = {secret}\n"),
    );
    repo.write("clean.txt", "no key\n");
    repo.git(&["add", "-A"]);
    // From a subdirectory too, as a hook run from anywhere would.
    let (run, findings) = git_findings(&repo.path().join("conf"), &["--staged"]);
    only_critical(&run, &findings, &key, "credentials", 2);
    assert_eq!(run.json()["summary"]["scanned_blobs"], 2);

    // A staged blob missing from the object store fails closed here too.
    let oid = repo.rev(":credentials");
    delete_object(repo.path(), &oid);
    let run = keyleak(repo.path(), &["--staged"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    stderr_has(&run, "cannot read what is staged at credentials, so");
    stderr_has(&run, format!("credentials (blob {oid}): missing object"));
}

/// D21: without the git command, a SHA-256 repository cannot be read at all: exit 2, saying
/// why.
#[test]
fn a_sha256_repository_without_the_git_command_is_an_error() {
    let Some(repo) = Repo::sha256() else { return };
    repo.stage("a.env", &env_file(&fake_key("AKIA"), &fake_secret()));
    let nowhere = repo.sibling("no-bin");
    let run = keyleak_env(repo.path(), &[("PATH", &nowhere)], &["--staged"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(
            "keyleak: error: git: a SHA-256 repository, which keyleak's git reader (libgit2) \
             cannot read; --staged reads it through the git command, which cannot run\n  \
             caused by: No such file or directory"
        ),
        "{}",
        run.stderr
    );
}

/// D13: with `GIT_DIR` and `GIT_WORK_TREE` set, `--staged` checks that repository's index,
/// from any working directory.
#[test]
fn git_dir_and_work_tree_name_the_index_to_check() {
    let repo = Repo::new();
    repo.write("f", "1\n");
    repo.commit("init");
    let key = fake_key("AKIA");
    repo.stage("k.env", &env_file(&key, &fake_secret()));
    let elsewhere = tempfile::tempdir().unwrap();
    let git_dir = repo.path().join(".git");
    let env = [
        ("GIT_DIR", git_dir.as_path()),
        ("GIT_WORK_TREE", repo.path()),
    ];
    let run = keyleak_env(elsewhere.path(), &env, &["--staged", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["key_id"], key.as_str());
    assert_eq!(findings[0]["path"], "k.env");
    // In another repository with nothing staged, GIT_DIR still wins.
    let other = Repo::new();
    let run = keyleak_env(other.path(), &env[..1], &["--staged"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(keyleak(other.path(), &["--staged"]).code, 0);
}

/// D13: dotfiles kept in a bare repository (`git --git-dir=~/.cfg --work-tree=~`): git gives
/// the hook `GIT_DIR` and `GIT_WORK_TREE`, and no `.git` is above the working directory. The
/// hook lets a clean commit through and blocks one that adds a key.
#[test]
fn the_hook_works_for_dotfiles_in_a_bare_repository() {
    let dir = tempfile::tempdir().unwrap();
    let (cfg, home) = (dir.path().join("cfg.git"), dir.path().join("home"));
    std::fs::create_dir(&home).unwrap();
    git_in(
        dir.path(),
        now(),
        &["init", "-q", "--bare", "-b", "main", "cfg.git"],
    );
    let git_dir = format!("--git-dir={}", cfg.display());
    let work_tree = format!("--work-tree={}", home.display());
    let git = |args: &[&str]| {
        let mut all = vec![git_dir.as_str(), work_tree.as_str()];
        all.extend_from_slice(args);
        git_in(&home, now(), &all)
    };
    git(&["config", "core.bare", "false"]);
    git(&["config", "user.name", "Test Author"]);
    git(&["config", "user.email", "author@example.com"]);
    let hook = cfg.join("hooks/pre-commit");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nexec '{}' scan --staged\n",
            env!("CARGO_BIN_EXE_keyleak")
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::write(home.join(".bashrc"), "alias ll='ls -l'\n").unwrap();
    git(&["add", ".bashrc"]);
    git(&["commit", "-q", "-m", "clean"]);
    std::fs::write(
        home.join(".aws_env"),
        env_file(&fake_key("AKIA"), &fake_secret()),
    )
    .unwrap();
    git(&["add", ".aws_env"]);
    let commit = std::process::Command::new("git")
        .current_dir(&home)
        .args([&git_dir, &work_tree, "commit", "-q", "-m", "a key"])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap();
    assert!(!commit.status.success(), "the hook blocks the key");
    // git sends a hook's output to stderr.
    let said = String::from_utf8_lossy(&commit.stderr);
    assert!(
        said.contains("critical: long-term AWS access key"),
        "{said}"
    );
    assert_eq!(git(&["rev-list", "--count", "HEAD"]).trim(), "1");
}
