//! The file walk, on trees built in a temporary directory: ignore files, hidden files,
//! `.git/`, the size limit, symlink loops, FIFOs, non-UTF-8 names, unreadable files and a
//! binary file with a key inside. Keys are fake, generated like those in testdata/.

use std::fs;
use std::path::Path;

use crate::common::{Run, Want, assert_findings, scan_in, write};

/// Distinct fake key IDs, so each test can tell which file a finding came from.
const K1: &str = "AKIAS73GWDLBIRA6UTJW";
const K2: &str = "AKIAS73GWDLBIHG22U7G";
const K3: &str = "AKIAS73GWDLBIG6JLVKW";
const K4: &str = "AKIAS73GWDLBADRKZRLQ";

fn key_line(key: &str) -> String {
    format!("AWS_ACCESS_KEY_ID={key}\n")
}

/// (path, key ID) of every finding of a JSON run, in report order.
pub fn found(run: &Run) -> Vec<(String, String)> {
    run.findings()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["key_id"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(p, k)| (p.to_string(), k.to_string()))
        .collect()
}

fn scan_json(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec![".", "--format", "json"];
    args.extend_from_slice(extra);
    scan_in(dir, &args)
}

#[test]
fn gitignore_is_honoured_in_a_repository_unless_no_ignore() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The `ignore` crate applies .gitignore only inside a git repository, as git does.
    fs::create_dir(d.join(".git")).unwrap();
    write(d, ".gitignore", "ignored.env\nbuild/\n");
    write(d, "ignored.env", key_line(K1));
    write(d, "build/out.txt", key_line(K2));
    write(d, "kept.txt", key_line(K3));
    let run = scan_json(d, &[]);
    assert_eq!(found(&run), pairs(&[("kept.txt", K3)]));
    let run = scan_json(d, &["--no-ignore"]);
    assert_eq!(
        found(&run),
        pairs(&[("build/out.txt", K2), ("ignored.env", K1), ("kept.txt", K3)])
    );
}

#[test]
fn dot_ignore_is_honoured_without_git() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, ".ignore", "skip.txt\n");
    write(d, "skip.txt", key_line(K1));
    write(d, "keep.txt", key_line(K2));
    assert_eq!(found(&scan_json(d, &[])), pairs(&[("keep.txt", K2)]));
    assert_eq!(
        found(&scan_json(d, &["--no-ignore"])),
        pairs(&[("keep.txt", K2), ("skip.txt", K1)])
    );
}

/// Unlike ripgrep, hidden files and directories are scanned: that is where keys leak.
#[test]
fn hidden_files_are_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, ".env", key_line(K1));
    write(d, ".config/tool/.settings", key_line(K2));
    assert_eq!(
        found(&scan_json(d, &[])),
        pairs(&[(".config/tool/.settings", K2), (".env", K1)])
    );
}

#[test]
fn never_walks_dotgit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, ".git/config", key_line(K1));
    write(d, ".git/COMMIT_EDITMSG", key_line(K2));
    write(d, "sub/.git/HEAD", key_line(K3));
    write(d, "app.txt", key_line(K4));
    for extra in [&[][..], &["--no-ignore"][..]] {
        assert_eq!(
            found(&scan_json(d, extra)),
            pairs(&[("app.txt", K4)]),
            "{extra:?}"
        );
    }
}

#[test]
fn max_filesize_skips_bigger_files_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut big = key_line(K1);
    big.push_str(&"# padding line\n".repeat(100)); // about 1.5 KiB
    write(d, "big.txt", &big);
    write(d, "small.txt", key_line(K2));
    let run = scan_json(d, &["--max-filesize", "1K"]);
    assert_eq!(run.code, 1, "the small file's key still fails the run");
    assert_eq!(found(&run), pairs(&[("small.txt", K2)]));
    assert!(
        run.stderr.contains("big.txt") && run.stderr.contains("--max-filesize"),
        "{}",
        run.stderr
    );
    assert_eq!(run.json()["summary"]["warnings"], 1);
    // Without the limit the big file is read.
    assert_eq!(found(&scan_json(d, &[])).len(), 2);
}

