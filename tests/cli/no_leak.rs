//! No leak by keyleak: a tree and a history with known secret access keys and session tokens
//! (`IQoJb3JpZ2luX2Vj…`, `FwoGZXIvYXdz…`), scanned in every output format with warnings on
//! (an oversized file, a FIFO, a name that is not UTF-8, an unreadable file), must never show
//! a secret or token — not even a 12-character piece of one (redacted values show 4) — on
//! stdout or stderr, nor in a `--baseline-out` file, which holds no key ID either. With
//! `--show-secrets` the same runs do show them, so the check can fail.
//!
//! Progress is drawn only when stderr is a terminal (`src/progress.rs`) and only by history
//! scans: the history runs here are started under `script`, which gives them a
//! pseudo-terminal, so the progress display is checked too (skipped, with a note, where
//! `script` is missing).
//!
//! `scan_output` checks redaction of `testdata/positive` in human, JSON and JSONL; this covers
//! the other formats, warnings, progress and the baseline file.
#![cfg(unix)]

use std::fs;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use crate::common::{Run, finish, isolate, scan_in};
use crate::git_common::{Repo, env_file, fake_key, fake_secret};

const FORMATS: [&str; 5] = ["human", "json", "jsonl", "sarif", "github"];
/// A redacted value shows its first 4 characters; any 12 in a row is a leak.
const PIECE: usize = 12;

/// A fake session token: a known STS prefix and 280 random base64 characters.
pub fn fake_token(prefix: &str) -> String {
    let mut token = prefix.to_string();
    for sep in ["/", "+", "/", "+", "/", "+", ""] {
        token.push_str(&fake_secret());
        token.push_str(sep);
    }
    token
}

/// What was planted, by whether every scan can read it.
struct Planted {
    key_ids: Vec<String>,
    /// Secrets and tokens in files every scan reads and reports.
    reported: Vec<String>,
    /// Secrets and tokens only in files a scan skips with a warning (too big, unreadable).
    skipped: Vec<String>,
}

impl Planted {
    fn all_values(&self) -> impl Iterator<Item = &String> {
        self.reported.iter().chain(&self.skipped)
    }
}

/// The files with secrets, written under `root` (the tree and the repository share them).
fn plant(root: &Path) -> Planted {
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    let (akia, akia_secret) = (fake_key("AKIA"), fake_secret());
    write(".env", &env_file(&akia, &akia_secret));
    let (asia, asia_secret, iqoj) = (
        fake_key("ASIA"),
        fake_secret(),
        fake_token("IQoJb3JpZ2luX2Vj"),
    );
    write(
        "aws/credentials",
        &format!(
            "[temp]\naws_access_key_id = {asia}\naws_secret_access_key = {asia_secret}\n\
             aws_session_token = {iqoj}\n"
        ),
    );
    let lone_secret = fake_secret();
    write(
        "app/settings.py",
        &format!("REGION = \"eu-west-1\"\nAWS_SECRET_ACCESS_KEY = \"{lone_secret}\"\n"),
    );
    let fwog = fake_token("FwoGZXIvYXdz");
    write(
        "sts.json",
        &format!("{{\"Credentials\": {{\"Expiration\": \"soon\", \"Blob\": \"{fwog}\"}}}}\n"),
    );
    // Key ID and secret on one line: the snippet itself carries the secret.
    let (inline, inline_secret) = (fake_key("AKIA"), fake_secret());
    write(
        "deploy.sh",
        &format!("export AWS_ACCESS_KEY_ID={inline} AWS_SECRET_ACCESS_KEY={inline_secret}\n"),
    );
    Planted {
        key_ids: vec![akia, asia, inline],
        reported: vec![
            akia_secret,
            asia_secret,
            iqoj,
            lone_secret,
            fwog,
            inline_secret,
        ],
        skipped: Vec::new(),
    }
}

/// Adds to the tree what only warnings speak of: a sparse 150 MiB file (over the default
/// `--max-filesize`) with a key pair at its end, an unreadable file with another, a FIFO and
/// a name that is not UTF-8.
fn plant_hazards(root: &Path, planted: &mut Planted) {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;
    let (big_key, big_secret) = (fake_key("AKIA"), fake_secret());
    let mut big = fs::File::create(root.join("dump.sql")).unwrap();
    big.seek(SeekFrom::Start(150 << 20)).unwrap();
    big.write_all(env_file(&big_key, &big_secret).as_bytes())
        .unwrap();
    let (locked_key, locked_secret) = (fake_key("AKIA"), fake_secret());
    let locked = root.join("locked.env");
    fs::write(&locked, env_file(&locked_key, &locked_secret)).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&locked).is_ok() {
        println!("locked.env is readable (root): it is scanned and reported, not warned about");
    }
    let fifo = std::process::Command::new("mkfifo")
        .arg(root.join("pipe"))
        .status()
        .expect("mkfifo runs");
    assert!(fifo.success());
    fs::write(
        root.join(std::ffi::OsStr::from_bytes(b"name-\xfe.txt")),
        "nothing\n",
    )
    .unwrap();
    planted.key_ids.extend([big_key, locked_key]);
    planted.skipped.extend([big_secret, locked_secret]);
}

/// The first `PIECE`-character piece of `value` that `text` contains.
fn leaked_piece<'v>(text: &str, value: &'v str) -> Option<&'v str> {
    (0..=value.len() - PIECE)
        .map(|i| &value[i..i + PIECE])
        .find(|piece| text.contains(piece))
}

