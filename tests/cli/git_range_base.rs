//! The base CI passes to `--range BASE..HEAD` / `--since BASE`: all zeros on a new branch or a
//! scheduled or manual run (scan what HEAD adds over the other remote-tracking branches), and a
//! base the clone does not have (a force-push, a shallow clone: a clear error, exit 2).
//!
//! Each test builds a "remote" (a bare repository) and works in a clone of it, as CI does, so
//! `refs/remotes/origin/*` exist.

use std::path::{Path, PathBuf};

use crate::common::{Want, assert_findings};
use crate::git_common::{
    DAY, Repo, env_file, fake_key, fake_secret, git_findings, git_in, keyleak, now,
};

const ZERO: &str = "0000000000000000000000000000000000000000";

/// `git clone ARGS file://REMOTE NAME` beside `repo`, with a local identity; its path.
fn clone(repo: &Repo, remote: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = repo.sibling(name);
    let url = format!("file://{}", remote.display());
    let mut all = vec!["clone", "-q"];
    all.extend_from_slice(args);
    all.extend_from_slice(&[&url, path.to_str().expect("UTF-8 temp path")]);
    git_in(repo.path(), now(), &all);
    for (key, value) in [
        ("user.name", "CI"),
        ("user.email", "ci@example.com"),
        ("commit.gpgsign", "false"),
    ] {
        git_in(&path, now(), &["config", key, value]);
    }
    path
}

/// A bare copy of `repo` (every branch) beside it: the "remote".
fn remote_of(repo: &Repo) -> PathBuf {
    let bare = repo.sibling("remote.git");
    let (src, dst) = (repo.path().to_str().unwrap(), bare.to_str().unwrap());
    git_in(repo.path(), now(), &["clone", "-q", "--bare", src, dst]);
    bare
}

/// Writes `path` in `dir` and commits everything; the commit id.
fn commit_file(dir: &Path, path: &str, content: &str, message: &str) -> String {
    let full = dir.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, content).unwrap();
    git_in(dir, now(), &["add", "-A"]);
    git_in(dir, now(), &["commit", "-q", "-m", message]);
    git_in(dir, now(), &["rev-parse", "HEAD"])
        .trim()
        .to_string()
}

/// Commits a `.env` file at `path` in `dir` holding a fresh key ID (line 1) and its secret
/// (line 2); the pair and the commit id.
fn commit_key(dir: &Path, path: &str) -> ((String, String), String) {
    let pair = (fake_key("AKIA"), fake_secret());
    let id = commit_file(
        dir,
        path,
        &env_file(&pair.0, &pair.1),
        &format!("add {path}"),
    );
    (pair, id)
}

fn want_env(path: &str, (key, secret): &(String, String)) -> Want {
    Want::critical_pair(path, (1, 19), key, (secret, 2), "credentials_file")
}

