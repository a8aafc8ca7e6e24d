//! A hostile repository: a shallow clone that then gets a commit with 10,000 files, a
//! corrupted loose blob, a blob whose only copy is in a truncated pack, a corrupted loose
//! commit on a side branch and a ref to a commit that does not exist — with fake key pairs in
//! readable and unreadable blobs. `scan --git` must report every key it can read, warn about
//! the rest, and exit by its findings: 1, never 0 and never a panic (101).
//!
//! `git_history` and `git_repos` check a deleted blob and a shallow clone alone; this checks
//! the damage together, as a repository restored from a bad disk would have it.
#![cfg(unix)]

use std::path::Path;

use crate::git_common::{
    DAY, Repo, env_file, fake_key, fake_secret, git_findings, git_in, git_stdin, keyleak, now,
};

const MANY_FILES: usize = 10_000;
/// The file of the 10,000 that holds a key pair, after one line of filler.
const MANY_KEYED: usize = 7777;

/// Writes `path` with `content`, stages only that path and commits it at `when`; the id.
/// (Only that path: after fast-import the 10,000 files are in the index, not on disk.)
fn commit_file(dir: &Path, when: i64, path: &str, content: &str) -> String {
    std::fs::write(dir.join(path), content).unwrap();
    git_in(dir, when, &["add", path]);
    git_in(dir, when, &["commit", "-q", "-m", &format!("add {path}")]);
    rev(dir, "HEAD")
}

fn rev(dir: &Path, rev: &str) -> String {
    git_in(dir, now(), &["rev-parse", rev]).trim().to_string()
}

/// A commit on top of HEAD with `MANY_FILES` files of distinct content, written straight
/// into a pack by `git fast-import` (10,000 new files and loose objects take minutes on
/// some file systems); then the index is reset to it. Returns its id.
fn commit_many(dir: &Path, when: i64, keyed: &str) -> String {
    let head = rev(dir, "HEAD");
    let message = "10,000 files";
    let mut stream = format!(
        "commit refs/heads/main\ncommitter Test Author <author@example.com> {when} +0000\n\
         data {}\n{message}\nfrom {head}\n",
        message.len()
    );
    for i in 0..MANY_FILES {
        let mut content = format!("file {i}\n");
        if i == MANY_KEYED {
            content.push_str(keyed);
        }
        stream.push_str(&format!(
            "M 100644 inline many/f{i:05}.txt\ndata {}\n{content}\n",
            content.len()
        ));
    }
    git_stdin(dir, &["fast-import", "--quiet"], stream.as_bytes());
    git_in(dir, when, &["reset", "-q"]);
    rev(dir, "HEAD")
}

/// Path of loose object `oid` in repository `dir`.
fn loose(dir: &Path, oid: &str) -> std::path::PathBuf {
    dir.join(".git/objects").join(&oid[..2]).join(&oid[2..])
}

/// Git writes objects and packs read-only.
fn writable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
}

/// Flips every byte of a loose object after its 2-byte zlib header: it no longer inflates.
fn corrupt_loose(dir: &Path, oid: &str) {
    let path = loose(dir, oid);
    let mut bytes = std::fs::read(&path).expect("the object is loose");
    for b in &mut bytes[2..] {
        *b ^= 0x5a;
    }
    writable(&path);
    std::fs::write(&path, bytes).unwrap();
}

/// Moves object `oid` into a pack of its own and drops its loose copy; the pack's path,
/// writable.
fn pack_alone(dir: &Path, oid: &str) -> std::path::PathBuf {
    let name = git_stdin(
        dir,
        &["pack-objects", "-q", ".git/objects/pack/pack"],
        format!("{oid}\n").as_bytes(),
    );
    git_in(dir, now(), &["prune-packed"]);
    assert!(!loose(dir, oid).exists(), "the pack is the only copy");
    let pack = dir.join(format!(".git/objects/pack/pack-{}.pack", name.trim()));
    writable(&pack);
    pack
}

/// Moves blob `oid` into a pack of its own, drops its loose copy, then cuts the pack in half.
fn truncate_into_pack(dir: &Path, oid: &str) {
    let pack = pack_alone(dir, oid);
    let len = std::fs::metadata(&pack).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&pack)
        .and_then(|f| f.set_len(len / 2))
        .unwrap();
}

/// (path, line, key ID, risk, secret, commit) of each finding.
type Row = (String, u64, String, String, String, String);

fn row(path: &str, line: u64, key: &str, secret: &str, commit: &str) -> Row {
    let s = |v: &str| v.to_string();
    (s(path), line, s(key), s("critical"), s(secret), s(commit))
}

