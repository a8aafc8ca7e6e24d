//! What keyleak prints about names: file names, zip, tar and gzip member names, git authors,
//! e-mails and ref names (tags on blobs, annotated tags) are input like any file's content. Planted here with secrets (with
//! `/` and `+` where base64 puts them) and with control characters (ESC sequences, BEL, CR,
//! LF, C1, a bidirectional override, a newline followed by GitHub workflow commands), they
//! must, in every format (human, JSON, JSONL, SARIF, GitHub, GitLab) and on stderr:
//!
//! - never show a 12-character piece of a secret (`--show-secrets` shows them whole);
//! - never write a control character raw: human output and warnings escape them visibly,
//!   `--format github` escapes them so each finding is one `::error`/`::warning`/`::notice`
//!   line and nothing else can start a workflow command, JSON, SARIF and GitLab keep them as
//!   `\u` escapes and decode back to the real name;
//! - leave ordinary long paths readable.
#![cfg(unix)]

use std::ffi::OsStr;
use std::fs;
use std::io::{Cursor, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use serde_json::Value;
use zip::write::{SimpleFileOptions, ZipWriter};

use crate::common::{Run, scan_in, write};
use crate::config_no_echo::{assert_no_piece, secret_with_slashes};
use crate::git_common::{Repo, env_file, fake_key, fake_secret};

const FORMATS: [&str; 6] = ["human", "json", "jsonl", "sarif", "github", "gitlab"];

/// Control characters a name carries: ESC sequences (title, clear, colour), BEL, C1 CSI, a
/// bidirectional override, and a newline starting workflow commands.
const EVIL: &str = "x\x1b]0;pwned\x07\x1b[2J\x1b[31mRED\u{9b}1m\u{202e}\n::error file=README.md,line=1::all clear\n::stop-commands::tok";

/// `git ARGS` in `dir` with `input` on standard input; its output, trimmed.
fn git_stdin(dir: &Path, args: &[&str], input: &str) -> String {
    let mut child = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// An ordinary long path that must print as it is.
const ORDINARY: &str = "src/main/java/com/example/billing/SomeLongClassNameForInvoices.java";

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        w.start_file(*name, SimpleFileOptions::default()).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn gzip_named(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::GzBuilder::new()
        .filename(name)
        .write(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, bytes) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o600);
        // Written raw: `append_data` would refuse some of these names.
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_cksum();
        b.append(&h, *bytes).unwrap();
    }
    b.into_inner().unwrap()
}

/// Fails on any control character (`\n` aside), DEL, C1 or bidirectional control in `text`.
fn assert_printable(what: &str, text: &str) {
    let bad = text.chars().find(|&c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    });
    assert!(bad.is_none(), "{what} writes {bad:?} raw:\n{text}");
}

/// Everything a format must hold to: no secret piece anywhere, no raw control character,
/// every stderr line a keyleak warning, GitHub output only keyleak's own commands.
fn assert_safe(format: &str, run: &Run, secrets: &[String]) {
    for s in secrets {
        assert_no_piece(&format!("{format} stdout"), &run.stdout, s);
        assert_no_piece(&format!("{format} stderr"), &run.stderr, s);
    }
    assert_printable(&format!("{format} stdout"), &run.stdout);
    assert_printable(&format!("{format} stderr"), &run.stderr);
    for line in run.stderr.lines() {
        assert!(
            line.starts_with("keyleak: warning: "),
            "{format} stderr line: {line:?}"
        );
    }
    match format {
        "github" => {
            for line in run.stdout.lines() {
                let own = ["::error file=", "::warning file=", "::notice file="];
                assert!(
                    own.iter().any(|p| line.starts_with(p)),
                    "github line: {line:?}"
                );
                assert_eq!(line.matches("::").count(), 2, "github line: {line:?}");
            }
        }
        "human" => {
            for line in run.stdout.lines() {
                assert!(!line.starts_with("::"), "human line: {line:?}");
            }
        }
        "jsonl" => {
            for line in run.stdout.lines() {
                serde_json::from_str::<Value>(line).expect("each line is JSON");
            }
        }
        _ => {
            serde_json::from_str::<Value>(&run.stdout).expect("JSON");
        }
    }
}

