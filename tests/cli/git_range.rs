//! Expiry of temporary credentials by commit date, and `--since` / `--range` for CI.

use crate::git_common::{
    DAY, Repo, env_file, fake_key, fake_secret, git_findings, keyleak, now, with_key,
};

#[test]
fn temporary_keys_expire_36_hours_after_their_commit() {
    let repo = Repo::new();
    let (old, fresh) = (fake_key("ASIA"), fake_key("ASIA"));
    repo.write("old.env", &env_file(&old, &fake_secret()));
    repo.commit_at(now() - 3 * DAY, "three days ago");
    repo.write("fresh.env", &env_file(&fresh, &fake_secret()));
    repo.commit("now");
    let akia = fake_key("AKIA");
    repo.write("long.env", &env_file(&akia, &fake_secret()));
    repo.commit_at(now() - 400 * DAY, "a long-term key, long ago");

    let (_, findings) = git_findings(repo.path(), &["--git"]);
    let old_f = with_key(&findings, &old)[0];
    assert_eq!(old_f["expired"], true);
    assert_eq!(old_f["risk"], "low");
    assert!(
        old_f["advice"]["first_step"]
            .as_str()
            .unwrap()
            .starts_with("Expired"),
        "{old_f}"
    );
    let fresh_f = with_key(&findings, &fresh)[0];
    assert_eq!(fresh_f["expired"], false);
    assert_eq!(fresh_f["risk"], "medium");
    let akia_f = with_key(&findings, &akia)[0];
    assert_eq!(akia_f["expired"], false);
    assert_eq!(akia_f["risk"], "critical");

    let human = keyleak(repo.path(), &["--git"]);
    assert!(
        human
            .stdout
            .contains("low: temporary AWS access key with its secret (expired)"),
        "{}",
        human.stdout
    );
    // Only the expired one is low: --fail-on medium still fails on the fresh one.
    assert_eq!(
        keyleak(repo.path(), &["--git", "--fail-on", "medium"]).code,
        1
    );
}

/// init → leak → edit (touches the leaking file) → other: returns the four commits.
fn history() -> (Repo, String, [String; 4]) {
    let repo = Repo::new();
    let t0 = now() - 10 * DAY;
    let init = repo.first_commit_at(t0);
    let key = fake_key("AKIA");
    repo.write("app/.env", &env_file(&key, &fake_secret()));
    let leak = repo.commit_at(t0 + DAY, "leak");
    repo.write("app/.env", &format!("# comment\nAWS_ACCESS_KEY_ID={key}\n"));
    let edit = repo.commit_at(t0 + 2 * DAY, "edit the file with the key");
    repo.write("other.txt", "other\n");
    let other = repo.commit_at(t0 + 3 * DAY, "other");
    (repo, key, [init, leak, edit, other])
}

#[test]
fn a_range_that_excludes_the_leaking_commit_finds_nothing() {
    let (repo, key, [init, leak, edit, _]) = history();
    // After the leak: nothing new, though the key is in files the range touched.
    for args in [
        vec!["--range", &*format!("{leak}..HEAD")],
        vec!["--since", &*leak],
        vec!["--range", &*format!("{edit}..")],
    ] {
        let (run, findings) = git_findings(repo.path(), &args);
        assert_eq!(run.code, 0, "{args:?}: {findings:#?}");
        assert!(findings.is_empty(), "{args:?}: {findings:#?}");
    }
    // A range that holds the leak finds it, attributed to it.
    let (run, findings) = git_findings(repo.path(), &["--range", &format!("{init}..HEAD")]);
    assert_eq!(run.code, 1);
    assert_eq!(with_key(&findings, &key).len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["commit"]["id"], leak.as_str());
    assert_eq!(run.json()["summary"]["scanned_commits"], 3);
}

#[test]
fn a_range_reports_a_key_a_pushed_commit_adds() {
    let (repo, _, [_, _, _, other]) = history();
    repo.git(&["checkout", "-q", "-b", "topic"]);
    let new_key = fake_key("AKIA");
    repo.write(
        "src/upload.py",
        &format!("client = boto3.client('s3', aws_access_key_id='{new_key}')\n"),
    );
    let pushed = repo.commit("topic adds a key");
    let (run, findings) = git_findings(repo.path(), &["--range", "main..topic"]);
    assert_eq!(run.code, 1);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["key_id"], new_key.as_str());
    assert_eq!(findings[0]["commit"]["id"], pushed.as_str());
    assert_eq!(findings[0]["advice"]["context"], "sdk_code");
    // --ref with --since: the same thing spelt out.
    let (_, same) = git_findings(repo.path(), &["--ref", "topic", "--since", &other]);
    assert_eq!(same, findings);
}

#[test]
fn bad_ranges_and_revisions_are_usage_errors() {
    let (repo, _, _) = history();
    for args in [
        &["--range", "main...HEAD"][..],
        &["--range", "main"],
        &["--range", "nosuchbranch..HEAD"],
        &["--ref", "nosuchbranch"],
        &["--since", "nosuchbranch"],
        &["--staged", "--git"],
        &["--range", "a..b", "--since", "c"],
    ] {
        let run = keyleak(repo.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("keyleak: error:"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty());
    }
}
