//! Auditing an organisation (issue 20): `scan --git --repos-under DIR` and `--repos FILE`,
//! `--shard K/N`, and `keyleak merge` of the shards' JSONL.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Run, finish, isolate};
use crate::git_common::{env_file, fake_key, fake_secret, git_in};

/// Commits are dated here and the scans run at `NOW`: every run's output is the same.
const WHEN: i64 = 1_700_000_000;
const NOW: &str = "1700100000";

/// `keyleak ARGS` (any subcommand) from `dir`, at [`NOW`].
fn keyleak(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_keyleak"));
    isolate(&mut cmd, dir);
    for var in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] {
        cmd.env_remove(var);
    }
    finish(cmd.env("KEYLEAK_NOW", NOW).args(args))
}

/// A repository at `dir` with `files` committed (a README first).
fn repo_with(dir: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    git_in(dir, WHEN, &["init", "-q", "-b", "main"]);
    git_in(dir, WHEN, &["config", "user.name", "Org Dev"]);
    git_in(dir, WHEN, &["config", "user.email", "dev@example.com"]);
    std::fs::write(dir.join("README.md"), "service\n").unwrap();
    for (path, content) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }
    git_in(dir, WHEN, &["add", "-A"]);
    git_in(dir, WHEN, &["commit", "-q", "-m", "init"]);
}

/// Copies the tree at `from` to `to`, files byte for byte.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The organisation: 20 repositories below `org/`. `positive` holds testdata/positive;
/// `team-{a,b,c}/svc-NN` (17) hold a key pair in `config/svc-NN.env` when NN is even, only a
/// README when odd; `mirrors/svc-00.git` is a bare mirror of svc-00; `broken` lost its
/// `.git/HEAD`. Returns the root and, per repository with a key, (repository, key ID, path).
fn organisation() -> (tempfile::TempDir, Vec<(String, String, String)>) {
    let root = tempfile::tempdir().unwrap();
    let org = root.path().join("org");
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/positive");
    let positive = org.join("positive");
    copy_dir(&testdata, &positive);
    repo_with(&positive, &[]);
    let mut keys = Vec::new();
    for n in 0..17 {
        let name = format!("org/team-{}/svc-{n:02}", ["a", "b", "c"][n % 3]);
        let file = format!("config/svc-{n:02}.env");
        let key = fake_key("AKIA");
        let files = match n % 2 {
            0 => vec![(file.as_str(), env_file(&key, &fake_secret()))],
            _ => Vec::new(),
        };
        let files: Vec<(&str, &str)> = files.iter().map(|(p, c)| (*p, c.as_str())).collect();
        repo_with(&root.path().join(&name), &files);
        if n % 2 == 0 {
            keys.push((name, key, file));
        }
    }
    let mirror = org.join("mirrors/svc-00.git");
    std::fs::create_dir_all(mirror.parent().unwrap()).unwrap();
    git_in(
        root.path(),
        WHEN,
        &[
            "clone",
            "-q",
            "--mirror",
            "org/team-a/svc-00",
            "org/mirrors/svc-00.git",
        ],
    );
    let (_, key, file) = keys[0].clone();
    keys.push(("org/mirrors/svc-00.git".into(), key, file));
    let broken = org.join("broken");
    repo_with(
        &broken,
        &[("x.env", &env_file(&fake_key("AKIA"), &fake_secret()))],
    );
    std::fs::remove_file(broken.join(".git/HEAD")).unwrap();
    keys.sort();
    (root, keys)
}

