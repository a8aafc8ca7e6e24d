//! Advice by situation: a key only staged has not left the machine, so its first step is to
//! take it out of the commit, not to delete it in IAM; a canary key never says rotate, in a
//! file or in history.

use crate::common::ROOT;
use crate::git_common::{Repo, env_file, fake_key, fake_secret, git_findings, keyleak};

const STAGED_STEP: &str = "Not committed yet: remove it from the commit (delete it from the \
    file, then `git add` the file again). It has not left this machine unless you pushed or \
    shared it before; if you did, treat it as leaked: deactivate and delete a long-term key in \
    IAM, revoke a temporary key's sessions.";

const IAM_STEP: &str = "Deactivate and delete this key in IAM now";

#[test]
fn a_staged_key_is_taken_out_of_the_commit_not_deleted_in_iam() {
    let repo = Repo::new();
    repo.first_commit();
    let (key, temporary) = (fake_key("AKIA"), fake_key("ASIA"));
    repo.write("app.env", &env_file(&key, &fake_secret()));
    repo.write(
        "notes.md",
        &format!("temporary: {temporary}\nexample: AKIAIOSFODNN7EXAMPLE\n"),
    );
    repo.git(&["add", "-A"]);

    let (_, findings) = git_findings(repo.path(), &["--staged"]);
    let steps: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| {
            (
                f["key_id"].as_str().unwrap(),
                f["advice"]["first_step"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            (key.as_str(), STAGED_STEP),
            (temporary.as_str(), STAGED_STEP),
            // A placeholder keeps its own step.
            (
                "AKIAIOSFODNN7EXAMPLE",
                "A documentation or placeholder value: nothing to rotate. Make sure a real key never takes its place."
            ),
        ]
    );
    let human = keyleak(repo.path(), &["--staged"]);
    assert_eq!(human.code, 1);
    assert!(
        human.stdout.contains(&format!("= now: {STAGED_STEP}\n")),
        "{}",
        human.stdout
    );
    assert!(!human.stdout.contains(IAM_STEP), "{}", human.stdout);

    // Committed, the same key has left the machine: history says delete it in IAM.
    repo.commit("add config");
    let (_, findings) = git_findings(repo.path(), &["--git"]);
    let committed: Vec<&str> = findings
        .iter()
        .filter(|f| f["key_id"] == key.as_str())
        .map(|f| f["advice"]["first_step"].as_str().unwrap())
        .collect();
    assert_eq!(committed.len(), 1);
    assert!(committed[0].starts_with(IAM_STEP), "{}", committed[0]);
}

/// A repository whose first commit adds `files` and whose second deletes them.
fn deleted_in_history(files: &[(&str, &str)]) -> Repo {
    let repo = Repo::new();
    for (path, content) in files {
        repo.write(path, content);
    }
    repo.commit("backup");
    for (path, _) in files {
        repo.git(&["rm", "-q", path]);
    }
    repo.commit("remove");
    repo
}

/// A canary committed then deleted: history adds no "rotate the key" note to it, and no
/// format says rotate; a real key deleted the same way still gets the note.
#[test]
fn a_canary_in_history_never_says_rotate() {
    let canary =
        std::fs::read_to_string(format!("{ROOT}/testdata/positive/canary/credentials")).unwrap();
    let repo = deleted_in_history(&[("backup/credentials", &canary)]);
    let (_, findings) = git_findings(repo.path(), &["--git"]);
    let got: Vec<(&str, bool, Option<&str>)> = findings
        .iter()
        .map(|f| {
            (
                f["key_id"].as_str().unwrap(),
                f["canary"] == true,
                f["advice"]["history"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("AKIAQYLPMN5HP35U6F6W", true, None),
            ("AKIAQU4OL7HG7MMCLTU6", true, None),
        ]
    );
    for format in ["human", "json", "sarif", "github", "gitlab"] {
        let run = keyleak(repo.path(), &["--git", "--format", format, "--show-info"]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert!(run.stdout.contains("AKIAQYLPMN5HP35U6F6W"), "{format}");
        assert!(
            !run.stdout.to_lowercase().contains("rotate"),
            "{format}: {}",
            run.stdout
        );
    }

    let real = fake_key("AKIA");
    let repo = deleted_in_history(&[("old.env", &env_file(&real, &fake_secret()))]);
    let (_, findings) = git_findings(repo.path(), &["--git"]);
    assert_eq!(
        findings[0]["advice"]["history"],
        "deleted from the tree but still in history: rotate the key; rewriting history does \
         not un-leak it"
    );
}
