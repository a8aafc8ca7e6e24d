//! `scan --git --cache DIR` (issue 20): a second run reads only what it has not seen and
//! reports byte for byte what a run without the cache reports; a new commit's key is found and
//! attributed to it; a run killed mid-way, a corrupt cache file, another detection setting or
//! another file format never cost a finding.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{FIXED_NOW, ROOT, Run, finish, scan_cmd, stat};
use crate::git_common::{
    DAY, HOUR, Repo, env_file, fake_key, fake_secret, git_stdin, keyleak, with_key,
};
use crate::org_audit::copy_dir;
use crate::scan_archives::gzip_of;

/// `keyleak scan --git . --format json --show-secrets ARGS`, with `--cache DIR` and `--stats`
/// when a cache is given.
fn scan(repo: &Repo, cache: Option<&Path>, args: &[&str]) -> Run {
    let mut all = vec!["--git", ".", "--format", "json", "--show-secrets"];
    let dir;
    if let Some(c) = cache {
        dir = c.display().to_string();
        all.extend(["--cache", &dir, "--stats"]);
    }
    all.extend_from_slice(args);
    let run = keyleak(repo.path(), &all);
    assert!(
        run.code == 0 || run.code == 1,
        "exit {}: {}",
        run.code,
        run.stderr
    );
    run
}

/// The one cache file in `dir`.
fn only_file(dir: &Path) -> std::path::PathBuf {
    let files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().unwrap()
}

/// A temporary directory and the cache directory to create in it.
fn cache_dir() -> (tempfile::TempDir, std::path::PathBuf) {
    let cache = tempfile::tempdir().unwrap();
    let dir = cache.path().join("kc");
    (cache, dir)
}

/// A repository with a key in `a.env` (commit 2, after a README): (repo, key, commit).
fn keyed_repo() -> (Repo, String, String) {
    let repo = Repo::new();
    repo.first_commit();
    let key = fake_key("AKIA");
    repo.write("a.env", &env_file(&key, &fake_secret()));
    repo.write("notes.txt", "nothing here\n");
    let commit = repo.commit("add a key");
    (repo, key, commit)
}

#[test]
fn second_run_reads_no_blob_and_reports_the_same() {
    let (repo, key, commit) = keyed_repo();
    let (_cache, dir) = cache_dir();
    let plain = scan(&repo, None, &[]);
    let first = scan(&repo, Some(&dir), &[]);
    assert_eq!(first.stdout, plain.stdout);
    assert!(
        stat(&first.stderr, "cache")
            .starts_with("0 repositories replayed, 0 walked again, 1 scanned in full (1 new,")
    );
    let second = scan(&repo, Some(&dir), &[]);
    assert_eq!(second.stdout, plain.stdout);
    assert_eq!(
        stat(&second.stderr, "cache"),
        "1 repositories replayed, 0 walked again, 0 scanned in full (0 new, 0 version or \
         settings changed, 0 unreadable); blobs reused 0 clean, 0 with findings or warnings; \
         read 0"
    );
    assert_eq!(stat(&second.stderr, "bytes read"), "0");
    let findings = second.findings();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["key_id"], key.as_str());
    assert_eq!(findings[0]["commit"]["id"], commit.as_str());
    // Human output, redacted, is the same too (the redacted line is kept apart).
    let human = |cache: Option<&Path>| {
        let mut args = vec!["--git", ".", "--format", "human"];
        let d = cache.map(|c| c.display().to_string());
        if let Some(d) = &d {
            args.extend(["--cache", d]);
        }
        keyleak(repo.path(), &args).stdout
    };
    assert_eq!(human(Some(&dir)), human(None));
    // The cache holds secrets: only its owner may read it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(mode(&files[0]), 0o600);
    }
}

