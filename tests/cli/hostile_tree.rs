//! A hostile tree, built at test time: a FIFO, a symlink loop, a symlink to `/dev/zero`, a
//! sparse 2 GiB file, a 50 MiB file that is one line with a key pair at its very end, a file
//! name that is not UTF-8, 500 nested directories, 100,000 empty files and an unreadable
//! file, plus two fake key pairs. With and without `--follow` the scan must finish (scan_cmd's
//! timeout turns a hang into a failure), report exactly the two pairs, warn about each
//! skipped item, exit 1 and stay under 200 MB of peak memory.
//!
//! `scan_walk` checks each hazard alone; this checks them together, at full size.
#![cfg(unix)]

use std::fs;
use std::path::Path;

use tempfile::TempDir;

use crate::common::{Run, Want, assert_findings, finish, isolate, scan_in};
use crate::git_common::{env_file, fake_key, fake_secret};

/// keyleak's default `--max-filesize` (docs/options.md: 100M), which the sparse file is over.
const DEFAULT_MAX_FILESIZE: u64 = 100 << 20;
const SPARSE_SIZE: u64 = 2 << 30;
/// The single-line file's filler before its key pair.
const LONG_LINE_FILLER: usize = 50 << 20;
const NESTING: usize = 500;
const EMPTY_DIRS: usize = 100;
const EMPTY_PER_DIR: usize = 1000;
/// The bound on peak resident memory, in kilobytes as `/usr/bin/time` reports it.
const PEAK_RSS_LIMIT_KB: u64 = 200_000;

/// A built tree and what a scan of it must say.
struct Hostile {
    dir: TempDir,
    want: Vec<Want>,
    /// False when file permissions do not stop this process (root): no warning to expect.
    unreadable: bool,
}

fn pair_want(
    path: &str,
    line: u64,
    column: u64,
    key: &str,
    secret: &str,
    secret_line: u64,
) -> Want {
    let context = if path.ends_with(".env") {
        "credentials_file"
    } else {
        "sdk_code"
    };
    Want::critical_pair(path, (line, column), key, (secret, secret_line), context)
}

fn build() -> Hostile {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();

    // One line of minified code, the secret and then the key ID as its last bytes.
    let (long_key, long_secret) = (fake_key("AKIA"), fake_secret());
    let mut bundle = b"var a=1;".repeat(LONG_LINE_FILLER / 8);
    let tail_start = bundle.len();
    bundle.extend_from_slice(format!("s=\"{long_secret}\",k=\"{long_key}\"").as_bytes());
    fs::write(d.join("bundle.min.js"), &bundle).unwrap();
    let key_column = tail_start + format!("s=\"{long_secret}\",k=\"").len() + 1;

    let (deep_key, deep_secret) = (fake_key("AKIA"), fake_secret());
    let deep_dir = "d/".repeat(NESTING);
    fs::create_dir_all(d.join(&deep_dir)).unwrap();
    let deep_path = format!("{deep_dir}creds.env");
    fs::write(d.join(&deep_path), env_file(&deep_key, &deep_secret)).unwrap();

    // Sparse: set_len allocates no blocks, so 2 GiB costs nothing to make.
    fs::File::create(d.join("huge.bin"))
        .and_then(|f| f.set_len(SPARSE_SIZE))
        .unwrap();

    // Hard links, one empty inode per directory (ext4 allows 65,000 links): to the walk each
    // is a file of its own, and they take seconds to make where 100,000 new inodes take
    // minutes on some file systems.
    for i in 0..EMPTY_DIRS {
        let sub = d.join(format!("empty/{i:03}"));
        fs::create_dir_all(&sub).unwrap();
        let first = sub.join("0");
        fs::File::create(&first).unwrap();
        for j in 1..EMPTY_PER_DIR {
            fs::hard_link(&first, sub.join(j.to_string())).unwrap();
        }
    }

    fs::create_dir(d.join("links")).unwrap();
    std::os::unix::fs::symlink("..", d.join("links/loop")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.join("links/zero")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(d.join("pipe"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo pipe");
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"name-\xff.txt");
        fs::write(d.join(name), "no keys here\n").unwrap();
    }

    let unreadable = lock(&d.join("locked.txt"));
    let want = vec![
        pair_want(
            "bundle.min.js",
            1,
            key_column as u64,
            &long_key,
            &long_secret,
            1,
        ),
        pair_want(&deep_path, 1, 19, &deep_key, &deep_secret, 2),
    ];
    Hostile {
        dir,
        want,
        unreadable,
    }
}

/// Writes `path` with mode 000; false when this process can read it anyway (root, or
/// CAP_DAC_OVERRIDE), so the scan has no error to report for it.
fn lock(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::write(path, "nothing to see\n").unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o000)).unwrap();
    fs::read(path).is_err()
}

