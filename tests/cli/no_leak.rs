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
//! The planted values are adversarial (issue 16): secrets with `/` and `+` at several
//! positions, written with every escape the decoders know (`\/`, `\u002B`, `&#43;`, `&sol;`,
//! `%2F`, `\x2f`) and in UTF-16 beside an ASCII key, two and three credentials on one line,
//! one placed where two snippet windows cut it, and a session token in a presigned URL nested
//! in another URL. Output is checked as printed and with every escape undone ([`unescaped`]).
//!
//! `scan_output` checks redaction of `testdata/positive` in human, JSON and JSONL; this covers
//! the other formats, warnings, progress and the baseline file.
#![cfg(unix)]

use std::fs;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use crate::common::{Run, finish, isolate, scan_in};
use crate::git_common::{Repo, env_file, fake_key, fake_secret};

const FORMATS: [&str; 6] = ["human", "json", "jsonl", "sarif", "github", "gitlab"];
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

/// A fake secret with `/` and `+` at several positions (which differ from call to call).
pub fn fake_symbol_secret() -> String {
    let mut s = fake_secret().into_bytes();
    let at = |seed: u8| usize::from(s[usize::from(seed) % 40] % 40);
    let places = [at(1), at(2), at(3), at(4)];
    for (i, p) in places.into_iter().enumerate() {
        s[p] = if i % 2 == 0 { b'/' } else { b'+' };
    }
    String::from_utf8(s).unwrap()
}

