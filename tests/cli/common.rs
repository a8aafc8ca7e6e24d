//! Helpers shared by the CLI tests: running the binary, reading its JSON, the expected-finding
//! table, and an account-ID decoder written from the issue's description rather than from
//! keyleak's code, so the tests check keyleak instead of repeating it.

use std::path::Path;

use serde_json::Value;

/// The crate root: testdata paths in expectations are relative to it.
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// How one run of the binary ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The stdout of a `--format json` run, parsed.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// The findings of a `--format json` run.
    pub fn findings(&self) -> Vec<Value> {
        self.json()["findings"]
            .as_array()
            .expect("findings is an array")
            .clone()
    }
}

/// `keyleak scan` run from `dir`. `NO_COLOR` is cleared so no test depends on the caller's
/// environment; stdout is a pipe, so `--color auto` means no colour anyway.
pub fn scan_cmd(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_keyleak"));
    isolate(&mut cmd, dir);
    cmd.arg("scan");
    cmd
}

/// Sets `cmd` to run in `dir` with the environment and timeout every keyleak run here gets; for
/// wrappers (`/usr/bin/time`, `script`) that start keyleak themselves.
pub fn isolate(cmd: &mut assert_cmd::Command, dir: &Path) {
    cmd.current_dir(dir).env_remove("NO_COLOR");
    // testdata/ sits in a git repository and keyleak honours the global gitignore
    // (`core.excludesFile` in ~/.gitconfig or /etc/gitconfig, `~/.config/git/ignore`): a
    // developer's one listing `.env` would hide planted keys. Point every lookup at nothing.
    let nowhere = Path::new(ROOT).join("target/no-such-home");
    cmd.env("HOME", &nowhere)
        .env("XDG_CONFIG_HOME", &nowhere)
        .env("GIT_CONFIG_GLOBAL", nowhere.join("gitconfig"))
        .env("GIT_CONFIG_SYSTEM", nowhere.join("gitconfig"));
    // Generous: a hang (symlink loop, FIFO) must fail the test, not stall the suite.
    cmd.timeout(std::time::Duration::from_secs(60));
}