#[test]
fn a_new_commit_is_walked_and_its_key_attributed_to_it() {
    let (repo, key, commit) = keyed_repo();
    let (_cache, dir) = cache_dir();
    scan(&repo, Some(&dir), &[]);
    // The old key stays in a changed a.env (its blob is new); a new key in b.env.
    let old = std::fs::read_to_string(repo.path().join("a.env")).unwrap();
    repo.write("a.env", &format!("# region eu-west-1\n{old}"));
    let new_key = fake_key("AKIA");
    repo.write("b.env", &env_file(&new_key, &fake_secret()));
    let new_commit = repo.commit("another key");
    let cached = scan(&repo, Some(&dir), &[]);
    let plain = scan(&repo, None, &[]);
    assert_eq!(cached.stdout, plain.stdout);
    // README and notes.txt were clean, the first a.env gave the key: none is read again;
    // the new a.env and b.env are.
    assert_eq!(
        stat(&cached.stderr, "cache"),
        "0 repositories replayed, 1 walked again, 0 scanned in full (0 new, 0 version or \
         settings changed, 0 unreadable); blobs reused 2 clean, 1 with findings or warnings; \
         read 2"
    );
    let findings = cached.findings();
    assert_eq!(findings.len(), 2, "{findings:#?}");
    assert_eq!(
        with_key(&findings, &key)[0]["commit"]["id"],
        commit.as_str()
    );
    assert_eq!(
        with_key(&findings, &new_key)[0]["commit"]["id"],
        new_commit.as_str()
    );
    assert_eq!(with_key(&findings, &new_key)[0]["path"], "b.env");
    // Deleting the first key's file moves HEAD: in_head is worked out again.
    repo.git(&["rm", "-q", "a.env"]);
    repo.commit("remove a.env");
    let cached = scan(&repo, Some(&dir), &[]);
    assert_eq!(cached.stdout, scan(&repo, None, &[]).stdout);
    assert_eq!(with_key(&cached.findings(), &key)[0]["in_head"], false);
}

