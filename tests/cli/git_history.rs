//! `scan --git`: every ref, each blob once, attributed to the commit that introduced it.

use serde_json::Value;

use crate::git_common::{
    DAY, Repo, env_file, fake_key, fake_secret, git_findings, git_stdin, keyleak, now, with_key,
};

#[test]
fn key_added_then_deleted_is_found_and_attributed_to_the_adding_commit() {
    let repo = Repo::new();
    let t0 = now() - 30 * DAY;
    repo.first_commit_at(t0);
    let (key, secret) = (fake_key("AKIA"), fake_secret());
    repo.write("config/.env", &env_file(&key, &secret));
    let leak = repo.commit_as("Alice Leaker", "alice@example.com", t0 + DAY, "add config");
    repo.git(&["rm", "-q", "config/.env"]);
    repo.commit_at(t0 + 2 * DAY, "remove the key");

    let (run, findings) = git_findings(repo.path(), &["--git"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f["key_id"], key.as_str());
    assert_eq!(f["secret"], secret.as_str());
    assert_eq!(f["risk"], "critical");
    assert_eq!(f["path"], "config/.env");
    assert_eq!(f["line"], 1);
    assert_eq!(f["in_head"], false);
    assert_eq!(f["expired"], false, "AKIA keys never expire");
    assert_eq!(f["commit"]["id"], leak.as_str());
    assert_eq!(f["commit"]["author_name"], "Alice Leaker");
    assert_eq!(f["commit"]["author_email"], "alice@example.com");
    assert_eq!(f["commit"]["author_timestamp"], t0 + DAY);
    assert!(
        f["advice"]["history"]
            .as_str()
            .unwrap()
            .contains("deleted from the tree but still in history: rotate the key"),
        "{f}"
    );

    // Human output names the commit, its author and date.
    let human = keyleak(repo.path(), &["--git"]);
    assert!(
        human.stdout.contains(&format!(
            "commit {leak} by Alice Leaker <alice@example.com>"
        )),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("history: deleted from the tree"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("from 3 commits"), "{}", human.stdout);
}

#[test]
fn a_key_still_in_head_has_no_history_note() {
    let repo = Repo::new();
    let key = fake_key("AKIA");
    repo.write("app.py", &format!("KEY = '{key}'\n"));
    repo.commit("add");
    repo.write("app.py", &format!("# edited\nKEY = '{key}'\n"));
    repo.commit("edit the file, keep the key");
    let (_, findings) = git_findings(repo.path(), &["--git"]);
    assert_eq!(
        findings.len(),
        1,
        "every version of one file is one finding: {findings:#?}"
    );
    assert_eq!(findings[0]["in_head"], true);
    assert_eq!(findings[0]["line"], 1, "the version that introduced it");
    assert!(findings[0]["advice"].get("history").is_none());
}

#[test]
fn same_blob_on_two_branches_and_a_tag_is_reported_once() {
    let repo = Repo::new();
    let t0 = now() - 10 * DAY;
    repo.first_commit_at(t0);
    let content = env_file(&fake_key("AKIA"), &fake_secret());
    repo.write("deploy/.env", &content);
    let leak = repo.commit_at(t0 + DAY, "leak");
    repo.git(&["tag", "v1.0"]);
    repo.git(&["tag", "-a", "-m", "annotated", "v1.0-annotated"]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("feature.txt", "work\n");
    repo.commit_at(t0 + 2 * DAY, "feature work");
    // An unrelated branch that commits the very same file again, later.
    repo.git(&["checkout", "-q", "--orphan", "other"]);
    repo.git(&["rm", "-rfq", "."]);
    repo.write("deploy/.env", &content);
    repo.commit_at(t0 + 3 * DAY, "same content elsewhere");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["rm", "-q", "deploy/.env"]);
    repo.commit_at(t0 + 4 * DAY, "remove on main");

    let (run, findings) = git_findings(repo.path(), &["--git"]);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(
        findings[0]["commit"]["id"],
        leak.as_str(),
        "the oldest commit"
    );
    assert_eq!(findings[0]["in_head"], false);
    assert_eq!(run.json()["summary"]["scanned_commits"], 5);
    // Three blobs in all: README, the .env, feature.txt; the .env read once.
    assert_eq!(run.json()["summary"]["scanned_blobs"], 3);

    // --ref limits the walk: the orphan branch alone attributes it to its own commit.
    let (_, only_other) = git_findings(repo.path(), &["--ref", "other"]);
    assert_eq!(only_other.len(), 1);
    assert_ne!(only_other[0]["commit"]["id"], leak.as_str());
}

#[test]
fn an_exact_rename_keeps_the_adding_commit() {
    let repo = Repo::new();
    let key = fake_key("AKIA");
    repo.write("old/name.env", &env_file(&key, &fake_secret()));
    let added = repo.commit_at(now() - 5 * DAY, "add");
    repo.git(&["mv", "old", "new"]);
    repo.commit("rename the directory");
    let (_, findings) = git_findings(repo.path(), &["--git"]);
    // Two locations, one leak: both attributed to the commit that added the key, and both in
    // HEAD, since the key is still in HEAD's tree (at the new path).
    let paths: Vec<&str> = findings
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["new/name.env", "old/name.env"]);
    for f in &findings {
        assert_eq!(f["commit"]["id"], added.as_str(), "{f}");
        assert_eq!(f["in_head"], true, "{f}");
    }
}

#[test]
fn merges_attribute_to_the_branch_commit_and_keys_added_by_the_merge_itself_to_the_merge() {
    let repo = Repo::new();
    let t0 = now() - 20 * DAY;
    repo.first_commit_at(t0);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let k1 = fake_key("AKIA");
    repo.write("feature.env", &env_file(&k1, &fake_secret()));
    let on_branch = repo.commit_at(t0 + DAY, "feature adds a key");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("main.txt", "main work\n");
    repo.commit_at(t0 + 2 * DAY, "main work");
    repo.git_at(
        t0 + 3 * DAY,
        &["merge", "-q", "--no-ff", "-m", "merge feature", "feature"],
    );
    // A merge that adds a key of its own (an "evil merge").
    repo.git(&["checkout", "-q", "-b", "second", "HEAD~1"]);
    repo.write("second.txt", "more\n");
    repo.commit_at(t0 + 4 * DAY, "second branch");
    repo.git(&["checkout", "-q", "main"]);
    repo.git_at(
        t0 + 5 * DAY,
        &["merge", "-q", "--no-ff", "--no-commit", "second"],
    );
    let k2 = fake_key("AKIA");
    repo.write("merge.py", &format!("key = \"{k2}\"\n"));
    let evil = repo.commit_at(t0 + 5 * DAY, "merge second");

    let (_, findings) = git_findings(repo.path(), &["--git"]);
    assert_eq!(findings.len(), 2, "{findings:#?}");
    assert_eq!(
        with_key(&findings, &k1)[0]["commit"]["id"],
        on_branch.as_str()
    );
    assert_eq!(with_key(&findings, &k2)[0]["commit"]["id"], evil.as_str());
}

#[test]
fn detached_head_commits_are_scanned() {
    let repo = Repo::new();
    repo.first_commit();
    repo.git(&["checkout", "-q", "--detach"]);
    let key = fake_key("AKIA");
    repo.write("detached.env", &env_file(&key, &fake_secret()));
    let c = repo.commit("on a detached HEAD, on no branch");
    let (_, findings) = git_findings(repo.path(), &["--git"]);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["commit"]["id"], c.as_str());
    assert_eq!(findings[0]["in_head"], true);
}