fn paths_of(run: &Run) -> Vec<String> {
    let mut p: Vec<String> = run
        .findings()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    p.sort();
    p
}

#[test]
fn names_with_secrets_and_control_characters_print_safely_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let secrets: Vec<String> = (0..5).map(|_| secret_with_slashes()).collect();
    let key = |_: usize| fake_key("AKIA");
    let pair = |i: usize| env_file(&key(i), &fake_secret());
    // A secret as a file name (its `/` become directories) and as a URL-safe name.
    write(d, format!("aws/{}.env", secrets[0]), pair(0).as_bytes());
    let url_safe = secrets[1].replace('/', "_").replace('+', "-");
    write(d, format!("creds-{url_safe}.env"), pair(1).as_bytes());
    // Control characters in a file name, and a non-UTF-8 name (a warning) with a newline.
    write(d, format!("{EVIL}.env"), pair(2).as_bytes());
    fs::write(
        d.join(OsStr::from_bytes(b"\xff\n::stop-commands::tok2\n")),
        "nothing\n",
    )
    .unwrap();
    // Archive members: a secret and control characters in zip member names, a damaged
    // member (a warning naming it), a gzip header name, a tar member.
    let zip = zip_of(&[
        (
            &format!("config/{}/prod.env", secrets[2]),
            pair(3).as_bytes(),
        ),
        (&format!("m{EVIL}.env"), pair(4).as_bytes()),
        ("bz\n::stop-commands::tok3\n.gz", b"\x1f\x8b\x08\x00garbage"),
    ]);
    write(d, "bundle.zip", &zip);
    // A gzip header records a file name, so its `/` are gone: the URL-safe form.
    let gz_name = secrets[3].replace('/', "_");
    write(d, "c.gz", gzip_named(&gz_name, pair(5).as_bytes()));
    let tar_name = format!("t\x1b[2J{}", secrets[4]);
    write(d, "d.tar", tar_of(&[(&tar_name, pair(6).as_bytes())]));
    write(d, ORDINARY, pair(7).as_bytes());

    // Pieces of the names as written (URL-safe ones included) are checked too.
    let mut checked = secrets.clone();
    checked.extend([url_safe.clone(), gz_name.clone()]);
    for format in FORMATS {
        let run = scan_in(d, &[".", "--format", format]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert_safe(format, &run, &checked);
        assert!(
            run.stdout.contains(ORDINARY),
            "{format}: {ORDINARY} not shown whole"
        );
        assert!(
            run.stderr
                .contains("bundle.zip!bz\\n::stop-commands::tok3\\n.gz"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("\u{fffd}\\n::stop-commands::tok2\\n"),
            "{}",
            run.stderr
        );
    }

    let human = scan_in(d, &[".", "--color", "never"]);
    let evil_shown = "x\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mRED\\u{9b}1m\\u{202e}\\n::error file=README.md,line=1::all clear\\n::stop-commands::tok.env";
    assert!(
        human.stdout.contains(&format!(" --> {evil_shown}:1:19\n")),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains(&format!(" --> aws/{}….env:1:19\n", &secrets[0][..4])),
        "{}",
        human.stdout
    );

    // JSON decodes to the real name where it carries no secret: control characters are
    // escapes, not lost; the secret-carrying names are redacted, and shown whole on request.
    let json = scan_in(d, &[".", "--format", "json"]);
    let paths = paths_of(&json);
    assert!(paths.contains(&format!("{EVIL}.env")), "{paths:#?}");
    assert!(
        paths.contains(&format!("bundle.zip!m{EVIL}.env")),
        "{paths:#?}"
    );
    assert!(paths.contains(&ORDINARY.to_string()), "{paths:#?}");
    assert!(
        json.stdout
            .contains("\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[31mRED\\u009b1m\\u202e\\n")
    );
    let shown = paths_of(&scan_in(d, &[".", "--format", "json", "--show-secrets"]));
    assert!(
        shown.contains(&format!("aws/{}.env", secrets[0])),
        "{shown:#?}"
    );
    assert!(shown.contains(&format!("c.gz!{gz_name}")), "{shown:#?}");
    assert!(
        shown.contains(&format!("creds-{url_safe}.env")),
        "{shown:#?}"
    );
    assert!(
        shown.contains(&format!("bundle.zip!config/{}/prod.env", secrets[2])),
        "{shown:#?}"
    );

    // Fingerprints are of the real path: the same with and without --show-secrets.
    let prints = |run: &Run| {
        let mut f: Vec<String> = run
            .findings()
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect();
        f.sort();
        f
    };
    assert_eq!(
        prints(&json),
        prints(&scan_in(d, &[".", "--format", "json", "--show-secrets"]))
    );
}

#[test]
fn git_authors_emails_and_ref_names_print_safely_in_every_format() {
    let repo = Repo::new();
    let secrets: Vec<String> = (0..4).map(|_| secret_with_slashes()).collect();
    repo.write("app.env", &env_file(&fake_key("AKIA"), &fake_secret()));
    let name = format!(
        "Eve \x1b]0;owned\x07\x1b[2J::error file=x::fake {}",
        secrets[0]
    );
    repo.commit_as(
        &name,
        &format!("{}@example.com", secrets[1]),
        crate::git_common::now(),
        "add",
    );
    // Ref names reach the output as paths: a tag on a blob holding a key (`<ref NAME>`) and
    // an annotated tag whose message holds one (`<tag NAME>`), both named with a secret.
    let blob = git_stdin(
        repo.path(),
        &["hash-object", "-w", "--stdin"],
        &env_file(&fake_key("AKIA"), "-"),
    );
    repo.git(&["tag", &secrets[2], &blob]);
    let message = format!("release\n\nAWS_ACCESS_KEY_ID={}\n", fake_key("AKIA"));
    repo.git(&["tag", "-a", "-m", &message, &secrets[3], "HEAD"]);

    for format in FORMATS {
        let run = scan_in(repo.path(), &["--git", "--format", format]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert_safe(format, &run, &secrets);
    }
    let human = scan_in(repo.path(), &["--git", "--color", "never"]);
    let by = format!(
        " by Eve \\x1b]0;owned\\x07\\x1b[2J::error file=x::fake {}… <{}…@example.com>, ",
        &secrets[0][..4],
        &secrets[1][..4]
    );
    assert!(human.stdout.contains(&by), "{}", human.stdout);
    for tag in [
        format!("<ref {}…>", &secrets[2][..4]),
        format!("<tag {}…>", &secrets[3][..4]),
    ] {
        assert!(
            human.stdout.contains(&format!(" --> {tag}:")),
            "{tag}: {}",
            human.stdout
        );
    }
    // The commit of the finding in app.env.
    let commit_of = |run: &Run| {
        let findings = run.findings();
        let f = findings
            .iter()
            .find(|f| f["path"] == "app.env")
            .expect("app.env");
        f["commit"].clone()
    };
    let json = scan_in(repo.path(), &["--git", "--format", "json"]);
    let commit = commit_of(&json);
    assert_eq!(
        commit["author_name"],
        format!(
            "Eve \x1b]0;owned\x07\x1b[2J::error file=x::fake {}…",
            &secrets[0][..4]
        )
    );
    let shown = scan_in(
        repo.path(),
        &["--git", "--format", "json", "--show-secrets"],
    );
    assert_eq!(
        commit_of(&shown)["author_email"],
        format!("{}@example.com", secrets[1])
    );
}