/// The limit holds against what is read, not what `stat` says (D20): a `/proc` file says
/// 0 bytes and a log can grow after the check. Reading stops one byte past the limit.
#[cfg(target_os = "linux")]
#[test]
fn max_filesize_holds_for_a_file_longer_than_its_size_says() {
    let dir = tempfile::tempdir().unwrap();
    let run = scan_in(
        dir.path(),
        &[
            "/proc/self/status",
            "--max-filesize",
            "100",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "keyleak: warning: /proc/self/status: skipped: more than 100 bytes is over \
         --max-filesize (100 bytes)\n"
    );
    assert_eq!(run.json()["summary"]["scanned_blobs"], 0);
    assert_eq!(run.json()["summary"]["scanned_bytes"], 0);
    // Under a limit it fits in, the same file is read whole.
    let run = scan_in(dir.path(), &["/proc/self/status", "--format", "json"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(run.json()["summary"]["scanned_blobs"], 1);
}

/// A file of exactly `--max-filesize` bytes is read; one byte more is not.
#[test]
fn max_filesize_is_inclusive() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let line = key_line(K1);
    write(d, "exact.txt", &line);
    write(d, "over.txt", format!("{}\n", key_line(K2)));
    let max = line.len().to_string();
    let run = scan_json(d, &["--max-filesize", &max]);
    assert_eq!(found(&run), pairs(&[("exact.txt", K1)]));
    assert_eq!(
        run.stderr,
        format!(
            "keyleak: warning: over.txt: skipped: {} bytes is over --max-filesize ({max} bytes)\n",
            line.len() + 1
        )
    );
}

#[cfg(unix)]
#[test]
fn symlink_loop_with_follow_warns_and_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a/key.txt", key_line(K1));
    fs::create_dir_all(d.join("a/b")).unwrap();
    std::os::unix::fs::symlink("../..", d.join("a/b/loop")).unwrap();
    // scan_cmd's timeout turns a hang into a failure.
    let run = scan_json(d, &["--follow"]);
    assert_eq!(found(&run), pairs(&[("a/key.txt", K1)]), "found once");
    assert!(
        run.stderr.contains("a/b/loop") && run.stderr.contains("loop"),
        "{}",
        run.stderr
    );
    // Without --follow the link is not followed, so there is no loop to report: only the
    // skipped link.
    let run = scan_json(d, &[]);
    assert_eq!(found(&run), pairs(&[("a/key.txt", K1)]));
    assert_eq!(
        run.stderr,
        "keyleak: warning: a/b/loop: skipped: symlink (pass -L to follow links inside the \
         scanned paths)\n"
    );
}

#[cfg(unix)]
#[test]
fn fifo_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "k.txt", key_line(K1));
    let made = std::process::Command::new("mkfifo")
        .arg(d.join("pipe"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        println!("skipped: mkfifo is not available");
        return;
    }
    // Opening the FIFO would block forever with no writer; the timeout catches that.
    let run = scan_json(d, &[]);
    assert_eq!(found(&run), pairs(&[("k.txt", K1)]));
    assert!(
        run.stderr.contains("pipe") && run.stderr.contains("not a regular file"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn non_utf8_file_name_warns_and_its_key_is_found() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let name = OsStr::from_bytes(b"prod-\xff.env");
    fs::write(d.join(name), key_line(K1)).unwrap();
    let run = scan_json(d, &[]);
    assert_eq!(found(&run), pairs(&[("prod-\u{fffd}.env", K1)]));
    assert!(run.stderr.contains("not valid UTF-8"), "{}", run.stderr);
    // The `.env` extension survives the lossy name: still a credentials file.
    assert_eq!(run.findings()[0]["advice"]["context"], "credentials_file");
}

#[cfg(unix)]
#[test]
fn unreadable_file_warns_and_the_scan_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "locked.txt", key_line(K1));
    write(d, "open.txt", key_line(K2));
    let locked = d.join("locked.txt");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&locked).is_ok() {
        // Root (or CAP_DAC_OVERRIDE) reads any file: there is no error to provoke.
        println!("skipped: running with privileges that ignore file permissions");
        return;
    }
    let run = scan_json(d, &[]);
    assert_eq!(run.code, 1);
    assert_eq!(found(&run), pairs(&[("open.txt", K2)]));
    assert!(
        run.stderr.contains("locked.txt") && run.stderr.contains("cannot read"),
        "{}",
        run.stderr
    );
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o600)).unwrap();
}