#[test]
fn a_missing_blob_is_a_warning_and_the_scan_goes_on() {
    let repo = Repo::new();
    let (k1, k2) = (fake_key("AKIA"), fake_key("AKIA"));
    repo.write("a.env", &env_file(&k1, &fake_secret()));
    repo.write("b.env", &env_file(&k2, &fake_secret()));
    repo.commit("two keys");
    let blob = repo.rev("HEAD:a.env");
    let object = repo
        .path()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(&object).expect("loose object removed");
    let (run, findings) = git_findings(repo.path(), &["--git"]);
    assert_eq!(run.code, 1);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["key_id"], k2.as_str());
    assert!(
        run.stderr.contains("warning: a.env (blob "),
        "{}",
        run.stderr
    );
}

#[test]
fn output_is_the_same_with_one_thread_and_eight() {
    let repo = Repo::new();
    let t0 = now() - 50 * DAY;
    for i in 0..12 {
        let path = format!("dir{}/f{i}.env", i % 3);
        repo.write(&path, &env_file(&fake_key("AKIA"), &fake_secret()));
        repo.write(&format!("notes{i}.txt"), &format!("line {i}\n"));
        repo.commit_at(t0 + i * DAY, &format!("commit {i}"));
        if i % 4 == 3 {
            repo.git(&["rm", "-q", &path]);
            repo.commit_at(t0 + i * DAY + 60, &format!("remove {i}"));
        }
    }
    repo.git(&["checkout", "-q", "-b", "side", "HEAD~5"]);
    repo.write("side.env", &env_file(&fake_key("ASIA"), &fake_secret()));
    repo.commit_at(t0 + 20 * DAY, "side");
    for format in ["json", "human"] {
        let one = keyleak(repo.path(), &["--git", "-j1", "--format", format]);
        let eight = keyleak(repo.path(), &["--git", "-j8", "--format", format]);
        assert_eq!(one.code, 1);
        assert_eq!(one.stdout, eight.stdout, "{format}");
    }
    let (_, findings) = git_findings(repo.path(), &["--git"]);
    assert_eq!(findings.len(), 13);
}

