//! Inputs that must not make keyleak grow or spin: standard input longer than
//! `--max-filesize`, a `-j` far beyond the machine, a long allow list. Results and peak memory
//! are checked, not timings: a run that spins is stopped by the 60-second timeout every run
//! here has.

use std::path::Path;

use crate::common::{Run, scan_in, scan_stdin};
use crate::git_common::{Repo, env_file, fake_key, fake_secret, keyleak};
use crate::hostile_tree::scan_measured;

const K1: &str = "AKIAS73GWDLBIRA6UTJW";
const K2: &str = "AKIAS73GWDLBIHG22U7G";

fn key_ids(run: &Run) -> Vec<String> {
    run.findings()
        .iter()
        .map(|f| format!("{}:{}", f["path"].as_str().unwrap(), f["key_id"]))
        .collect()
}

#[test]
fn standard_input_is_scanned_up_to_max_filesize_with_a_warning() {
    // K1 in the first 2 KiB, K2 after 4 MiB: only K1 is read, and the cut is said.
    let mut input = format!("AWS_ACCESS_KEY_ID={K1}\n").into_bytes();
    input.resize(4 << 20, b'x');
    input.extend_from_slice(format!("\nAWS_ACCESS_KEY_ID={K2}\n").as_bytes());
    let run = scan_stdin(&input, &["--max-filesize", "2K", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(key_ids(&run), [format!("<stdin>:\"{K1}\"")]);
    assert_eq!(run.json()["summary"]["scanned_bytes"], 2048);
    assert_eq!(
        run.stderr,
        "keyleak: warning: <stdin>: over --max-filesize (2048 bytes): scanned the first 2048 \
         bytes only\n"
    );
}

#[test]
fn standard_input_up_to_max_filesize_is_scanned_whole_without_a_warning() {
    let input = format!("AWS_ACCESS_KEY_ID={K1}\n");
    let size = input.len().to_string();
    let run = scan_stdin(
        input.as_bytes(),
        &["--max-filesize", &size, "--format", "json"],
    );
    assert_eq!(key_ids(&run), [format!("<stdin>:\"{K1}\"")]);
    assert_eq!(run.json()["summary"]["scanned_bytes"], input.len());
    assert_eq!(run.stderr, "");
}

/// The note a `-j` over the cap gets; the cap depends on the machine's CPUs.
fn capped_note(stderr: &str) -> bool {
    stderr.starts_with("keyleak: note: -j 100000 is more than this machine can use: running ")
        && stderr.lines().count() == 1
}

fn assert_same_as_j1(dir: &Path, args: &[&str]) {
    let with = |j: &str| {
        let mut all = args.to_vec();
        all.extend(["-j", j]);
        scan_in(dir, &all)
    };
    let one = with("1");
    let many = with("100000");
    assert_eq!(one.code, 1, "{}", one.stderr);
    assert_eq!(one.stderr, "");
    assert_eq!(many.code, one.code, "{}", many.stderr);
    assert_eq!(many.stdout, one.stdout);
    assert!(capped_note(&many.stderr), "{}", many.stderr);
}

#[test]
fn a_huge_j_on_a_tree_is_capped_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..40 {
        let sub = dir.path().join(format!("d{}", i % 4));
        std::fs::create_dir_all(&sub).unwrap();
        let text = env_file(&fake_key("AKIA"), &fake_secret());
        std::fs::write(sub.join(format!("k{i}.env")), text).unwrap();
    }
    assert_same_as_j1(dir.path(), &[".", "--format", "json"]);
}

#[test]
fn a_huge_j_on_a_repository_is_capped_and_changes_nothing() {
    let repo = Repo::new();
    for i in 0..6 {
        repo.write(
            &format!("d{i}/k.env"),
            &env_file(&fake_key("AKIA"), &fake_secret()),
        );
        repo.commit(&format!("commit {i}"));
    }
    assert_same_as_j1(repo.path(), &["--git", "--format", "json"]);
    // The staged pool too: two staged files start it.
    repo.write("s1.env", &env_file(&fake_key("AKIA"), &fake_secret()));
    repo.write("s2.env", &env_file(&fake_key("AKIA"), &fake_secret()));
    repo.git(&["add", "s1.env", "s2.env"]);
    assert_same_as_j1(repo.path(), &["--staged", "--format", "json"]);
    let staged = keyleak(repo.path(), &["--staged", "--format", "json"]);
    assert_eq!(staged.findings().len(), 2);
}

#[test]
fn a_long_allow_list_allows_what_it_names_in_little_memory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let globs = (0..50_000).map(|i| format!("\"dir{i}/**/*.x{i}\""));
    let plain = (0..50_000).map(|i| format!("\"plain/file{i}.env\""));
    let list: Vec<String> = globs
        .chain(plain)
        .chain(["\"fixture.json\"".into()])
        .collect();
    let config = format!("[allow]\npaths = [{}]\n", list.join(", "));
    std::fs::write(d.join("allow.toml"), config).unwrap();
    // Allowed: by a glob, a plain path, a file name.
    let allowed = [
        "dir7/a/b/k.x7",
        "plain/file49999.env",
        "deep/er/fixture.json",
    ];
    let kept = ["dir7/k.x8", "other.env", "plain/sub/file1.env"];
    for path in allowed.iter().chain(&kept) {
        let full = d.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, env_file(&fake_key("AKIA"), &fake_secret())).unwrap();
    }
    let args = [".", "--config", "allow.toml", "--format", "json"];
    let (run, peak_kb) = scan_measured(d, &args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut found: Vec<String> = run
        .findings()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    found.sort();
    assert_eq!(found, kept);
    assert_eq!(run.json()["summary"]["suppressed"]["path"], 3);
    // Compiling every glob up front took 510 MB for these 50,000 (1.7 GB for 200,000).
    if let Some(kb) = peak_kb {
        println!("peak RSS {kb} KB");
        assert!(kb < 150_000, "peak RSS {kb} KB");
    }
}