/// `keyleak scan ARGS` in `dir` under GNU time, and its peak resident set in kilobytes;
/// `None` when `/usr/bin/time` is not there (then keyleak runs alone).
pub fn scan_measured(dir: &Path, args: &[&str]) -> (Run, Option<u64>) {
    let time = Path::new("/usr/bin/time");
    if !cfg!(target_os = "linux") || !time.exists() {
        return (scan_in(dir, args), None);
    }
    let report = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = assert_cmd::Command::new(time);
    isolate(&mut cmd, dir);
    cmd.arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(report.path())
        .arg(env!("CARGO_BIN_EXE_keyleak"))
        .arg("scan")
        .args(args);
    let run = finish(&mut cmd);
    let text = fs::read_to_string(report.path()).unwrap();
    // GNU time writes "Command exited with non-zero status N" first, then the format.
    let kb = text
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in time's output: {text:?}"));
    (run, Some(kb))
}

/// Each `keyleak: warning: SUBJECT: MESSAGE` line of stderr, as (subject, message), sorted.
fn warnings(stderr: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = stderr
        .lines()
        .map(|l| {
            let rest = l
                .strip_prefix("keyleak: warning: ")
                .unwrap_or_else(|| panic!("stderr holds only warnings: {l}"));
            let (subject, message) = rest.split_once(": ").expect("subject: message");
            (subject.to_string(), message.to_string())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn hostile_tree_is_scanned_to_the_end_with_and_without_follow() {
    let tree = build();
    if !tree.unreadable {
        println!("unreadable-file case skipped: this process reads mode-000 files (root)");
    }
    let over = format!("{SPARSE_SIZE} bytes is over --max-filesize ({DEFAULT_MAX_FILESIZE} bytes)");
    for follow in [false, true] {
        let mut args = vec![".", "--format", "json", "--show-secrets"];
        if follow {
            args.push("--follow");
        }
        let (run, peak_kb) = scan_measured(tree.dir.path(), &args);
        assert_eq!(run.code, 1, "{args:?}; stderr:\n{}", run.stderr);
        assert_findings(&run.findings(), &tree.want);

        // What each skipped item must be warned about. Without --follow symlinks are not
        // followed (as ripgrep), so the loop and /dev/zero are never reached, but each link
        // is still named.
        let mut expect: Vec<(&str, &str)> = vec![
            ("huge.bin", over.as_str()),
            ("name-\u{fffd}.txt", "not valid UTF-8"),
            ("pipe", "not a regular file"),
        ];
        if follow {
            expect.push(("links/loop", "symlink loop back to ."));
            expect.push(("links/zero", "special files are never read through a link"));
        } else {
            expect.push(("links/loop", "skipped: symlink (pass -L"));
            expect.push(("links/zero", "skipped: symlink (pass -L"));
        }
        if tree.unreadable {
            expect.push(("locked.txt", "cannot read"));
        }
        expect.sort();
        let got = warnings(&run.stderr);
        let subjects: Vec<&str> = got.iter().map(|(s, _)| s.as_str()).collect();
        let want_subjects: Vec<&str> = expect.iter().map(|(s, _)| *s).collect();
        assert_eq!(subjects, want_subjects, "{args:?}; stderr:\n{}", run.stderr);
        for ((subject, message), (_, phrase)) in got.iter().zip(&expect) {
            assert!(message.contains(phrase), "{subject}: {message}");
        }
        let summary = &run.json()["summary"];
        assert_eq!(summary["warnings"], expect.len(), "{args:?}");
        let files = EMPTY_DIRS * EMPTY_PER_DIR + 3 + usize::from(!tree.unreadable);
        assert_eq!(summary["scanned_blobs"], files, "{args:?}");

        match peak_kb {
            Some(kb) => {
                println!("{args:?}: peak RSS {kb} KB");
                assert!(kb < PEAK_RSS_LIMIT_KB, "{args:?}: peak RSS {kb} KB");
            }
            None => println!("peak RSS not measured: no GNU time at /usr/bin/time"),
        }
    }
}