#[test]
fn hostile_repository_reports_what_it_can_read_and_warns_about_the_rest() {
    let pair = || (fake_key("AKIA"), fake_secret());
    let t0 = now() - 30 * DAY;

    // The origin: a key committed and removed before the shallow boundary, one at it.
    let origin = Repo::new();
    let (old_key, old_secret) = pair();
    origin.write("old.env", &env_file(&old_key, &old_secret));
    origin.commit_at(t0, "old key");
    origin.git(&["rm", "-q", "old.env"]);
    let (head_key, head_secret) = pair();
    origin.write("head.env", &env_file(&head_key, &head_secret));
    let boundary = origin.commit_at(t0 + DAY, "head key");

    let clone = origin.sibling("clone");
    let url = format!("file://{}", origin.path().display());
    git_in(
        origin.path(),
        now(),
        &["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()],
    );
    let c = clone.as_path();
    git_in(c, now(), &["config", "user.name", "Test Author"]);
    git_in(c, now(), &["config", "user.email", "author@example.com"]);

    // A side branch whose first commit will be corrupted: libgit2's sorted walk then fails.
    git_in(c, now(), &["checkout", "-q", "-b", "side"]);
    let (s1_key, s1_secret) = pair();
    let s1 = commit_file(c, t0 + 2 * DAY, "s1.env", &env_file(&s1_key, &s1_secret));
    let (s2_key, s2_secret) = pair();
    let s2 = commit_file(c, t0 + 3 * DAY, "s2.env", &env_file(&s2_key, &s2_secret));
    git_in(c, now(), &["checkout", "-q", "main"]);

    let (many_key, many_secret) = pair();
    let many = commit_many(c, t0 + 4 * DAY, &env_file(&many_key, &many_secret));
    let (corrupt_key, corrupt_secret) = pair();
    commit_file(
        c,
        t0 + 5 * DAY,
        "corrupt.env",
        &env_file(&corrupt_key, &corrupt_secret),
    );
    let (packed_key, packed_secret) = pair();
    commit_file(
        c,
        t0 + 6 * DAY,
        "packed.env",
        &env_file(&packed_key, &packed_secret),
    );
    let (ok_key, ok_secret) = pair();
    let ok = commit_file(c, t0 + 7 * DAY, "ok.env", &env_file(&ok_key, &ok_secret));

    // The damage, once git has nothing more to do here.
    let corrupt_blob = rev(c, "HEAD:corrupt.env");
    let packed_blob = rev(c, "HEAD:packed.env");
    truncate_into_pack(c, &packed_blob);
    corrupt_loose(c, &corrupt_blob);
    corrupt_loose(c, &s1);
    let ghost = "dead".repeat(10);
    std::fs::write(c.join(".git/refs/heads/ghost"), format!("{ghost}\n")).unwrap();

    let (run, findings) = git_findings(c, &["--git"]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let got: Vec<Row> = findings
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("-").to_string();
            let commit = f["commit"]["id"].as_str().unwrap().to_string();
            (
                s("path"),
                f["line"].as_u64().unwrap(),
                s("key_id"),
                s("risk"),
                s("secret"),
                commit,
            )
        })
        .collect();
    // s1.env's own commit is unreadable, so its key counts from the first readable commit
    // that holds it; old.env lies before the boundary, corrupt.env and packed.env cannot be
    // read.
    let want = vec![
        row("head.env", 1, &head_key, &head_secret, &boundary),
        row(
            &format!("many/f{MANY_KEYED:05}.txt"),
            2,
            &many_key,
            &many_secret,
            &many,
        ),
        row("ok.env", 1, &ok_key, &ok_secret, &ok),
        row("s1.env", 1, &s1_key, &s1_secret, &s2),
        row("s2.env", 1, &s2_key, &s2_secret, &s2),
    ];
    assert_eq!(got, want, "stderr:\n{}", run.stderr);
    for unread in [&old_key, &corrupt_key, &packed_key] {
        assert!(!run.stdout.contains(unread.as_str()), "{unread}");
    }

    // One warning per hazard, each naming what it concerns.
    let warnings: Vec<&str> = run.stderr.lines().collect();
    let expect = [
        (
            format!("commit {s1}: missing or corrupt"),
            "history only behind it",
        ),
        (
            format!("corrupt.env (blob {corrupt_blob}): missing or corrupt object"),
            "",
        ),
        (
            "history walk: ".to_string(),
            "walked again commit by commit",
        ),
        (
            format!("packed.env (blob {packed_blob}): missing or corrupt object"),
            "",
        ),
        (
            "refs/heads/ghost: skipped: object deaddeaddeaddeaddeaddeaddeaddeaddeaddead is \
             missing or corrupt"
                .to_string(),
            "",
        ),
        ("repository: shallow clone".to_string(), ""),
    ];
    assert_eq!(warnings.len(), expect.len(), "{}", run.stderr);
    for (line, (start, phrase)) in warnings.iter().zip(&expect) {
        let line = line.strip_prefix("keyleak: warning: ").expect("a warning");
        assert!(
            line.starts_with(start.as_str()) && line.contains(phrase),
            "{line}\nwanted {start}…{phrase}"
        );
    }
    assert_eq!(run.json()["summary"]["warnings"], expect.len());

    // The exit code follows the findings, not the warnings.
    assert_eq!(keyleak(c, &["--git", "--fail-on", "never"]).code, 0);
    assert_eq!(keyleak(c, &["--git", "--fail-on", "critical"]).code, 1);
}