/// A compiled Python file with a key pair among non-UTF-8 bytes, shaped like marshal data:
/// each string is `0xda` (short ASCII, interned), a length byte, then the bytes.
#[test]
fn key_pair_in_a_binary_file_is_found() {
    let key = "AKIAVRUVS7NITLV4QLW6";
    let secret = "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";
    let mut pyc: Vec<u8> = vec![0xcb, 0x0d, 0x0d, 0x0a]; // magic: ends in "\r\n", so line 2 follows
    pyc.extend([0, 0, 0, 0, 0x12, 0x9f, 0x3c, 0x66, 0x8c, 0x02, 0, 0]); // flags, mtime, size
    pyc.extend([0xe3, 0xff]); // code object, then a byte that is never UTF-8
    pyc.extend([0xda, 20]);
    pyc.extend(key.as_bytes());
    pyc.extend([0xda, 40]);
    pyc.extend(secret.as_bytes());
    pyc.extend([0x29, 0x02, 0x4e, 0xda, 0x05]); // `)` ends the secret's run
    pyc.extend(b"boto3");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "__pycache__/upload.cpython-312.pyc", &pyc);
    let run = scan_in(dir.path(), &[".", "--format", "json", "--show-secrets"]);
    assert_eq!(run.code, 1);
    // Line 2; the line's prefix is not UTF-8, so the column counts bytes: 12 header bytes,
    // 0xe3 0xff, 0xda 20, then the key at byte 17.
    let want = Want::critical_pair(
        "__pycache__/upload.cpython-312.pyc",
        (2, 17),
        key,
        (secret, 2),
        "sdk_code",
    );
    assert_findings(&run.findings(), &[want]);
    assert!(
        run.stderr.is_empty(),
        "binary files are not a problem: {}",
        run.stderr
    );
}

/// Overlapping path arguments report each file once (D24): the same directory named twice or
/// spelled differently is walked once; a directory inside another is walked on its own and
/// passed over by the outer walk. Same output on one thread as on eight.
#[test]
fn overlapping_paths_report_each_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "d1/k1.env", key_line(K1));
    write(d, "d1/k2.env", key_line(K2));
    write(d, "d1/sub/k3.env", key_line(K3));
    write(d, "d2/k4.env", key_line(K4));
    let all = pairs(&[("d1/k1.env", K1), ("d1/k2.env", K2), ("d1/sub/k3.env", K3)]);
    type Case<'a> = (&'a [&'a str], Vec<(String, String)>);
    let cases: [Case; 5] = [
        (&["d1", "d1", "./d1"], all.clone()),
        (&["d1", "d1/sub"], all.clone()),
        (&["d1/sub", "d1"], all.clone()),
        (&["d1/sub/k3.env", "d1", "d1/sub"], all.clone()),
        (
            &["d2", "d1/sub", "d2/"],
            pairs(&[("d1/sub/k3.env", K3), ("d2/k4.env", K4)]),
        ),
    ];
    for (paths, want) in cases {
        let mut outputs = Vec::new();
        for j in ["1", "8"] {
            let mut args = paths.to_vec();
            args.extend(["--format", "json", "-j", j]);
            let run = scan_in(d, &args);
            assert_eq!(found(&run), want, "{args:?}");
            assert_eq!(run.stderr, "", "{args:?}");
            outputs.push(run.stdout);
        }
        assert_eq!(outputs[0], outputs[1], "{paths:?}: -j1 and -j8 differ");
    }
}