/// `git hash-object -w` of `content`, or `git mktree` of `entries` (`mode type id\tname`).
fn object(repo: &Repo, args: &[&str], content: &str) -> String {
    git_stdin(repo.path(), args, content.as_bytes())
        .trim()
        .to_string()
}

/// Each finding as (key ID, path, line, risk, commit id or ""), sorted.
fn rows(findings: &[Value]) -> Vec<(String, String, u64, String, String)> {
    let mut rows: Vec<_> = findings
        .iter()
        .map(|f| {
            (
                f["key_id"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["risk"].as_str().unwrap().to_string(),
                f["commit"]["id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// D12: objects no commit reaches — a tag to a blob, a tag to a tree — and the commits' and
/// annotated tags' own text (message, author) are scanned, each once; what a commit already
/// introduced is not repeated under a tag.
#[test]
fn tags_to_blobs_and_trees_and_commit_and_tag_texts_are_scanned() {
    let repo = Repo::new();
    let t0 = now() - 10 * DAY;
    let (in_file, in_blob, in_tree, in_tag, in_message, in_author, old) = (
        fake_key("AKIA"),
        fake_key("AKIA"),
        fake_key("AKIA"),
        fake_key("AKIA"),
        fake_key("AKIA"),
        fake_key("AKIA"),
        fake_key("AKIA"),
    );
    repo.write("app.env", &env_file(&in_file, &fake_secret()));
    let first = repo.commit_at(
        t0,
        &format!(
            "init\n\nold: aws_access_key_id={old} aws_secret_access_key={}",
            fake_secret()
        ),
    );
    let blob = object(
        &repo,
        &["hash-object", "-w", "--stdin"],
        &env_file(&in_blob, &fake_secret()),
    );
    repo.git(&["tag", "blob-tag", &blob]);
    let inner = object(
        &repo,
        &["hash-object", "-w", "--stdin"],
        &env_file(&in_tree, &fake_secret()),
    );
    let deploy = object(
        &repo,
        &["mktree"],
        &format!("100644 blob {inner}\tprod.env\n"),
    );
    let app = repo.rev("HEAD:app.env");
    let tree = object(
        &repo,
        &["mktree"],
        &format!("100644 blob {app}\tapp.env\n040000 tree {deploy}\tdeploy\n"),
    );
    repo.git(&["tag", "tree-tag", &tree]);
    // A tag at a commit's tree and one at a committed blob add nothing.
    repo.git(&["tag", "head-tree", &repo.rev("HEAD^{tree}")]);
    repo.git(&["tag", "app-blob", &app]);
    let tag_message = format!(
        "release\n\ndeployed with AWS_ACCESS_KEY_ID={in_tag} AWS_SECRET_ACCESS_KEY={}",
        fake_secret()
    );
    repo.git(&["tag", "-a", "v1", "-m", &tag_message]);
    repo.write("README.md", "hello\n");
    let message = format!(
        "rotate\n\nold: aws_access_key_id={in_message} aws_secret_access_key={}",
        fake_secret()
    );
    let rotate = repo.commit_at(t0 + DAY, &message);
    repo.write("README.md", "hello again\n");
    let by_key = repo.commit_as(&in_author, "ci@example.com", t0 + 2 * DAY, "docs");

    let (run, findings) = git_findings(repo.path(), &["--git"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stderr, "", "no ref is skipped now");
    let row = |key: &str, path: &str, line: u64, risk: &str, commit: &str| {
        (
            key.to_string(),
            path.to_string(),
            line,
            risk.to_string(),
            commit.to_string(),
        )
    };
    let mut want = vec![
        row(&in_file, "app.env", 1, "critical", &first),
        row(&old, &format!("<commit {first}>"), 7, "critical", &first),
        row(&in_blob, "<ref blob-tag>", 1, "critical", ""),
        row(
            &in_tree,
            "<ref tree-tag>:deploy/prod.env",
            1,
            "critical",
            "",
        ),
        // object, type, tag, tagger, blank, "release", blank, the key.
        row(&in_tag, "<tag v1>", 8, "critical", ""),
        // tree, parent, author, committer, blank, "rotate", blank, the key.
        row(
            &in_message,
            &format!("<commit {rotate}>"),
            8,
            "critical",
            &rotate,
        ),
        row(
            &in_author,
            &format!("<commit {by_key}>"),
            3,
            "high",
            &by_key,
        ),
    ];
    want.sort();
    assert_eq!(rows(&findings), want);
    let message_finding = &with_key(&findings, &in_message)[0];
    assert_eq!(message_finding["in_head"], false);

    // The same with one thread and eight, in every format.
    for format in ["json", "human", "sarif"] {
        let one = keyleak(repo.path(), &["--git", "-j1", "--format", format]);
        let eight = keyleak(repo.path(), &["--git", "-j8", "--format", format]);
        assert_eq!(one.stdout, eight.stdout, "{format}");
    }

    // A range reads the texts of its own commits only, and no tag.
    let (_, findings) = git_findings(repo.path(), &["--since", &first]);
    let (author_text, message_text) = (format!("<commit {by_key}>"), format!("<commit {rotate}>"));
    let mut want = vec![
        row(&in_author, &author_text, 3, "high", &by_key),
        row(&in_message, &message_text, 8, "critical", &rotate),
    ];
    want.sort();
    assert_eq!(rows(&findings), want);
    // --ref follows a tag: to a blob, or through an annotated tag to its commit's history.
    let (_, findings) = git_findings(repo.path(), &["--ref", "blob-tag"]);
    assert_eq!(
        rows(&findings),
        vec![row(&in_blob, "<ref blob-tag>", 1, "critical", "")]
    );
    let (_, findings) = git_findings(repo.path(), &["--ref", "v1"]);
    let mut want = vec![
        row(&in_file, "app.env", 1, "critical", &first),
        row(&old, &format!("<commit {first}>"), 7, "critical", &first),
        row(&in_tag, "<tag v1>", 8, "critical", ""),
    ];
    want.sort();
    assert_eq!(rows(&findings), want);
}