/// `text` with every escape keyleak's decoders know undone, twice over (and the output's own
/// JSON escaping), zero bytes and U+FFFD dropped: a secret shown escaped is still shown.
pub fn unescaped(text: &str) -> String {
    use regex::{Captures, Regex};
    // The first group that matched, as a character code in `radix`, if it is ASCII.
    let code = |c: &Captures, radix| {
        let digits = c.iter().skip(1).flatten().next().unwrap().as_str();
        u32::from_str_radix(digits, radix)
            .ok()
            .and_then(char::from_u32)
            .filter(char::is_ascii)
            .map_or_else(|| c[0].to_string(), String::from)
    };
    let unicode = Regex::new(r"\\+u(?:\{([0-9a-fA-F]{2,6})\}|([0-9a-fA-F]{4}))").unwrap();
    let hex = Regex::new(r"\\+x([0-9a-fA-F]{2})|&#[xX]([0-9a-fA-F]{1,6});").unwrap();
    let decimal = Regex::new(r"&#([0-9]{1,7});").unwrap();
    let percent = Regex::new(r"%(?:25)*([0-9a-fA-F]{2})").unwrap();
    let mut out = text.replace(['\u{fffd}', '\0'], "");
    for _ in 0..3 {
        out = out
            .replace(r"\\", r"\")
            .replace(r"\/", "/")
            .replace("&sol;", "/")
            .replace("&plus;", "+")
            .replace("&amp;", "&");
        for (re, radix) in [(&unicode, 16), (&hex, 16), (&decimal, 10), (&percent, 16)] {
            out = re
                .replace_all(&out, |c: &Captures| code(c, radix))
                .into_owned();
        }
    }
    out
}

/// What was planted, by whether every scan can read it.
struct Planted {
    key_ids: Vec<String>,
    /// Secrets and tokens in files every scan reads and reports.
    reported: Vec<String>,
    /// Secrets and tokens only in files a scan skips with a warning (too big, unreadable).
    skipped: Vec<String>,
    /// Secrets in a form keyleak does not decode: not reported, never shown either.
    unreported: Vec<String>,
}

impl Planted {
    fn all_values(&self) -> impl Iterator<Item = &String> {
        self.reported
            .iter()
            .chain(&self.skipped)
            .chain(&self.unreported)
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
    let mut planted = Planted {
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
        unreported: Vec::new(),
    };
    plant_adversarial(root, &mut planted);
    planted
}

/// Secrets with `/` and `+`, escaped one character at a time, several to a line, cut by
/// snippet windows, in UTF-16 beside ASCII, and a token in a nested presigned URL.
fn plant_adversarial(root: &Path, planted: &mut Planted) {
    let write = |rel: &str, bytes: &[u8]| fs::write(root.join(rel), bytes).unwrap();
    let mut pair = || {
        let (key, secret) = (fake_key("AKIA"), fake_symbol_secret());
        planted.key_ids.push(key.clone());
        planted.reported.push(secret.clone());
        (key, secret)
    };
    let forms: [(&str, &str); 6] = [
        ("+", r"\/"),
        (r"\u002B", r"\u002F"),
        ("&#43;", "&#x2F;"),
        ("&plus;", "&sol;"),
        (r"\x2b", r"\x2f"),
        ("%2B", "%2F"),
    ];
    let mut json = String::new();
    for (plus, slash) in forms {
        let (key, secret) = pair();
        let escaped = secret.replace('+', plus).replace('/', slash);
        json.push_str(&format!(
            "{{\"AccessKeyId\":\"{key}\",\"SecretAccessKey\":\"{escaped}\"}}\n"
        ));
    }
    // Encoded twice: not decoded for pairing (the key is reported alone), never shown.
    let (twice_key, twice) = (fake_key("AKIA"), fake_symbol_secret());
    let escaped = twice.replace('+', "%252B").replace('/', "%252F");
    json.push_str(&format!(
        "{{\"AccessKeyId\":\"{twice_key}\",\"SecretAccessKey\":\"{escaped}\"}}\n"
    ));
    write("escaped.json", json.as_bytes());

    // Two and three credentials to a line.
    let ((k1, s1), (k2, s2), (k3, s3)) = (pair(), pair(), pair());
    let line = format!("A={k1} S={s1} B={k2} T={s2}\nA={k3} S=\"{s3}\" B={k1} S={s1}\n");
    write("many.env", line.as_bytes());

    // A secret between two key IDs where each one's window of 120 characters would cut it.
    let (ka, sa) = pair();
    let kb = fake_key("AKIA");
    let mut long = format!("a={ka}");
    let secret_at = 2 + 20 + 120 - 31;
    long.push_str(&" ".repeat(secret_at - long.len()));
    long.push_str(&sa);
    long.push_str(&" ".repeat(secret_at + 9 + 120 - long.len()));
    long.push_str(&kb);
    write("window.py", format!("x = 1\n{long}\n").as_bytes());

    // A UTF-16 secret beside an ASCII key ID in a binary.
    let (kd, sd) = pair();
    let mut dll = b"MZ\x90\x00".to_vec();
    dll.extend(format!("key={kd}\0\0").bytes());
    dll.extend(
        format!("secret={sd}")
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    dll.extend((0..=255u8).cycle().take(600));
    write("app.dll", &dll);

    // Hex: a credentials file as `xxd -p` writes it (60 digits a line), and a plain key ID
    // whose secret is `bytes.fromhex` of spaced hex.
    let hex = |s: &str, sep: &str| -> String {
        s.bytes()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(sep)
    };
    let (kh, sh) = pair();
    let dump = hex(
        &format!("[x]\naws_access_key_id = {kh}\naws_secret_access_key = {sh}\n"),
        "",
    );
    let lines: Vec<&str> = dump
        .as_bytes()
        .chunks(60)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    write(
        "credentials.hex",
        format!("{}\n", lines.join("\n")).as_bytes(),
    );
    let (kp, sp) = pair();
    let py = format!(
        "KEY = \"{kp}\"\nSECRET = bytes.fromhex(\"{}\").decode()\n",
        hex(&sp, " ")
    );
    write("keys.py", py.as_bytes());

    // A presigned URL with a session token, URL-encoded inside another URL's query.
    let token = fake_token("IQoJb3JpZ2luX2Vj");
    let q = |s: &str| {
        s.bytes()
            .map(
                |b| match b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    true => char::from(b).to_string(),
                    false => format!("%{b:02X}"),
                },
            )
            .collect::<String>()
    };
    let inner = format!(
        "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Security-Token={}\
         &X-Amz-Credential={}%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20250101T000000Z\
         &X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature={}",
        q(&token),
        fake_key("ASIA"),
        "ab12".repeat(16)
    );
    let page = format!(
        "<a href=\"https://app.example.com/login?next={}\">x</a>\n",
        q(&inner)
    );
    write("page.html", page.as_bytes());
    planted.reported.push(token);

    planted.key_ids.push(twice_key);
    planted.unreported.push(twice);
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

/// No value shows, as itself, escaped, or in hex (either case, with or without spaces).
fn assert_no_leak(what: &str, text: &str, planted: &Planted) {
    let decoded = unescaped(text);
    let flat = text.to_ascii_lowercase().replace(' ', "");
    for v in planted.all_values() {
        let hex: String = v.bytes().map(|b| format!("{b:02x}")).collect();
        for (shown, v) in [(text, v), (&decoded, v), (&flat, &hex)] {
            if let Some(piece) = leaked_piece(shown, v) {
                panic!("{what} shows {piece:?}, part of {}…:\n{text}", &v[..4]);
            }
        }
    }
}

/// With `--show-secrets` (and `--show-info`, so human output lists every finding) every
/// format prints the secrets; human, JSON and JSONL print the
/// tokens too (SARIF and GitHub messages only say a finding has one). GitHub annotations stop
/// at GitHub's cap per level: past it a value may be missing, and the last notice says so.
fn assert_shown(format: &str, stdout: &str, planted: &Planted) {
    let stdout = &unescaped(stdout);
    let capped = format == "github" && stdout.contains("more findings are not annotated");
    let mut shown = 0;
    for v in &planted.reported {
        let is_token = v.len() > 40;
        if is_token && matches!(format, "sarif" | "github") {
            continue;
        }
        shown += usize::from(stdout.contains(v.as_str()));
        assert!(
            capped || stdout.contains(v.as_str()),
            "{format}: {v} missing:\n{stdout}"
        );
    }
    assert!(shown > 0, "{format}: nothing shown:\n{stdout}");
}

#[test]
fn files_no_secret_in_any_format_or_warning_or_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut planted = plant(d);
    plant_hazards(d, &mut planted);
    let baseline = d.join("baseline.json");
    for format in FORMATS {
        // --show-info: every finding's block is checked, not only the count of info ones.
        let run = scan_in(d, &[".", "--format", format, "--show-info"]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert!(run.stderr.contains("dump.sql: skipped"), "{}", run.stderr);
        assert!(run.stderr.contains("pipe: skipped"), "{}", run.stderr);
        assert_no_leak(&format!("{format} stdout"), &run.stdout, &planted);
        assert_no_leak(&format!("{format} stderr"), &run.stderr, &planted);

        let shown = scan_in(
            d,
            &[".", "--format", format, "--show-secrets", "--show-info"],
        );
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
        let args = [
            "--git",
            "--max-filesize",
            "1K",
            "--format",
            format,
            "--show-info",
        ];
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
            &["--git", "--format", format, "--show-secrets", "--show-info"],
        );
        assert_shown(format, &shown.stdout, &planted);
    }
    if terminal {
        // The display races a short scan; over six runs it shows at least once.
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
