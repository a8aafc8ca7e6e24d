//! `-L` and where a link may lead (`src/source/links.rs`): a pull request's symlink to
//! `/proc/self/environ` or to a file outside the checkout is never read (a warning names the
//! link, never its target's content), unless `--follow-outside` for the latter; a link inside
//! the scanned tree is still followed; the run never aborts on a refusal.
#![cfg(unix)]

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use crate::common::{Run, finish, scan_cmd, write};
use crate::git_common::{fake_key, fake_secret};
use crate::scan_walk::found;

/// `keyleak scan ARGS --format json` in `dir` with nothing in the environment but `env`.
fn scan_with_env(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = scan_cmd(dir);
    cmd.env_clear().env("PATH", "/usr/bin:/bin");
    for (k, v) in env {
        cmd.env(k, v);
    }
    finish(cmd.args(args).args(["--format", "json"]))
}

/// The warnings on stderr, `subject: message` without the prefix, sorted.
fn warnings(run: &Run) -> Vec<String> {
    let mut w: Vec<String> = run
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("keyleak: warning: "))
        .map(String::from)
        .collect();
    w.sort();
    w
}

const SPECIAL: &str =
    "skipped: symlink into /proc, /sys or /dev (special files are never read through a link)";
const OUTSIDE: &str =
    "skipped: symlink leads outside the scanned paths (--follow-outside follows it)";

#[test]
fn hostile_links_are_refused_with_a_warning_and_inner_links_followed() {
    let tree = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let pr = tree.path().join("pr");
    let (inner_key, outer_key, runner_key) = (fake_key("AKIA"), fake_key("AKIA"), fake_key("AKIA"));
    let runner_secret = fake_secret();
    write(
        &pr,
        "config/app.env",
        format!("AWS_ACCESS_KEY_ID={inner_key}\n"),
    );
    // What the runner must keep to itself: a passwd-like file and a key file outside the tree.
    write(
        elsewhere.path(),
        "passwd",
        "root:x:0:0:root:/root:/bin/bash\n",
    );
    write(
        elsewhere.path(),
        "keys/ci.env",
        format!("AWS_ACCESS_KEY_ID={outer_key}\n"),
    );
    symlink("/proc/self/environ", pr.join("innocent.txt")).unwrap();
    symlink("/proc/self", pr.join("self")).unwrap();
    symlink("/dev/zero", pr.join("zero")).unwrap();
    symlink(elsewhere.path().join("passwd"), pr.join("passwd.txt")).unwrap();
    symlink(elsewhere.path().join("keys"), pr.join("keys")).unwrap();
    symlink("config/app.env", pr.join("linked.env")).unwrap();
    symlink("config", pr.join("config-link")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(elsewhere.path().join("fifo"))
        .status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    symlink(elsewhere.path().join("fifo"), pr.join("fifo")).unwrap();

    let env = [
        ("AWS_ACCESS_KEY_ID", runner_key.as_str()),
        ("AWS_SECRET_ACCESS_KEY", runner_secret.as_str()),
        ("DB_PASSWORD", "hunter2-prod-db-pass"),
    ];
    let run = scan_with_env(tree.path(), &env, &["-L", "pr"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // The links inside the tree are followed: the key is found at each of its three names.
    assert_eq!(
        found(&run),
        [
            ("pr/config-link/app.env".to_string(), inner_key.clone()),
            ("pr/config/app.env".to_string(), inner_key.clone()),
            ("pr/linked.env".to_string(), inner_key.clone()),
        ]
    );
    assert_eq!(
        warnings(&run),
        [
            "pr/fifo: skipped: symlink to a FIFO, socket or device".to_string(),
            format!("pr/innocent.txt: {SPECIAL}"),
            format!("pr/keys: {OUTSIDE}"),
            format!("pr/passwd.txt: {OUTSIDE}"),
            format!("pr/self: {SPECIAL}"),
            format!("pr/zero: {SPECIAL}"),
        ]
    );
    let all = format!("{}{}", run.stdout, run.stderr);
    for kept in [
        runner_key.as_str(),
        &runner_secret[..12],
        "hunter2",
        "root:x",
        &outer_key,
    ] {
        assert!(!all.contains(kept), "{kept} leaked:\n{all}");
    }

    // --follow-outside reads the files outside; /proc, /dev and the FIFO stay refused.
    let run = scan_with_env(tree.path(), &env, &["-L", "--follow-outside", "pr"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(found(&run).contains(&("pr/keys/ci.env".to_string(), outer_key.clone())));
    assert!(!run.stdout.contains(&runner_key), "{}", run.stdout);
    assert_eq!(
        warnings(&run),
        [
            "pr/fifo: skipped: symlink to a FIFO, socket or device".to_string(),
            format!("pr/innocent.txt: {SPECIAL}"),
            format!("pr/self: {SPECIAL}"),
            format!("pr/zero: {SPECIAL}"),
        ]
    );
}

#[test]
fn a_link_named_on_the_command_line_never_reads_a_special_file() {
    let tree = tempfile::tempdir().unwrap();
    let key = fake_key("AKIA");
    symlink("/proc/self/environ", tree.path().join("environ.txt")).unwrap();
    for follow in [&[][..], &["-L"]] {
        let mut args = vec!["environ.txt"];
        args.extend_from_slice(follow);
        let run = scan_with_env(tree.path(), &[("AWS_ACCESS_KEY_ID", &key)], &args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(found(&run).is_empty(), "{args:?}: {}", run.stdout);
        assert_eq!(
            warnings(&run),
            [format!("environ.txt: {SPECIAL}")],
            "{args:?}"
        );
    }
}

/// Without `-L` a link in the tree is not read, but said (D10): a deploy tree's
/// `prod.env -> ../real/prod.env` must not pass silently.
#[test]
fn without_follow_each_link_in_the_tree_is_a_warning_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let key = fake_key("AKIA");
    let real = dir.path().join("real");
    write(&real, "prod.env", format!("AWS_ACCESS_KEY_ID={key}\n"));
    let tree = dir.path().join("tree");
    fs::create_dir(&tree).unwrap();
    symlink("../real/prod.env", tree.join("prod.env")).unwrap();
    symlink(&real, tree.join("config")).unwrap();
    symlink("/proc/self/environ", tree.join("environ")).unwrap();
    let run = scan_with_env(dir.path(), &[], &["tree"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(found(&run).is_empty(), "{}", run.stdout);
    let skipped = "skipped: symlink (pass -L to follow links inside the scanned paths)";
    assert_eq!(
        warnings(&run),
        [
            format!("tree/config: {skipped}"),
            format!("tree/environ: {skipped}"),
            format!("tree/prod.env: {skipped}"),
        ]
    );
    assert_eq!(run.json()["summary"]["warnings"], 3);
    assert!(
        !run.stderr.contains(&key) && !run.stderr.contains("real"),
        "{}",
        run.stderr
    );
}

#[test]
fn follow_outside_needs_follow() {
    let tree = tempfile::tempdir().unwrap();
    let run = scan_with_env(tree.path(), &[], &[".", "--follow-outside"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--follow"), "{}", run.stderr);
}
