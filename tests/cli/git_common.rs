//! A git-repository builder for the history and staged tests: real repositories made with the
//! git CLI in temporary directories, with fixed identities and dates, and fake credentials
//! generated fresh for every test (random base32 after the prefix, random mixed-case
//! secrets), so no test depends on a key written down anywhere.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tempfile::TempDir;

use crate::common::{Run, finish, scan_cmd};

pub const HOUR: i64 = 3600;
pub const DAY: i64 = 24 * HOUR;

/// Unix seconds now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// A little pseudo-random generator (xorshift), seeded per call from the clock and a counter:
/// the values only need to differ between tests and runs, not be unpredictable.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_nanos() as u64;
    let mut x = nanos ^ COUNTER.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
    for _ in 0..8 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

fn random_from(alphabet: &[u8], len: usize) -> String {
    (0..len)
        .map(|_| alphabet[(random_u64() % alphabet.len() as u64) as usize] as char)
        .collect()
}

/// A fake key ID: `prefix` and 16 random base32 characters.
pub fn fake_key(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        random_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    )
}

/// A fake 40-character secret access key: random, and one the detector's own tests take for
/// a secret (`detect::secret::looks_random`: upper and lower case, a digit, and not reading
/// as words; `is_placeholder`: no word such as `fake` inside). The word rule alone rejects
/// about one random string in 6,000 of this alphabet: with hundreds of secrets a run, a test
/// whose subject is something else failed now and then.
pub fn fake_secret() -> String {
    loop {
        let s = random_from(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            40,
        );
        let secret = s.as_bytes();
        if keyleak::detect::secret::looks_random(secret)
            && !keyleak::detect::secret::is_placeholder(secret)
        {
            return s;
        }
    }
}

/// A `.env`-style file holding a key ID and its secret.
pub fn env_file(key: &str, secret: &str) -> String {
    format!("AWS_ACCESS_KEY_ID={key}\nAWS_SECRET_ACCESS_KEY={secret}\n")
}

/// A repository in a temporary directory, on branch `main`, with a local identity.
pub struct Repo {
    _dir: TempDir,
    path: PathBuf,
}

impl Repo {
    pub fn new() -> Repo {
        Repo::init(&[])
    }

    /// A repository in the SHA-256 object format, or `None` when this git cannot make one.
    pub fn sha256() -> Option<Repo> {
        let probe = tempfile::tempdir().expect("temp dir");
        let made = Command::new("git")
            .args(["init", "-q", "--object-format=sha256"])
            .arg(probe.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env_remove("GIT_DIR")
            .output()
            .expect("git runs");
        if !made.status.success() {
            eprintln!("skipped: this git cannot make a SHA-256 repository");
            return None;
        }
        Some(Repo::init(&["--object-format=sha256"]))
    }

    /// `git init` with `extra` arguments, a branch `main` and a local identity.
    fn init(extra: &[&str]) -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("repo");
        std::fs::create_dir(&path).expect("mkdir");
        let repo = Repo { _dir: dir, path };
        let mut args = vec!["init", "-q", "-b", "main"];
        args.extend_from_slice(extra);
        repo.git(&args);
        repo.git(&["config", "user.name", "Test Author"]);
        repo.git(&["config", "user.email", "author@example.com"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A sibling directory in the same temporary directory (for clones).
    pub fn sibling(&self, name: &str) -> PathBuf {
        self.path.parent().expect("has a parent").join(name)
    }

    /// Runs git in the repository with a fixed environment; panics on failure.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_at(now(), args)
    }

    /// Runs git with author and committer dates set to `when` (Unix seconds).
    pub fn git_at(&self, when: i64, args: &[&str]) -> String {
        git_in(&self.path, when, args)
    }

    pub fn write(&self, path: &str, content: &str) {
        let full = self.path.join(path);
        if let Some(dir) = full.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::write(full, content).expect("write");
    }

    /// Writes `path` and stages it (`git add path`), as a change about to be committed.
    pub fn stage(&self, path: &str, content: &str) {
        self.write(path, content);
        self.git(&["add", path]);
    }

    /// The first commit, dated `when`: a `README.md` with no key, so that history has a
    /// commit before the one under test. Returns its id.
    pub fn first_commit_at(&self, when: i64) -> String {
        self.write("README.md", "hello\n");
        self.commit_at(when, "init")
    }

    /// [`Repo::first_commit_at`] now.
    pub fn first_commit(&self) -> String {
        self.first_commit_at(now())
    }

    /// `git add -A` and a commit dated `when`; returns the commit id.
    pub fn commit_at(&self, when: i64, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git_at(when, &["commit", "-q", "--allow-empty", "-m", message]);
        self.head()
    }

    pub fn commit(&self, message: &str) -> String {
        self.commit_at(now(), message)
    }

    /// A commit by someone else.
    pub fn commit_as(&self, name: &str, email: &str, when: i64, message: &str) -> String {
        self.git(&["add", "-A"]);
        let author = format!("{name} <{email}>");
        self.git_at(when, &["commit", "-q", "--author", &author, "-m", message]);
        self.head()
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    pub fn rev(&self, rev: &str) -> String {
        self.git(&["rev-parse", rev]).trim().to_string()
    }
}

/// Runs git in `dir` with dates set to `when`, isolated from the caller's git config.
pub fn git_in(dir: &Path, when: i64, args: &[&str]) -> String {
    let date = format!("@{when} +0000");
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs git in `dir` with `input` on its stdin, isolated from the caller's git config like
/// `git_in`; panics on failure.
pub fn git_stdin(dir: &Path, args: &[&str], input: &[u8]) -> String {
    let mut child = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("git runs");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(input)
        .expect("git reads its input");
    let out = child.wait_with_output().expect("git finishes");
    assert!(
        out.status.success(),
        "git {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `keyleak scan ARGS` from `dir`, with no git environment from the caller (a test run from a
/// git hook has `GIT_DIR` and `GIT_INDEX_FILE` set).
pub fn keyleak(dir: &Path, args: &[&str]) -> Run {
    keyleak_env(dir, &[], args)
}

/// [`keyleak`] with these environment variables set.
pub fn keyleak_env(dir: &Path, env: &[(&str, &Path)], args: &[&str]) -> Run {
    let mut cmd = scan_cmd(dir);
    for var in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] {
        cmd.env_remove(var);
    }
    for (name, value) in env {
        cmd.env(name, value);
    }
    finish(cmd.args(args))
}

/// `keyleak scan --format json --show-secrets ARGS` in `dir`; the findings.
pub fn git_findings(dir: &Path, args: &[&str]) -> (Run, Vec<Value>) {
    let mut all = vec!["--format", "json", "--show-secrets"];
    all.extend_from_slice(args);
    let run = keyleak(dir, &all);
    assert!(
        run.code == 0 || run.code == 1,
        "exit {}; stderr:\n{}",
        run.code,
        run.stderr
    );
    let findings = run.findings();
    (run, findings)
}

/// The findings whose key ID is `key`.
pub fn with_key<'a>(findings: &'a [Value], key: &str) -> Vec<&'a Value> {
    findings.iter().filter(|f| f["key_id"] == key).collect()
}