/// (repository, key ID, path, line) of each finding, in report order.
fn located(findings: &[Value]) -> Vec<(String, String, String, u64)> {
    findings
        .iter()
        .map(|f| {
            (
                f["repository"].as_str().unwrap_or("").to_string(),
                f["key_id"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn an_organisation_in_one_run_and_in_four_merged_shards() {
    let (root, keys) = organisation();
    let dir = root.path();
    let one = keyleak(
        dir,
        &["scan", "--git", "--repos-under", "org", "--format", "json"],
    );
    assert_eq!(one.code, 1, "{}", one.stderr);
    let doc = one.json();
    // 20 found, the broken one reported and counted, the others scanned.
    assert_eq!(
        doc["summary"]["repositories"],
        serde_json::json!({"scanned": 19, "failed": 1})
    );
    assert_eq!(doc["summary"]["warnings"], 1);
    let warnings: Vec<&str> = one
        .stderr
        .lines()
        .filter(|l| l.starts_with("keyleak: warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", one.stderr);
    assert!(
        warnings[0].starts_with("keyleak: warning: org/broken: repository not scanned: "),
        "{}",
        warnings[0]
    );
    let findings = doc["findings"].as_array().unwrap();
    // Every generated key, once, where it was committed; none from the odd (clean) services.
    let generated: Vec<_> = located(findings)
        .into_iter()
        .filter(|(repo, ..)| repo != "org/positive")
        .collect();
    let want: Vec<_> = keys
        .iter()
        .map(|(repo, key, path)| (repo.clone(), key.clone(), path.clone(), 1))
        .collect();
    assert_eq!(generated, want);
    // The testdata repository's findings are intact: those of a scan of it alone.
    let alone = keyleak(dir, &["scan", "--git", "org/positive", "--format", "json"]);
    let alone = alone.findings();
    assert!(alone.len() > 30, "{}", alone.len());
    assert!(alone.iter().all(|f| f.get("repository").is_none()));
    let in_org: Vec<Value> = findings
        .iter()
        .filter(|f| f["repository"] == "org/positive")
        .map(|f| {
            let mut f = f.clone();
            f.as_object_mut().unwrap().remove("repository");
            f
        })
        .collect();
    assert_eq!(in_org, alone);

    // Four shards, each its own process, merged: the same document byte for byte.
    let mut shards = Vec::new();
    let mut seen = Vec::new();
    for k in 1..=4 {
        let shard = format!("{k}/4");
        let run = keyleak(
            dir,
            &[
                "scan",
                "--git",
                "--repos-under",
                "org",
                "--shard",
                &shard,
                "--format",
                "jsonl",
            ],
        );
        assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
        let last: Value = serde_json::from_str(run.stdout.lines().last().unwrap()).unwrap();
        let r = &last["summary"]["repositories"];
        let repos = r["scanned"].as_u64().unwrap() + r["failed"].as_u64().unwrap();
        assert!(repos > 0, "shard {shard} is empty");
        seen.push(repos);
        let file = dir.join(format!("shard-{k}.jsonl"));
        std::fs::write(&file, &run.stdout).unwrap();
        shards.push(file);
    }
    assert_eq!(seen.iter().sum::<u64>(), 20, "{seen:?}");
    let files: Vec<&str> = shards.iter().map(|p| p.to_str().unwrap()).collect();
    let mut args = vec!["merge", "--format", "json"];
    args.extend(&files);
    let merged = keyleak(dir, &args);
    assert_eq!(merged.code, 1, "{}", merged.stderr);
    assert_eq!(merged.stdout, one.stdout);
    // The shards' warnings, printed again.
    let again: Vec<&str> = merged.stderr.lines().collect();
    assert_eq!(again, warnings);
    // Three of the four, or one twice: not the organisation, so no report.
    let run = keyleak(dir, &["merge", files[0], files[1], files[2]]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("shard 4/4 is missing"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
    let run = keyleak(
        dir,
        &["merge", files[0], files[1], files[2], files[3], files[1]],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("shard 2/4 again"), "{}", run.stderr);
    // And in the other formats, as one run writes them.
    for format in ["sarif", "human", "gitlab", "github"] {
        let one = keyleak(
            dir,
            &["scan", "--git", "--repos-under", "org", "--format", format],
        );
        let mut args = vec!["merge", "--format", format];
        args.extend(&files);
        assert_eq!(keyleak(dir, &args).stdout, one.stdout, "{format}");
    }
}

#[test]
fn a_shard_is_chosen_by_name_so_a_new_repository_moves_no_other() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path();
    let add = |n: usize| {
        let env = env_file(&fake_key("AKIA"), &fake_secret());
        repo_with(&dir.join(format!("org/r{n}")), &[("k.env", env.as_str())]);
    };
    // Each shard's repositories, named by their findings.
    let shards = || -> Vec<Vec<String>> {
        (1..=3)
            .map(|k| {
                let shard = format!("{k}/3");
                let run = keyleak(
                    dir,
                    &[
                        "scan",
                        "--repos-under",
                        "org",
                        "--shard",
                        &shard,
                        "--format",
                        "json",
                    ],
                );
                assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
                located(&run.findings()).into_iter().map(|f| f.0).collect()
            })
            .collect()
    };
    (0..8).for_each(add);
    let before = shards();
    assert_eq!(before.iter().map(Vec::len).sum::<usize>(), 8, "{before:?}");
    add(8);
    add(9);
    let after = shards();
    assert_eq!(after.iter().map(Vec::len).sum::<usize>(), 10, "{after:?}");
    for (old, new) in before.iter().zip(&after) {
        let kept: Vec<&String> = new
            .iter()
            .filter(|r| !r.ends_with("r8") && !r.ends_with("r9"))
            .collect();
        assert_eq!(kept, old.iter().collect::<Vec<_>>());
    }
}

#[test]
fn urls_are_cloned_as_mirrors_then_fetched() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path();
    let origin = dir.join("origin");
    let first_key = fake_key("AKIA");
    repo_with(
        &origin,
        &[("app/.env", &env_file(&first_key, &fake_secret()))],
    );
    let url = format!("file://{}", origin.display());
    let missing = format!("file://{}", dir.join("no-such-repo").display());
    std::fs::write(
        dir.join("repos.txt"),
        format!("# the organisation\n\n{url}\n{missing}\n"),
    )
    .unwrap();
    let clones = dir.join("clones");
    let run_scan = || {
        keyleak(
            dir,
            &[
                "scan",
                "--repos",
                "repos.txt",
                "--clone-dir",
                clones.to_str().unwrap(),
                "--format",
                "json",
            ],
        )
    };
    let first = run_scan();
    assert_eq!(first.code, 1, "{}", first.stderr);
    assert_eq!(
        located(&first.findings()),
        [(url.clone(), first_key.clone(), "app/.env".to_string(), 1)]
    );
    assert_eq!(
        first.json()["summary"]["repositories"],
        serde_json::json!({"scanned": 1, "failed": 1})
    );
    assert!(
        first.stderr.contains(&format!(
            "keyleak: warning: {missing}: repository not scanned: "
        )),
        "{}",
        first.stderr
    );
    let mirrors: Vec<PathBuf> = std::fs::read_dir(&clones)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(mirrors.len(), 1, "{mirrors:?}");
    assert!(mirrors[0].join("HEAD").is_file());

    // A new commit upstream: the next run fetches it into the same mirror.
    let second_key = fake_key("AKIA");
    std::fs::write(
        origin.join("deploy.env"),
        env_file(&second_key, &fake_secret()),
    )
    .unwrap();
    git_in(&origin, WHEN + 60, &["add", "-A"]);
    git_in(&origin, WHEN + 60, &["commit", "-q", "-m", "deploy"]);
    let second = run_scan();
    assert_eq!(second.code, 1, "{}", second.stderr);
    let mut want = vec![
        (url.clone(), first_key, "app/.env".to_string(), 1),
        (url.clone(), second_key, "deploy.env".to_string(), 1),
    ];
    want.sort_by(|a, b| a.2.cmp(&b.2));
    assert_eq!(located(&second.findings()), want);
    let again: Vec<PathBuf> = std::fs::read_dir(&clones)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(again, mirrors);
}

#[test]
fn a_password_in_a_url_reaches_no_report_and_no_warning() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path();
    // Port 9 (discard) on the loopback: refused at once, nothing leaves the machine.
    std::fs::write(
        dir.join("repos.txt"),
        "https://audit:sekretTOKEN@127.0.0.1:9/org/x.git\n",
    )
    .unwrap();
    let run = keyleak(
        dir,
        &[
            "scan",
            "--repos",
            "repos.txt",
            "--clone-dir",
            "clones",
            "--format",
            "jsonl",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("sekretTOKEN") && !run.stderr.contains("sekretTOKEN"));
    assert!(
        run.stderr.starts_with(
            "keyleak: warning: https://127.0.0.1:9/org/x.git: repository not scanned: "
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("\"repositories\":{\"scanned\":0,\"failed\":1}")
    );
    assert!(
        run.stdout
            .contains("\"subject\":\"https://127.0.0.1:9/org/x.git\"")
    );
    // Nothing half-cloned is left to be taken for a mirror.
    let left: Vec<_> = std::fs::read_dir(dir.join("clones")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn bad_shards_lists_and_merges_are_errors() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path();
    std::fs::create_dir(dir.join("org")).unwrap();
    for shard in ["0/4", "5/4", "1/0", "one/4"] {
        let run = keyleak(dir, &["scan", "--repos-under", "org", "--shard", shard]);
        assert_eq!(run.code, 2, "{shard}");
        assert!(run.stderr.contains("--shard"), "{}", run.stderr);
    }
    let run = keyleak(dir, &["scan", "--git", ".", "--shard", "1/2"]);
    assert_eq!(run.code, 2);
    let run = keyleak(dir, &["scan", "--repos", "no-such-list.txt"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no-such-list.txt"), "{}", run.stderr);
    // A shard's file cut before its summary line: the merge would lack it, so it stops.
    let key = fake_key("AKIA");
    repo_with(
        &dir.join("org/a"),
        &[("k.env", &env_file(&key, &fake_secret()))],
    );
    let shard = keyleak(dir, &["scan", "--repos-under", "org", "--format", "jsonl"]);
    let lines: Vec<&str> = shard.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", shard.stdout);
    std::fs::write(dir.join("cut.jsonl"), format!("{}\n", lines[0])).unwrap();
    let run = keyleak(dir, &["merge", "cut.jsonl"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no summary line"), "{}", run.stderr);
    std::fs::write(dir.join("bad.jsonl"), "{\"kind\": 1}\n").unwrap();
    let run = keyleak(dir, &["merge", "bad.jsonl"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bad.jsonl: line 1"), "{}", run.stderr);
    // A whole one merges.
    std::fs::write(dir.join("whole.jsonl"), &shard.stdout).unwrap();
    let run = keyleak(dir, &["merge", "whole.jsonl", "--format", "jsonl"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, shard.stdout);
}
