//! History scans of packed repositories, where keyleak reads blobs and trees from the pack
//! files itself (`source::git::pack`): the report is the one the same history gives loose,
//! where every object is read through libgit2; with deltas by offset and by id.

use crate::common::stat;
use crate::git_common::*;

/// A history whose `config/app.env` changes in each of 30 commits (a repack stores its
/// versions as delta chains), a key pair added in the 10th and removed in the 20th, trees
/// that change with it, and a file over the `--max-filesize` the test passes: (repo, key,
/// commit that added it).
fn history() -> (Repo, String, String) {
    let repo = Repo::new();
    repo.first_commit();
    let key = fake_key("AKIA");
    let secret = fake_secret();
    let mut lines: Vec<String> = (0..300)
        .map(|n| format!("SETTING_{n}=value {n}\n"))
        .collect();
    let mut added = String::new();
    for round in 0..30 {
        lines[(round * 7) % 300] = format!("SETTING_CHANGED=round {round}\n");
        if round == 10 {
            lines.insert(150, env_file(&key, &secret));
        }
        if round == 20 {
            lines.remove(150);
        }
        repo.write("config/app.env", &lines.concat());
        repo.write(
            &format!("dir{}/n.txt", round % 3),
            &format!("round {round}\n"),
        );
        let commit = repo.commit(&format!("round {round}"));
        if round == 10 {
            added = commit;
        }
    }
    repo.write("big.txt", &"0123456789abcdef\n".repeat(10_000));
    repo.commit("big");
    (repo, key, added)
}

#[test]
fn a_packed_history_reports_what_the_loose_one_does() {
    let (repo, key, added) = history();
    let args = ["--git", ".", "--max-filesize", "100000"];
    let (loose, found) = git_findings(repo.path(), &args);
    let mut with_stats = vec!["--stats", "--format", "json"];
    with_stats.extend(args);
    let stats = keyleak(repo.path(), &with_stats).stderr;
    assert!(stat(&stats, "read from packs").starts_with("0 of "));
    let hits = with_key(&found, &key);
    assert_eq!(hits.len(), 1, "{found:#?}");
    assert_eq!(hits[0]["path"], "config/app.env");
    assert_eq!(hits[0]["line"], 151);
    assert_eq!(hits[0]["risk"], "critical");
    assert_eq!(hits[0]["has_secret"], true);
    assert_eq!(hits[0]["in_head"], false);
    assert_eq!(hits[0]["commit"]["id"], added.as_str());
    assert!(
        loose.stderr.contains("big.txt (blob ")
            && loose
                .stderr
                .contains("is over --max-filesize (100000 bytes)"),
        "{}",
        loose.stderr
    );
    let repacks: [&[&str]; 2] = [
        &["repack", "-adfq", "--depth=50", "--window=50"],
        &[
            "-c",
            "pack.useDeltaBaseOffset=false",
            "repack",
            "-adfq",
            "--depth=50",
        ],
    ];
    for repack in repacks {
        repo.git(repack);
        let counts = repo.git(&["count-objects", "-v"]);
        assert!(counts.contains("\ncount: 0\n") || counts.starts_with("count: 0\n"));
        let deltas = repo
            .git(&["verify-pack", "-v", &pack_index(&repo)])
            .lines()
            .filter(|l| l.contains(" blob ") && l.split_whitespace().count() > 5)
            .count();
        assert!(deltas >= 20, "{repack:?}: {deltas} blob deltas");
        let (packed, _) = git_findings(repo.path(), &args);
        // The blobs came from the packs (all but big.txt, which is only measured).
        let mut with_stats = vec!["--stats", "--format", "json"];
        with_stats.extend(args);
        let stats = keyleak(repo.path(), &with_stats).stderr;
        let unique: usize = stat(&stats, "unique blobs").parse().unwrap();
        assert_eq!(
            stat(&stats, "read from packs"),
            format!("{} of {unique} unique blobs", unique - 1)
        );
        assert_eq!(packed.code, loose.code, "{repack:?}");
        assert_eq!(packed.stdout, loose.stdout, "{repack:?}");
        assert_eq!(packed.stderr, loose.stderr, "{repack:?}");
    }
}

/// The one pack index of `repo`.
fn pack_index(repo: &Repo) -> String {
    let packs = repo.path().join(".git/objects/pack");
    let idx: Vec<_> = std::fs::read_dir(packs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "idx"))
        .collect();
    assert_eq!(idx.len(), 1, "{idx:?}");
    idx[0].display().to_string()
}