#[test]
fn another_setting_or_format_scans_in_full_and_a_corrupt_cache_warns() {
    let (repo, _, _) = keyleak_repo_with_identifier();
    let (_cache, dir) = cache_dir();
    scan(&repo, Some(&dir), &[]);
    let with_ids = scan(&repo, Some(&dir), &["--include-identifiers"]);
    assert!(
        stat(&with_ids.stderr, "cache")
            .contains("1 scanned in full (0 new, 1 version or settings changed, 0 unreadable)"),
        "{}",
        with_ids.stderr
    );
    assert_eq!(
        with_ids.stdout,
        scan(&repo, None, &["--include-identifiers"]).stdout
    );
    assert_eq!(with_ids.findings().len(), 2);
    let small = scan(&repo, Some(&dir), &["--max-filesize", "10"]);
    assert!(stat(&small.stderr, "cache").contains("1 version or settings changed"));
    assert_eq!(
        small.stdout,
        scan(&repo, None, &["--max-filesize", "10"]).stdout
    );
    let file = only_file(&dir);
    // A file format of another version: a full scan, no warning.
    std::fs::write(&file, r#"{"format": 999, "anything": []}"#).unwrap();
    let other = scan(&repo, Some(&dir), &[]);
    assert!(stat(&other.stderr, "cache").contains("1 version or settings changed"));
    assert!(
        !other.stderr.contains("keyleak: warning"),
        "{}",
        other.stderr
    );
    let plain = scan(&repo, None, &[]);
    assert_eq!(other.stdout, plain.stdout);
    // Corrupt: a warning naming the file, a full scan, the same findings.
    std::fs::write(&file, "{\"format\": 1, \"key\": ").unwrap();
    let corrupt = scan(&repo, Some(&dir), &[]);
    assert!(stat(&corrupt.stderr, "cache").contains("1 unreadable"));
    let warning = format!(
        "keyleak: warning: {}: cache not used, scanning in full:",
        file.display()
    );
    assert!(corrupt.stderr.contains(&warning), "{}", corrupt.stderr);
    assert_eq!(corrupt.findings(), plain.findings());
    // It was written anew: the next run replays.
    let again = scan(&repo, Some(&dir), &[]);
    assert!(stat(&again.stderr, "cache").starts_with("1 repositories replayed"));
    assert_eq!(again.stdout, plain.stdout);
}

/// A key and, in another file, an IAM unique ID (reported only with --include-identifiers).
fn keyleak_repo_with_identifier() -> (Repo, String, String) {
    let (repo, key, commit) = keyed_repo();
    repo.write("ids.txt", &format!("role_id = {}\n", fake_key("AROA")));
    repo.commit("an identifier");
    (repo, key, commit)
}

/// `commits` commits of `files` files of about 2 KB each, all different, then a key.
fn big_repo(commits: usize, files: usize) -> (Repo, String) {
    let repo = Repo::new();
    let mut input = String::new();
    for c in 0..commits {
        input.push_str(&format!(
            "commit refs/heads/main\ncommitter T <t@example.com> {} +0000\ndata 2\nc\n",
            1_700_000_000 + c
        ));
        for f in 0..files {
            let body: String = (0..40)
                .map(|l| format!("commit {c} file {f} line {l} filler text\n"))
                .collect();
            input.push_str(&format!(
                "M 644 inline d{f}/f{f}.txt\ndata {}\n{body}\n",
                body.len()
            ));
        }
    }
    git_stdin(repo.path(), &["fast-import", "--quiet"], input.as_bytes());
    repo.git(&["reset", "-q", "--hard", "main"]);
    let key = fake_key("AKIA");
    repo.write("z.env", &env_file(&key, &fake_secret()));
    repo.commit("a key at the end");
    (repo, key)
}

/// Starts `keyleak scan --git . --cache DIR` and kills it (SIGKILL) after `after`; false
/// when it had finished by then.
fn killed_run(repo: &Repo, dir: &Path, after: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyleak"))
        .current_dir(repo.path())
        .args(["scan", "--git", ".", "--format", "json", "--cache"])
        .arg(dir)
        .env("HOME", Path::new(ROOT).join("target/no-such-home"))
        .env_remove("GIT_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    running
}

#[test]
fn a_run_killed_mid_way_loses_no_finding() {
    let (repo, key) = big_repo(150, 60);
    let (_cache, dir) = cache_dir();
    let start = Instant::now();
    let plain = scan(&repo, None, &[]);
    let full = start.elapsed();
    assert_eq!(with_key(&plain.findings(), &key).len(), 1);
    // Killed half-way through a first run: no cache or a whole one, never a part.
    assert!(killed_run(&repo, &dir, full / 2), "it finished in {full:?}");
    let files = std::fs::read_dir(&dir).map_or(0, |d| {
        d.filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count()
    });
    assert_eq!(files, 0, "a cache file before the repository was scanned");
    let after = scan(&repo, Some(&dir), &[]);
    assert_eq!(after.stdout, plain.stdout);
    // Killed half-way through a run with more to read: the old cache stands.
    let (more, more_key) = {
        let body: String = (0..3000).map(|l| format!("more text {l}\n")).collect();
        for f in 0..300 {
            repo.write(&format!("more/m{f}.txt"), &format!("{f}\n{body}"));
        }
        let k = fake_key("AKIA");
        repo.write("y.env", &env_file(&k, &fake_secret()));
        (repo.commit("more"), k)
    };
    // Whether it was still running is left to chance (the walk is quicker now).
    killed_run(&repo, &dir, full / 4);
    let resumed = scan(&repo, Some(&dir), &[]);
    assert_eq!(resumed.stdout, scan(&repo, None, &[]).stdout);
    let findings = resumed.findings();
    assert_eq!(with_key(&findings, &key).len(), 1);
    assert_eq!(
        with_key(&findings, &more_key)[0]["commit"]["id"],
        more.as_str()
    );
}

#[test]
fn a_temporary_key_that_may_still_expire_is_never_replayed() {
    let repo = Repo::new();
    repo.first_commit();
    let key = fake_key("ASIA");
    repo.write("t.env", &env_file(&key, &fake_secret()));
    repo.commit("a temporary key, committed now");
    let (_cache, dir) = cache_dir();
    scan(&repo, Some(&dir), &[]);
    let second = scan(&repo, Some(&dir), &[]);
    // Its risk turns `low` once it is older than a temporary key lives: worked out again,
    // from what the cache kept of its blob (not read again).
    assert_eq!(
        stat(&second.stderr, "cache"),
        "0 repositories replayed, 1 walked again, 0 scanned in full (0 new, 0 version or \
         settings changed, 0 unreadable); blobs reused 1 clean, 1 with findings or warnings; \
         read 0"
    );
    assert_eq!(second.stdout, scan(&repo, None, &[]).stdout);
    assert_eq!(with_key(&second.findings(), &key)[0]["expired"], false);
}

#[test]
fn presigned_urls_past_or_without_an_expiry_are_replayed() {
    let repo = Repo::new();
    repo.first_commit();
    let (old, unknown) = (fake_key("AKIA"), fake_key("AKIA"));
    let url = |key: &str, query: &str| {
        format!(
            "https://b.s3.amazonaws.com/k?X-Amz-Credential={key}/20250101/us-east-1/s3/\
             aws4_request{query}&X-Amz-Signature=00\n"
        )
    };
    let links = url(&old, "&X-Amz-Date=20250101T000000Z&X-Amz-Expires=60") + &url(&unknown, "");
    repo.write("links.txt", &links);
    repo.commit("two links");
    let (_cache, dir) = cache_dir();
    scan(&repo, Some(&dir), &[]);
    let second = scan(&repo, Some(&dir), &[]);
    assert!(
        stat(&second.stderr, "cache").starts_with("1 repositories replayed"),
        "{}",
        second.stderr
    );
    assert_eq!(second.stdout, scan(&repo, None, &[]).stdout);
    let findings = second.findings();
    assert_eq!(with_key(&findings, &old)[0]["kind"], "presigned_url");
    assert_eq!(with_key(&findings, &old)[0]["expired"], true);
    assert_eq!(with_key(&findings, &unknown)[0]["kind"], "presigned_url");
    assert_eq!(
        with_key(&findings, &unknown)[0]["expires_at"],
        serde_json::Value::Null
    );
}

#[test]
fn repositories_under_a_directory_each_have_their_cache() {
    let root = tempfile::tempdir().unwrap();
    let (a, key_a, _) = keyed_repo();
    let (b, key_b, _) = keyed_repo();
    for (name, repo) in [("a.git", &a), ("b.git", &b)] {
        let target = root.path().join(name);
        let (from, to) = (
            repo.path().display().to_string(),
            target.display().to_string(),
        );
        repo.git(&["clone", "-q", "--mirror", &from, &to]);
    }
    let (_cache, dir) = cache_dir();
    let run = |cache: bool| {
        let under = root.path().display().to_string();
        let d = dir.display().to_string();
        let mut args = vec!["--repos-under", &under, "--format", "json", "--stats"];
        if cache {
            args.extend(["--cache", &d]);
        }
        keyleak(root.path(), &args)
    };
    let plain = run(false);
    assert!(stat(&run(true).stderr, "cache").contains("2 scanned in full (2 new,"));
    let second = run(true);
    assert!(stat(&second.stderr, "cache").starts_with("2 repositories replayed, 0 walked again"));
    assert_eq!(second.stdout, plain.stdout);
    let findings = second.findings();
    let named = |name: &str| root.path().join(name).display().to_string();
    assert_eq!(with_key(&findings, &key_a)[0]["repository"], named("a.git"));
    assert_eq!(with_key(&findings, &key_b)[0]["repository"], named("b.git"));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
}

#[test]
fn cache_applies_to_history_scans_only() {
    let (repo, _, _) = keyed_repo();
    for args in [
        &["--cache", "kc", "."][..],
        &["--staged", "--cache", "kc", "."],
    ] {
        let run = keyleak(repo.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("--cache: applies to history scans (--git, --repos, --repos-under)"),
            "{}",
            run.stderr
        );
    }
    assert!(!repo.path().join("kc").exists());
}

/// A replay prints a workflow's wiring diff as a fresh run does: redacted without
/// `--show-secrets` (the cache holds it whole), whole with it.
#[test]
fn a_replayed_wiring_diff_stays_redacted() {
    let repo = Repo::new();
    let (key, secret) = (fake_key("AKIA"), fake_secret());
    repo.write(
        ".github/workflows/deploy.yml",
        &format!(
            "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      \
             AWS_ACCESS_KEY_ID: {key}\n      AWS_SECRET_ACCESS_KEY: {secret}\n    steps:\n      \
             - run: aws s3 ls\n"
        ),
    );
    repo.commit("deploy");
    let (_tmp, dir) = cache_dir();
    let dir_arg = dir.display().to_string();
    let plain = ["--git", ".", "--format", "json", "--cache", &dir_arg];
    let first = keyleak(repo.path(), &plain);
    let second = keyleak(repo.path(), &plain);
    assert_eq!(first.code, 1, "{}", first.stderr);
    assert_eq!(second.stdout, first.stdout);
    let diff = &second.json()["findings"][0]["advice"]["role"]["wiring_diff"];
    assert_eq!(diff["applies"], false, "{diff}");
    assert!(!second.stdout.contains(&secret[4..]), "{}", second.stdout);
    let shown = scan(&repo, Some(&dir), &[]);
    let diff = &shown.json()["findings"][0]["advice"]["role"]["wiring_diff"];
    assert_eq!(diff["applies"], true, "{diff}");
    assert!(diff["patch"].as_str().unwrap().contains(&secret), "{diff}");
}

/// `keyleak scan --git . ARGS` with "now" fixed at `now` (`KEYLEAK_NOW`).
fn keyleak_at(repo: &Repo, now: i64, args: &[&str]) -> Run {
    let mut cmd = scan_cmd(repo.path());
    for var in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] {
        cmd.env_remove(var);
    }
    let mut all = vec!["--git", "."];
    all.extend_from_slice(args);
    let run = finish(cmd.env("KEYLEAK_NOW", now.to_string()).args(&all));
    assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
    run
}

/// The warnings a run printed.
fn warnings(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|l| l.starts_with("keyleak: warning: "))
        .collect()
}

