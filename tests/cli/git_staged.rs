//! `scan --staged`: what the next commit would add, read from the index.

use crate::git_common::{Repo, env_file, fake_key, fake_secret, git_findings, keyleak};

#[test]
fn a_staged_key_is_found_and_an_unstaged_one_is_not() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit("init");
    let (staged, unstaged) = (fake_key("AKIA"), fake_key("AKIA"));
    repo.write("staged.env", &env_file(&staged, &fake_secret()));
    repo.git(&["add", "staged.env"]);
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
    repo.write("README.md", "hello\n");
    repo.commit("init");
    let key = fake_key("AKIA");
    repo.write("app.env", &env_file(&key, &fake_secret()));
    repo.git(&["add", "app.env"]);
    // Cleaned in the working tree, but the index still holds the key: the commit would too.
    repo.write("app.env", "AWS_PROFILE=dev\n");
    let (_, findings) = git_findings(repo.path(), &["--staged"]);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["key_id"], key.as_str());

    // The other way round: a key only in the working copy of a staged clean file.
    let repo = Repo::new();
    repo.write("app.env", "AWS_PROFILE=dev\n");
    repo.git(&["add", "app.env"]);
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
    repo.write("README.md", "hello\n");
    repo.commit("init");
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
    repo.write("credentials", &with_secret);
    repo.git(&["add", "credentials"]);
    let (run, findings) = git_findings(repo.path(), &["--staged"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["key_id"], key.as_str());
    assert_eq!(findings[0]["path"], "credentials");
    assert_eq!(findings[0]["line"], 2);
    assert_eq!(findings[0]["risk"], "critical");
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
    repo.write("credentials", &format!("# edited\n{with_secret}"));
    repo.git(&["add", "credentials"]);
    let (run, findings) = git_findings(repo.path(), &["--staged"]);
    assert_eq!((run.code, findings.len()), (0, 0), "{findings:#?}");
    repo.write("credentials", &only_key);
    repo.git(&["add", "credentials"]);
    let (run, findings) = git_findings(repo.path(), &["--staged"]);
    assert_eq!((run.code, findings.len()), (0, 0), "{findings:#?}");
}
