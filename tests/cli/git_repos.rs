//! Repository shapes: bare and shallow clones, empty repositories, subdirectories, and what
//! is not a repository at all.

use std::path::Path;

use crate::git_common::{
    DAY, Repo, env_file, fake_key, fake_secret, git_findings, git_in, keyleak, keyleak_env, now,
};

fn leaky() -> (Repo, String, String) {
    let repo = Repo::new();
    let t0 = now() - 10 * DAY;
    repo.first_commit_at(t0);
    let key = fake_key("AKIA");
    repo.write("deploy/prod.env", &env_file(&key, &fake_secret()));
    let leak = repo.commit_at(t0 + DAY, "leak");
    repo.write("README.md", "hello again\n");
    repo.commit_at(t0 + 2 * DAY, "docs");
    (repo, key, leak)
}

#[test]
fn a_bare_clone_gives_the_same_findings() {
    let (repo, key, leak) = leaky();
    let bare = repo.sibling("bare.git");
    let src = repo.path().to_str().unwrap();
    git_in(
        repo.path(),
        now(),
        &["clone", "-q", "--bare", src, bare.to_str().unwrap()],
    );
    let (_, from_work_tree) = git_findings(repo.path(), &["--git"]);
    let (run, from_bare) = git_findings(&bare, &["--git"]);
    assert_eq!(run.code, 1);
    assert_eq!(from_bare, from_work_tree);
    assert_eq!(from_bare[0]["key_id"], key.as_str());
    assert_eq!(from_bare[0]["commit"]["id"], leak.as_str());
    assert_eq!(from_bare[0]["in_head"], true);
    // --staged needs an index.
    assert_eq!(keyleak(&bare, &["--staged"]).code, 2);
}

#[test]
fn a_shallow_clone_scans_what_exists_and_warns() {
    let (repo, key, leak) = leaky();
    let shallow = repo.sibling("shallow");
    let url = format!("file://{}", repo.path().display());
    git_in(
        repo.path(),
        now(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            shallow.to_str().unwrap(),
        ],
    );
    let (run, findings) = git_findings(&shallow, &["--git"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("shallow clone"), "{}", run.stderr);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["key_id"], key.as_str());
    // The leak itself is cut off: the boundary commit holds the key, so it takes the blame.
    assert_ne!(findings[0]["commit"]["id"], leak.as_str());
    assert_eq!(run.json()["summary"]["scanned_commits"], 1);
}

#[test]
fn an_empty_repository_is_clean() {
    let repo = Repo::new();
    let run = keyleak(repo.path(), &["--git", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.findings().len(), 0);
    assert_eq!(run.json()["summary"]["scanned_commits"], 0);
}

#[test]
fn a_subdirectory_or_an_explicit_path_finds_the_repository() {
    let (repo, key, _) = leaky();
    let (_, findings) = git_findings(&repo.path().join("deploy"), &["--git"]);
    assert_eq!(findings[0]["key_id"], key.as_str());
    let outside = repo.sibling("");
    let (_, findings) = git_findings(&outside, &["--git", "repo"]);
    assert_eq!(findings[0]["key_id"], key.as_str());
}

#[test]
fn not_a_repository_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["--git"][..], &["--staged"], &["--range", "a..b"]] {
        let run = keyleak(dir.path(), args);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(
            run.stderr.contains("not a git repository"),
            "{}",
            run.stderr
        );
    }
    let run = keyleak(dir.path(), &["--git", "no/such/dir"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no such file or directory"),
        "{}",
        run.stderr
    );
    let run = keyleak(dir.path(), &["--git", "a", "b"]);
    assert_eq!(run.code, 2);
}

/// D13: `GIT_DIR` names the repository, as it does for git, wherever keyleak runs from.
#[test]
fn git_dir_names_the_repository_wherever_keyleak_runs() {
    let (a, key_a, leak) = leaky();
    let b = Repo::new();
    let key_b = fake_key("AKIA");
    b.write("b.env", &env_file(&key_b, &fake_secret()));
    b.commit("another repository's key");
    let git_dir = a.path().join(".git");
    let only_a = |dir: &Path, git_dir: &Path| {
        let run = keyleak_env(dir, &[("GIT_DIR", git_dir)], &["--git", "--format", "json"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let findings = run.findings();
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(findings[0]["key_id"], key_a.as_str());
        assert_eq!(findings[0]["path"], "deploy/prod.env");
        assert_eq!(findings[0]["commit"]["id"], leak.as_str());
    };
    // Inside another repository: GIT_DIR wins, as with git.
    only_a(b.path(), &git_dir);
    // Outside any repository, and relative to the working directory.
    let outside = tempfile::tempdir().unwrap();
    only_a(outside.path(), &git_dir);
    only_a(&a.sibling(""), Path::new("repo/.git"));
    // Without it, the working directory's repository.
    let (_, findings) = git_findings(b.path(), &["--git"]);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["key_id"], key_b.as_str());
    // A GIT_DIR that is no repository is an error that names it.
    let nowhere = outside.path().join("nowhere");
    let run = keyleak_env(b.path(), &[("GIT_DIR", &nowhere)], &["--git"]);
    assert_eq!(run.code, 2);
    let said = format!("GIT_DIR={}: not a git repository", nowhere.display());
    assert!(run.stderr.contains(&said), "{}", run.stderr);
}

/// D21: libgit2 cannot read a SHA-256 repository; the history scan says so and what works.
#[test]
fn a_sha256_repository_is_named_and_the_work_tree_scan_suggested() {
    let Some(repo) = Repo::sha256() else { return };
    let key = fake_key("AKIA");
    repo.write("a.env", &env_file(&key, &fake_secret()));
    repo.commit("a key");
    for args in [&["--git"][..], &["--range", "HEAD~1..HEAD"]] {
        let run = keyleak(repo.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with(
                "keyleak: error: git: .: a SHA-256 repository (extensions.objectformat = \
                 sha256): keyleak's git reader (libgit2) reads SHA-1 repositories only; scan \
                 the work tree with `keyleak scan .` instead (`--staged` works, through the git \
                 command)\n"
            ),
            "{}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("not a git repository"),
            "{}",
            run.stderr
        );
    }
    let (run, findings) = git_findings(repo.path(), &["."]);
    assert_eq!(run.code, 1);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["key_id"], key.as_str());
}