/// The files of `dir`, by name, as bytes.
fn snapshot(dir: &Path) -> Vec<(std::ffi::OsString, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name(), std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Puts back the files [`snapshot`] took, and only them.
fn restore(dir: &Path, files: &[(std::ffi::OsString, Vec<u8>)]) {
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::create_dir_all(dir).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// A walk after a reference moved gives, from the cache, what every blob it has seen gave
/// (findings per path, warnings, counts): no blob is read again, and every report format,
/// redacted or not, is the one a run without the cache prints. The repository holds
/// testdata's keys (contexts and role setups, a workflow's wiring diff, encodings, presigned
/// URLs, STS output, canary keys), a key in a gzip member, a file over `--max-filesize` (a
/// warning) and a temporary key that expires between the two runs (risk, `expired` and first
/// step are worked out again at the later "now").
#[test]
fn a_moved_reference_reads_no_blob_it_has_seen() {
    let repo = Repo::new();
    let t0 = FIXED_NOW - 10 * DAY;
    repo.first_commit_at(t0);
    let testdata = Path::new(ROOT).join("testdata");
    for dir in ["positive", "encoded", "deep"] {
        copy_dir(&testdata.join(dir), &repo.path().join(dir));
    }
    let (member_key, temporary) = (fake_key("AKIA"), fake_key("ASIA"));
    std::fs::create_dir_all(repo.path().join("dist")).unwrap();
    std::fs::write(
        repo.path().join("dist/keys.gz"),
        gzip_of(env_file(&member_key, &fake_secret()).as_bytes()),
    )
    .unwrap();
    repo.write("big.txt", &"filler text, no key\n".repeat(4000));
    repo.write("t.env", &env_file(&temporary, &fake_secret()));
    repo.commit_at(t0 + HOUR, "keys");
    let (_tmp, dir) = cache_dir();
    let d = dir.display().to_string();
    let limit = ["--max-filesize", "50000"];
    let json = |now: i64, cache: bool| {
        let mut args = vec!["--format", "json", "--show-secrets", "--stats"];
        args.extend(limit);
        if cache {
            args.extend(["--cache", &d]);
        }
        keyleak_at(&repo, now, &args)
    };
    // Within the temporary key's lifetime: live.
    let early = t0 + 2 * HOUR;
    let first = json(early, true);
    assert_eq!(first.stdout, json(early, false).stdout);
    assert_eq!(with_key(&first.findings(), &temporary)[0]["expired"], false);
    let saved = snapshot(&dir);
    // A commit that adds no blob: HEAD and main move.
    repo.commit_at(t0 + 3 * HOUR, "nothing new");
    let later = FIXED_NOW;
    let formats = ["json", "jsonl", "sarif", "gitlab", "github", "human"];
    for format in formats {
        for show in [false, true] {
            restore(&dir, &saved);
            let mut args = vec!["--format", format, "--stats"];
            args.extend(limit);
            if show {
                args.push("--show-secrets");
            }
            let plain = keyleak_at(&repo, later, &args);
            args.extend(["--cache", &d]);
            let cached = keyleak_at(&repo, later, &args);
            assert_eq!(cached.stdout, plain.stdout, "{format} show-secrets {show}");
            assert_eq!(warnings(&cached), warnings(&plain), "{format}");
            let line = stat(&cached.stderr, "cache");
            assert!(
                line.starts_with("0 repositories replayed, 1 walked again, 0 scanned in full")
                    && line.ends_with("; read 0"),
                "{format}: {line}"
            );
            assert_eq!(
                stat(&cached.stderr, "blobs scanned"),
                stat(&plain.stderr, "blobs scanned")
            );
            assert_eq!(stat(&cached.stderr, "bytes read"), "0");
        }
    }
    // Every blob was reused: the README and a few testdata files clean, the others (40-odd
    // files, the gzip, big.txt) with what they gave.
    restore(&dir, &saved);
    let run = json(later, true);
    let line = stat(&run.stderr, "cache");
    let reused: Vec<u64> = line
        .rsplit_once("blobs reused ")
        .unwrap()
        .1
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    let unique: u64 = stat(&run.stderr, "unique blobs").parse().unwrap();
    assert_eq!(reused[0] + reused[1], unique, "{line}");
    assert!(reused[1] > 40, "{line}");
    assert_eq!(reused[2], 0, "{line}");
    let findings = run.findings();
    // Settled at the later "now": the temporary key has expired since it was committed.
    assert_eq!(with_key(&findings, &temporary)[0]["expired"], true);
    assert_eq!(with_key(&findings, &temporary)[0]["risk"], "low");
    assert_eq!(
        with_key(&findings, &member_key)[0]["path"],
        "dist/keys.gz!keys"
    );
    assert!(
        run.stderr.contains("keyleak: warning: big.txt (blob ")
            && run.stderr.contains("over --max-filesize (50000 bytes)"),
        "{}",
        run.stderr
    );
}

/// A blob with a key met at a path it was not classified at (a rename, a copy whose path
/// sorts first) is read again: a finding's context, role setup, fingerprint and path depend
/// on the path, and detection on the first path. Paths and attribution are a full scan's.
#[test]
fn a_key_blob_at_a_new_path_is_read_again_there() {
    let (repo, key, commit) = keyed_repo();
    let (_cache, dir) = cache_dir();
    scan(&repo, Some(&dir), &[]);
    let walked = |read: u64| {
        let cached = scan(&repo, Some(&dir), &[]);
        assert_eq!(cached.stdout, scan(&repo, None, &[]).stdout);
        let line = stat(&cached.stderr, "cache");
        assert!(line.ends_with(&format!("; read {read}")), "{line}");
        cached.findings()
    };
    repo.git(&["mv", "a.env", "config.env"]);
    repo.commit("rename");
    let findings = walked(1);
    let at = |path: &str| {
        let f = with_key(&findings, &key);
        let f = f.iter().find(|f| f["path"] == path).unwrap();
        (f["commit"]["id"].clone(), f["in_head"].clone())
    };
    // An exact rename keeps the attribution of where the blob came from.
    assert_eq!(findings.len(), 2, "{findings:#?}");
    assert_eq!(at("a.env"), (commit.as_str().into(), true.into()));
    assert_eq!(at("config.env"), (commit.as_str().into(), true.into()));
    // Both paths are known now.
    repo.commit("nothing new");
    walked(0);
    // A copy whose path sorts first: the blob is detected under another first path.
    std::fs::copy(repo.path().join("config.env"), repo.path().join("0.env")).unwrap();
    let copied = repo.commit("a copy");
    let findings = walked(1);
    let at = |path: &str| {
        let f = with_key(&findings, &key);
        let f = f.iter().find(|f| f["path"] == path).unwrap();
        f["commit"]["id"].clone()
    };
    assert_eq!(findings.len(), 3, "{findings:#?}");
    assert_eq!(at("0.env"), copied.as_str());
    assert_eq!(at("config.env"), commit.as_str());
}

/// A cache written by the previous file format (format 1: clean blobs only) is a full scan,
/// no warning.
#[test]
fn a_cache_of_the_previous_format_is_a_full_scan() {
    let (repo, _, _) = keyed_repo();
    let (_cache, dir) = cache_dir();
    scan(&repo, Some(&dir), &[]);
    let file = only_file(&dir);
    std::fs::write(
        &file,
        r#"{"format":1,"key":"k","tips":"t","clean":"","replay":{"findings":[],"counts":{"commits":2,"blobs":0,"bytes":0,"unique_blobs":0,"plan_bytes":0},"warnings":[],"notes":[]}}"#,
    )
    .unwrap();
    let run = scan(&repo, Some(&dir), &[]);
    assert!(
        stat(&run.stderr, "cache")
            .contains("1 scanned in full (0 new, 1 version or settings changed"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("keyleak: warning"), "{}", run.stderr);
    assert_eq!(run.stdout, scan(&repo, None, &[]).stdout);
}

/// A finding's role setup names the repository's branch: after HEAD moves to another branch,
/// the blobs with findings are read again (the clean ones stay known) and the trust policy
/// names the new branch, as a full scan does.
#[test]
fn another_head_branch_reads_the_blobs_with_findings_again() {
    let repo = Repo::new();
    repo.first_commit();
    repo.write(
        ".github/workflows/deploy.yml",
        &format!(
            "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      \
             AWS_ACCESS_KEY_ID: {}\n      AWS_SECRET_ACCESS_KEY: {}\n    steps:\n      \
             - run: aws s3 ls\n",
            fake_key("AKIA"),
            fake_secret()
        ),
    );
    repo.commit("deploy");
    let (_tmp, dir) = cache_dir();
    let first = scan(&repo, Some(&dir), &[]);
    assert!(first.stdout.contains("refs/heads/main"), "{}", first.stdout);
    repo.git(&["checkout", "-q", "-b", "release"]);
    let cached = scan(&repo, Some(&dir), &[]);
    assert_eq!(cached.stdout, scan(&repo, None, &[]).stdout);
    assert!(
        cached.stdout.contains("refs/heads/release"),
        "{}",
        cached.stdout
    );
    assert!(
        stat(&cached.stderr, "cache")
            .ends_with("blobs reused 1 clean, 0 with findings or warnings; read 1"),
        "{}",
        cached.stderr
    );
}

/// The ids of the blobs the cache file in `dir` (there is one) remembers, in any form.
fn cache_text(dir: &Path) -> String {
    let files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    std::fs::read_to_string(&files[0]).unwrap()
}

/// A blob no reference reaches any more (its branch deleted) leaves the cache at the next
/// scan of the whole history; a scan of one reference keeps what it did not walk.
#[test]
fn blobs_no_reference_reaches_leave_the_cache_with_a_whole_history_scan() {
    let (repo, _key, _) = keyed_repo();
    let (_cache, dir) = cache_dir();
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.write("side.txt", "only on the side branch\n");
    repo.commit("side");
    let side = repo.rev("HEAD:side.txt");
    let notes = repo.rev("HEAD:notes.txt");
    repo.git(&["checkout", "-q", "main"]);
    scan(&repo, Some(&dir), &[]);
    assert!(cache_text(&dir).contains(&side));
    repo.git(&["branch", "-q", "-D", "side"]);
    scan(&repo, Some(&dir), &["--ref", "main"]);
    assert!(
        cache_text(&dir).contains(&side),
        "one reference walked: kept"
    );
    let run = scan(&repo, Some(&dir), &[]);
    let text = cache_text(&dir);
    assert!(!text.contains(&side), "no reference reaches it: dropped");
    assert!(text.contains(&notes), "still reached: kept");
    assert_eq!(run.stdout, scan(&repo, None, &[]).stdout);
    // What stayed is still used: nothing is read again.
    let again = scan(&repo, Some(&dir), &["--ref", "main"]);
    assert!(
        stat(&again.stderr, "cache").ends_with("; read 0"),
        "{}",
        stat(&again.stderr, "cache")
    );
}