/// A tree object whose second entry is cut off (as `git hash-object --literally` lets one
/// write it): the diff keeps what comes before the damage, warns about the directory, and
/// scans on.
#[test]
fn a_malformed_tree_keeps_the_entries_before_the_damage() {
    let repo = Repo::new();
    let (key, secret) = (fake_key("AKIA"), fake_secret());
    repo.write("a.env", &env_file(&key, &secret));
    repo.commit_at(now() - DAY, "a key");
    let dir = repo.path();
    let blob = rev(dir, "HEAD:a.env");
    let mut tree = b"100644 a.env\0".to_vec();
    tree.extend((0..20).map(|i| u8::from_str_radix(&blob[2 * i..2 * i + 2], 16).unwrap()));
    tree.extend_from_slice(b"100644 b.env\0\x12\x34");
    let tree_id = git_stdin(
        dir,
        &["hash-object", "-t", "tree", "--literally", "-w", "--stdin"],
        &tree,
    );
    let commit = git_in(
        dir,
        now(),
        &["commit-tree", tree_id.trim(), "-m", "bad tree"],
    );
    git_in(dir, now(), &["update-ref", "refs/heads/bad", commit.trim()]);

    let (run, findings) = git_findings(dir, &["--git", "--ref", "bad"]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["key_id"], key.as_str());
    assert_eq!(findings[0]["path"], "a.env");
    assert_eq!(findings[0]["commit"]["id"], commit.trim());
    assert!(
        run.stderr.contains("directory /: corrupt tree"),
        "{}",
        run.stderr
    );
}

/// Moves object `oid` into a pack of its own, drops its loose copy, and gives its entry a type
/// git never writes (5): git2's header read panicked on it (exit 101).
fn pack_with_bad_type(dir: &Path, oid: &str) {
    let pack = pack_alone(dir, oid);
    let mut bytes = std::fs::read(&pack).unwrap();
    // The only entry follows the 12-byte pack header; type bits are 4-6 of its first byte.
    bytes[12] = (bytes[12] & 0x8f) | (5 << 4);
    std::fs::write(&pack, bytes).unwrap();
}

#[test]
fn a_pack_entry_of_no_known_type_is_a_warning_not_a_crash() {
    let repo = Repo::new();
    let (key, secret) = (fake_key("AKIA"), fake_secret());
    repo.write("a.env", &env_file(&key, &secret));
    repo.write("b.env", &env_file(&fake_key("AKIA"), &fake_secret()));
    repo.write("d/c.env", &env_file(&fake_key("AKIA"), &fake_secret()));
    let commit = repo.commit_at(now() - DAY, "keys");
    let dir = repo.path();
    let (blob, tree) = (rev(dir, "HEAD:b.env"), rev(dir, "HEAD:d"));
    pack_with_bad_type(dir, &blob);
    pack_with_bad_type(dir, &tree);

    let (run, findings) = git_findings(dir, &["--git"]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["key_id"], key.as_str());
    assert_eq!(findings[0]["path"], "a.env");
    assert_eq!(findings[0]["commit"]["id"], commit.as_str());
    let corrupt = "corrupt object: its type is none of git's";
    assert_eq!(
        run.stderr,
        format!(
            "keyleak: warning: b.env (blob {blob}): {corrupt}\n\
             keyleak: warning: tree {tree} (d): missing or corrupt: invalid pack file - \
             invalid packfile type in header\n"
        )
    );

    // Staged, the same blob fails the hook instead.
    repo.git(&["rm", "-q", "--cached", "b.env"]);
    repo.git(&["commit", "-q", "-m", "drop b"]);
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("100644,{blob},b.env"),
    ]);
    let run = keyleak(dir, &["--staged"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(corrupt), "{}", run.stderr);
}
