//! Repository shapes: bare and shallow clones, empty repositories, subdirectories, and what
//! is not a repository at all.

use crate::git_common::{
    DAY, Repo, env_file, fake_key, fake_secret, git_findings, git_in, keyleak, now,
};

fn leaky() -> (Repo, String, String) {
    let repo = Repo::new();
    let t0 = now() - 10 * DAY;
    repo.write("README.md", "hello\n");
    repo.commit_at(t0, "init");
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