pub fn finish(cmd: &mut assert_cmd::Command) -> Run {
    let out = cmd.output().expect("keyleak runs");
    Run {
        code: out.status.code().expect("keyleak exits, it is not killed"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `keyleak scan ARGS` from the crate root.
pub fn scan(args: &[&str]) -> Run {
    finish(scan_cmd(Path::new(ROOT)).args(args))
}

/// `keyleak scan ARGS` from `dir`.
pub fn scan_in(dir: &Path, args: &[&str]) -> Run {
    finish(scan_cmd(dir).args(args))
}

/// `keyleak scan -` with `input` on stdin.
pub fn scan_stdin(input: &[u8], args: &[&str]) -> Run {
    finish(
        scan_cmd(Path::new(ROOT))
            .arg("-")
            .args(args)
            .write_stdin(input.to_vec()),
    )
}

/// Writes `contents` to `rel` under `root`, making the directories it needs.
pub fn write(root: &Path, rel: impl AsRef<Path>, contents: impl AsRef<[u8]>) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("a file under root")).expect("mkdir");
    std::fs::write(&path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// A temporary directory holding `files`, each a `(path, contents)` written with [`write`].
pub fn tree_of(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (rel, contents) in files {
        write(dir.path(), rel, contents);
    }
    dir
}

/// The "now" of runs that must not depend on the day the tests run (presigned URL expiry):
/// 2026-06-01T12:00:00Z. testdata/README.md dates its presigned URLs against it.
pub const FIXED_NOW: i64 = 1_780_315_200;

/// `keyleak scan ARGS` from the crate root, with "now" fixed at `now` (Unix seconds) through
/// `KEYLEAK_NOW`.
pub fn scan_at(now: i64, args: &[&str]) -> Run {
    finish(
        scan_cmd(Path::new(ROOT))
            .env("KEYLEAK_NOW", now.to_string())
            .args(args),
    )
}

/// `keyleak scan -` with `input` on stdin and "now" fixed at `now`.
pub fn scan_stdin_at(now: i64, input: &[u8], args: &[&str]) -> Run {
    finish(
        scan_cmd(Path::new(ROOT))
            .env("KEYLEAK_NOW", now.to_string())
            .arg("-")
            .args(args)
            .write_stdin(input.to_vec()),
    )
}

/// The account an access key ID encodes, per the issue: the 16 characters after the prefix
/// are base32 for 10 bytes; bytes 0-5 big-endian, masked with 0x7fffffffff80, shifted right
/// by 7. IDs whose fifth character is `I` or `J` predate the encoding; a result over 12
/// digits is no account.
pub fn account_of(key_id: &str) -> Option<String> {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let body = &key_id.as_bytes()[4..];
    assert_eq!(body.len(), 16, "{key_id}");
    if matches!(body[0], b'I' | b'J') {
        return None;
    }
    // Decode to bytes the RFC 4648 way: 5 bits per character, 8 bits per byte.
    let mut bytes = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for &c in body {
        let v = ALPHABET.iter().position(|&a| a == c).expect("base32") as u32;
        acc = (acc << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            bytes.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    assert_eq!(bytes.len(), 10);
    let first_six = bytes[..6]
        .iter()
        .fold(0u64, |n, &b| (n << 8) | u64::from(b));
    let account = (first_six & 0x7fff_ffff_ff80) >> 7;
    (account < 1_000_000_000_000).then(|| format!("{account:012}"))
}

/// One finding as the tests compare it: every field the issue asks to check, with full secret
/// values (tests that compare run with `--show-secrets`) so the pairing is checked too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Want {
    pub path: String,
    pub line: u64,
    pub column: u64,
    pub kind: String,
    pub key_id: Option<String>,
    pub account: Option<String>,
    pub risk: String,
    pub secret: Option<String>,
    pub has_secret: bool,
    pub secret_line: Option<u64>,
    /// First 24 characters and length of the session token.
    pub token: Option<(String, usize)>,
    pub has_session_token: bool,
    pub example: bool,
    pub context: String,
}

impl Want {
    /// A long-term key ID paired with its secret (critical, real) at `path`; the context is
    /// the advice context the file gets.
    pub fn critical_pair(
        path: &str,
        (line, column): (u64, u64),
        key: &str,
        (secret, secret_line): (&str, u64),
        context: &str,
    ) -> Want {
        Want {
            path: path.into(),
            line,
            column,
            kind: "aws_access_key".into(),
            key_id: Some(key.into()),
            account: account_of(key),
            risk: "critical".into(),
            secret: Some(secret.into()),
            has_secret: true,
            secret_line: Some(secret_line),
            token: None,
            has_session_token: false,
            example: false,
            context: context.into(),
        }
    }
}

/// Characters of a session token kept in [`Want::token`].
const TOKEN_HEAD: usize = 24;

fn opt(s: &str) -> Option<String> {
    (s != "-").then(|| s.to_string())
}

/// Parses a table of expected findings, one per line, columns separated by spaces (`-` for
/// none):
///
/// `path line:col kind key_id account risk secret secret_line token example context`
///
/// `token` is `<first 24 characters>#<length>`. The account column is checked here against
/// [`account_of`], so the table cannot silently carry a wrong account.
pub fn parse_table(table: &str) -> Vec<Want> {
    table
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(|l| {
            let c: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(c.len(), 11, "table row has 11 columns: {l}");
            let (line, column) = c[1].split_once(':').expect("line:col");
            let key_id = opt(c[3]);
            let account = opt(c[4]);
            if let Some(k) = &key_id {
                assert_eq!(account, account_of(k), "table account for {k}");
            }
            let secret = opt(c[6]);
            let token = opt(c[8]).map(|t| {
                let (head, len) = t.split_once('#').expect("token is head#len");
                (head.to_string(), len.parse().expect("token length"))
            });
            Want {
                path: c[0].to_string(),
                line: line.parse().expect("line"),
                column: column.parse().expect("column"),
                kind: c[2].to_string(),
                key_id,
                account,
                risk: c[5].to_string(),
                has_secret: secret.is_some(),
                secret,
                secret_line: opt(c[7]).map(|n| n.parse().expect("secret_line")),
                has_session_token: token.is_some(),
                token,
                example: c[9] == "example",
                context: c[10].to_string(),
            }
        })
        .collect()
}

fn str_field(v: &Value, name: &str) -> Option<String> {
    match &v[name] {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => panic!("{name} is not a string or null: {other}"),
    }
}

impl Want {
    /// Reads one JSON finding (from a `--show-secrets` run).
    pub fn from_json(v: &Value) -> Want {
        Want {
            path: str_field(v, "path").expect("path"),
            line: v["line"].as_u64().expect("line"),
            column: v["column"].as_u64().expect("column"),
            kind: str_field(v, "kind").expect("kind"),
            key_id: str_field(v, "key_id"),
            account: str_field(v, "account_id"),
            risk: str_field(v, "risk").expect("risk"),
            secret: str_field(v, "secret"),
            has_secret: v["has_secret"].as_bool().expect("has_secret"),
            secret_line: v["secret_line"].as_u64(),
            token: str_field(v, "session_token")
                .map(|t| (t.chars().take(TOKEN_HEAD).collect(), t.chars().count())),
            has_session_token: v["has_session_token"].as_bool().expect("has_session_token"),
            example: v["example"].as_bool().expect("example"),
            context: v["advice"]["context"]
                .as_str()
                .expect("advice.context")
                .to_string(),
        }
    }
}

/// Asserts that `findings` are exactly `want`, in order, one row at a time so a failure names
/// the finding that differs.
pub fn assert_findings(findings: &[Value], want: &[Want]) {
    let got: Vec<Want> = findings.iter().map(Want::from_json).collect();
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g, w, "finding #{i} differs");
    }
    assert_eq!(
        got.len(),
        want.len(),
        "number of findings; got:\n{got:#?}\nwant:\n{want:#?}"
    );
}

#[test]
fn account_decoder_matches_the_issue_vectors() {
    assert_eq!(
        account_of("ASIAY34FZKBOKMUTVV7A").as_deref(),
        Some("609629065308")
    );
    assert_eq!(
        account_of("AKIARZPUZDIKGB2VALC4").as_deref(),
        Some("123456789012")
    );
    assert_eq!(account_of("AKIAIOSFODNN7EXAMPLE"), None);
    assert_eq!(account_of("AKIAJOSFODNN7ABCDEFG"), None);
    // Decodes to 1,051,744,508,291: thirteen digits, no account.
    assert_eq!(account_of("AKIA7JYG3TGBWG6ABPZL"), None);
}

/// The vendored OASIS SARIF 2.1.0 schema.
pub const SARIF_SCHEMA: &str = include_str!("../schemas/sarif-schema-2.1.0.json");
/// The vendored GitLab Secret Detection report schema, 15.2.1.
pub const GITLAB_SCHEMA: &str =
    include_str!("../schemas/gitlab-secret-detection-report-format-15.2.1.json");

/// Where `doc` breaks `schema` (one of the constants above), one line each: empty when valid.
pub fn schema_errors(schema: &str, doc: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(schema).expect("the vendored schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the vendored schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Whether `program ARGS` runs and succeeds: a test that needs a tool skips without it, unless
/// `require_var` is set (`scripts/test.sh` sets it after installing `package`), then it fails.
pub fn tool_runs(program: &str, args: &[&str], require_var: &str, package: &str) -> bool {
    let ok = std::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os(require_var).is_none(),
            "{program} {args:?} is required here (scripts/test.sh installs {package})"
        );
        eprintln!("skipped: {program} {args:?} fails (./scripts/test.sh installs {package})");
    }
    ok
}

/// The value of the `--stats` line `name` in `stderr` (`keyleak: stats: NAME: VALUE`).
pub fn stat<'a>(stderr: &'a str, name: &str) -> &'a str {
    let prefix = format!("keyleak: stats: {name}: ");
    stderr
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("no {name} in:\n{stderr}"))
}