#[test]
fn an_all_zero_base_scans_what_a_new_branch_adds_over_the_other_remote_branches() {
    let upstream = Repo::new();
    commit_key(upstream.path(), "old/.env");
    upstream.git(&["checkout", "-q", "-b", "dev"]);
    commit_key(upstream.path(), "dev/.env");
    upstream.git(&["checkout", "-q", "main"]);
    let remote = remote_of(&upstream);

    // CI on a push of a new branch: origin/topic is HEAD itself, the base is all zeros.
    let work = clone(&upstream, &remote, "work", &[]);
    git_in(&work, now(), &["checkout", "-q", "-b", "topic"]);
    let (pushed, pushed_id) = commit_key(&work, "app/.env");
    git_in(&work, now(), &["push", "-q", "origin", "topic"]);
    let range = format!("{ZERO}..HEAD");
    let (run, findings) = git_findings(&work, &["--range", &range]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_findings(&findings, &[want_env("app/.env", &pushed)]);
    assert_eq!(findings[0]["commit"]["id"], pushed_id.as_str());
    assert_eq!(run.json()["summary"]["scanned_commits"], 1);
    assert_eq!(
        run.stderr,
        "keyleak: note: the base of --range is all zeros (a new branch, or a scheduled or manual \
         run): scanning what HEAD adds over origin/dev, origin/main\n"
    );

    // Detached at the pushed commit (GitLab): the same, by the ref whose tip is HEAD.
    git_in(&work, now(), &["checkout", "-q", "--detach"]);
    let (_, detached) = git_findings(&work, &["--since", ZERO]);
    assert_eq!(detached, findings);

    // A commit not pushed yet: origin/topic is behind HEAD but still HEAD's own branch, so
    // what it holds is scanned too.
    git_in(&work, now(), &["checkout", "-q", "topic"]);
    let (_, also) = git_findings(&work, &["--range", &range]);
    assert_eq!(also, findings);
    let (later, _) = commit_key(&work, "later/.env");
    let (run, findings) = git_findings(&work, &["--range", &range]);
    assert_eq!(run.code, 1);
    assert_findings(
        &findings,
        &[
            want_env("app/.env", &pushed),
            want_env("later/.env", &later),
        ],
    );
}

#[test]
fn an_all_zero_base_with_no_other_remote_branch_scans_the_whole_history() {
    let upstream = Repo::new();
    let (first, _) = commit_key(upstream.path(), "a/.env");
    let remote = remote_of(&upstream);
    // A scheduled run on main: origin/main (and origin/HEAD, which names it) is HEAD.
    let work = clone(&upstream, &remote, "work", &[]);
    let (second, _) = commit_key(&work, "b/.env");
    for args in [
        vec!["--range".to_string(), format!("{ZERO}..HEAD")],
        vec!["--since".to_string(), ZERO.to_string()],
        vec!["--since".to_string(), "0".repeat(64)],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (run, findings) = git_findings(&work, &args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert_findings(
            &findings,
            &[want_env("a/.env", &first), want_env("b/.env", &second)],
        );
        assert_eq!(run.json()["summary"]["scanned_commits"], 2);
        assert_eq!(
            run.stderr,
            format!(
                "keyleak: note: the base of {} is all zeros (a new branch, or a scheduled or \
                 manual run): no other remote-tracking branch: scanning HEAD's whole history\n",
                args[0]
            ),
            "{args:?}"
        );
    }
}

#[test]
fn a_base_a_force_push_removed_is_a_clear_error() {
    let upstream = Repo::new();
    upstream.first_commit_at(now() - 3 * DAY);
    let remote = remote_of(&upstream);
    let dev = clone(&upstream, &remote, "dev", &[]);
    let before = commit_file(&dev, "a.txt", "one\n", "pushed, then rewritten");
    git_in(&dev, now(), &["push", "-q", "origin", "main"]);
    git_in(&dev, now(), &["reset", "-q", "--hard", "HEAD~1"]);
    commit_file(&dev, "a.txt", "two\n", "rewritten");
    git_in(&dev, now(), &["push", "-q", "--force", "origin", "main"]);
    // CI clones after the force-push: the push's `before` is not there.
    let ci = clone(&upstream, &remote, "ci", &[]);
    for (args, flag) in [
        (
            vec!["--range".to_string(), format!("{before}..HEAD")],
            "--range",
        ),
        (vec!["--since".to_string(), before.clone()], "--since"),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = keyleak(&ci, &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
        assert_eq!(
            run.stderr,
            format!(
                "keyleak: error: invalid value for {flag}: the base `{before}` is not in this \
                 repository: a force-push may have removed it, or it was never fetched (a \
                 single-branch or partial fetch). Fetch it (`git fetch origin {before}`) or the \
                 whole history (`fetch-depth: 0` in actions/checkout, `GIT_DEPTH: 0` in GitLab \
                 CI); when it is gone, an all-zero base scans what HEAD adds over the other \
                 remote-tracking branches\n"
            )
        );
    }
    // A branch the clone did not fetch: no force-push hint.
    let run = keyleak(&ci, &["--range", "origin/release..HEAD"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "keyleak: error: invalid value for --range: the base `origin/release` is not in this \
         repository: no branch, tag or commit here has that name; a branch of the remote must \
         be fetched (`git fetch origin`, or `fetch-depth: 0` in actions/checkout, `GIT_DEPTH: \
         0` in GitLab CI)\n"
    );
    // What the flag was given is printed, never a control character in it.
    let run = keyleak(&ci, &["--range", "\u{1b}[2Jdead..HEAD"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--range"), "{}", run.stderr);
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
}

#[test]
fn a_base_outside_a_shallow_clone_says_the_clone_is_shallow() {
    let upstream = Repo::new();
    let base = upstream.first_commit_at(now() - 3 * DAY);
    upstream.write("a.txt", "one\n");
    upstream.commit_at(now() - 2 * DAY, "one");
    let remote = remote_of(&upstream);
    let ci = clone(&upstream, &remote, "ci", &["--depth", "1"]);
    let run = keyleak(&ci, &["--range", &format!("{base}..HEAD")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert_eq!(
        run.stderr,
        format!(
            "keyleak: error: invalid value for --range: the base `{base}` is not in this \
             repository: this is a shallow clone (CI checks out only the last commits by \
             default), so older commits are not here. Fetch the whole history: `fetch-depth: 0` \
             in actions/checkout, `GIT_DEPTH: 0` in GitLab CI, or `git fetch --unshallow`\n"
        )
    );
}