fn assert_no_leak(what: &str, text: &str, planted: &Planted) {
    for v in planted.all_values() {
        if let Some(piece) = leaked_piece(text, v) {
            panic!("{what} shows {piece:?}, part of {}…:\n{text}", &v[..4]);
        }
    }
}

/// With `--show-secrets` every format prints the secrets; human, JSON and JSONL print the
/// tokens too (SARIF and GitHub messages only say a finding has one).
fn assert_shown(format: &str, stdout: &str, planted: &Planted) {
    for v in &planted.reported {
        let is_token = v.len() > 40;
        if is_token && matches!(format, "sarif" | "github") {
            continue;
        }
        assert!(
            stdout.contains(v.as_str()),
            "{format}: {}… missing",
            &v[..4]
        );
    }
}

#[test]
fn files_no_secret_in_any_format_or_warning_or_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut planted = plant(d);
    plant_hazards(d, &mut planted);
    let baseline = d.join("baseline.json");
    for format in FORMATS {
        let run = scan_in(d, &[".", "--format", format]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert!(run.stderr.contains("dump.sql: skipped"), "{}", run.stderr);
        assert!(run.stderr.contains("pipe: skipped"), "{}", run.stderr);
        assert_no_leak(&format!("{format} stdout"), &run.stdout, &planted);
        assert_no_leak(&format!("{format} stderr"), &run.stderr, &planted);

        let shown = scan_in(d, &[".", "--format", format, "--show-secrets"]);
        assert_shown(format, &shown.stdout, &planted);
    }

    let out = baseline.to_str().unwrap();
    let run = scan_in(d, &[".", "--format", "json", "--baseline-out", out]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let text = fs::read_to_string(&baseline).expect("baseline written");
    assert_no_leak("the baseline", &text, &planted);
    for key in &planted.key_ids {
        assert!(!text.contains(key.as_str()), "the baseline names {key}");
    }
    // It does hold what it is for: the fingerprint of every finding.
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut recorded: Vec<&str> = file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fingerprint"].as_str().unwrap())
        .collect();
    let findings = run.findings();
    let mut reported: Vec<&str> = findings
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    recorded.sort_unstable();
    reported.sort_unstable();
    reported.dedup();
    assert!(!reported.is_empty());
    assert_eq!(recorded, reported);
}

/// `keyleak scan ARGS` in `dir` under `script`, whose pseudo-terminal becomes keyleak's
/// stderr (so progress is drawn) while stdout goes to a file; `None` without `script`.
fn scan_on_a_terminal(dir: &Path, args: &[&str]) -> Option<Run> {
    let probe = std::process::Command::new("script")
        .arg("--version")
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return None;
    }
    let stdout = tempfile::NamedTempFile::new().unwrap();
    let quote = |s: &str| {
        assert!(!s.contains('\''), "{s}");
        format!("'{s}'")
    };
    let mut line = format!("exec {} scan", quote(env!("CARGO_BIN_EXE_keyleak")));
    for a in args {
        line.push(' ');
        line.push_str(&quote(a));
    }
    line.push_str(&format!(" > {}", quote(stdout.path().to_str().unwrap())));
    let mut cmd = assert_cmd::Command::new("script");
    isolate(&mut cmd, dir);
    cmd.env("TERM", "xterm")
        .env("SHELL", "/bin/sh")
        .args(["-q", "-e", "-c", &line, "/dev/null"]);
    let mut run = finish(&mut cmd);
    // What script recorded is the terminal: keyleak's stderr.
    run.stderr = std::mem::take(&mut run.stdout);
    run.stdout = fs::read_to_string(stdout.path()).unwrap();
    Some(run)
}

#[test]
fn history_no_secret_in_any_format_with_progress_on_a_terminal() {
    let repo = Repo::new();
    let planted = plant(repo.path());
    repo.commit("secrets");
    // A blob over the limit below: warned about by path and blob id, never shown.
    let (big_key, big_secret) = (fake_key("AKIA"), fake_secret());
    let mut big = "-- filler\n".repeat(200);
    big.push_str(&env_file(&big_key, &big_secret));
    repo.write("dump.sql", &big);
    repo.commit("dump");
    let planted = Planted {
        skipped: vec![big_secret],
        ..planted
    };
    let mut drew_progress = 0;
    let mut terminal = true;
    for format in FORMATS {
        let args = ["--git", "--max-filesize", "1K", "--format", format];
        let run = match scan_on_a_terminal(repo.path(), &args) {
            Some(run) => run,
            None => {
                terminal = false;
                scan_in(repo.path(), &args)
            }
        };
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert!(run.stderr.contains("dump.sql (blob "), "{}", run.stderr);
        assert_no_leak(&format!("{format} stdout"), &run.stdout, &planted);
        assert_no_leak(&format!("{format} stderr"), &run.stderr, &planted);
        if run.stderr.contains("walking history") || run.stderr.contains("blobs") {
            drew_progress += 1;
        }
        let shown = scan_in(
            repo.path(),
            &["--git", "--format", format, "--show-secrets"],
        );
        assert_shown(format, &shown.stdout, &planted);
    }
    if terminal {
        // The display races a short scan; over five runs it shows at least once.
        println!(
            "progress drawn in {drew_progress} of {} runs",
            FORMATS.len()
        );
        assert!(
            drew_progress > 0,
            "progress was never drawn on the terminal"
        );
    } else {
        println!("progress not checked: `script` (util-linux) is not installed");
    }
}
