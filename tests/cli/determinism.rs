//! Determinism: the same scan with `-j1` and `-j8` prints byte-identical stdout and stderr,
//! with the same exit code, in every format — over a generated tree with hundreds of findings
//! of every kind across hundreds of files (plus files that only warnings speak of), and over
//! a history with branches, a merge, a tag, renames and deletions, intact and then with a
//! corrupted commit (the walk then goes commit by commit). `-j1` must not hang: scan_cmd's
//! timeout fails the test if it does.
//!
//! `scan_output` and `git_history` compare thread counts on `testdata` and a small history
//! in some formats; this covers all five formats on larger, denser inputs.
#![cfg(unix)]

use std::fs;
use std::path::Path;

use crate::common::{Run, scan_in};
use crate::git_common::{DAY, Repo, env_file, fake_key, fake_secret, now};
use crate::no_leak::fake_token;

const FORMATS: [&str; 5] = ["human", "json", "jsonl", "sarif", "github"];
/// `-j8` runs per format: a race shows up only now and then.
const EIGHT_THREAD_RUNS: usize = 2;
const DIRS: usize = 24;
const FILES_PER_DIR: usize = 14;
const EXTENSIONS: [&str; 7] = ["env", "py", "js", "json", "yaml", "tf", "txt"];

/// Lines that hold nothing, so findings land on varied line numbers.
fn filler(n: usize) -> String {
    (0..n).map(|i| format!("# note {i}\n")).collect()
}

/// The `i`th file's content: every finding kind the detector has, one shape per file.
fn content(i: usize, shared: &str) -> String {
    let mut text = filler(i % 5);
    let body = match i % 8 {
        0 => env_file(&fake_key("AKIA"), &fake_secret()),
        1 => format!(
            "[a]\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {}\n\
             [b]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            fake_key("ASIA"),
            fake_secret(),
            fake_token("IQoJb3JpZ2luX2Vj"),
            fake_key("AKIA"),
            fake_secret(),
        ),
        2 => format!(
            "aws_secret_access_key = \"{}\"\n{}token: {}\n",
            fake_secret(),
            filler(8),
            fake_token("FwoGZXIvYXdz")
        ),
        3 => format!(
            "[{{\"id\":\"{}\",\"key\":\"{}\"}},{{\"id\":\"{}\",\"key\":\"{}\"}}]\n",
            fake_key("AKIA"),
            fake_secret(),
            fake_key("ASIA"),
            fake_secret()
        ),
        // The same key in many files: one finding per path, ordered by path.
        4 => format!(
            "{shared}example = AKIAIOSFODNN7EXAMPLE\nuser = {}\n",
            fake_key("AIDA")
        ),
        5 => {
            let escaped: String = fake_key("AKIA")
                .bytes()
                .map(|b| format!("\\u{b:04x}"))
                .collect();
            format!("{{\"k\": \"{escaped}\"}}\n")
        }
        6 => format!(
            "a = {}  # keyleak:allow\n{}b = {}\n",
            fake_key("AKIA"),
            filler(7),
            fake_key("ABIA")
        ),
        _ => "nothing to report here\n".to_string(),
    };
    text.push_str(&body);
    text
}

fn build_tree(root: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let shared = env_file(&fake_key("AKIA"), &fake_secret());
    for d in 0..DIRS {
        for f in 0..FILES_PER_DIR {
            let i = d * FILES_PER_DIR + f;
            let ext = EXTENSIONS[i % EXTENSIONS.len()];
            let path = root.join(format!("src/m{d:02}/f{f:02}.{ext}"));
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, content(i, &shared)).unwrap();
        }
    }
    // Warnings, which must come out in the same order too.
    let mut big = "x".repeat(80 << 10);
    big.push_str(&shared);
    fs::write(root.join("src/m03/big.log"), big).unwrap();
    fs::write(
        root.join(std::ffi::OsStr::from_bytes(b"src/m07/n-\xff.env")),
        &shared,
    )
    .unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(root.join("src/m11/pipe"))
        .status()
        .expect("mkfifo runs");
    assert!(fifo.success());
}

/// Runs `args` with `-j1` once and `-j8` several times in every format; all must match.
fn assert_same_output(dir: &Path, args: &[&str], min_findings: usize) {
    for format in FORMATS {
        let run = |j: &str| -> Run {
            let mut all = args.to_vec();
            all.extend(["--format", format, "-j", j]);
            scan_in(dir, &all)
        };
        let one = run("1");
        assert_eq!(one.code, 1, "{format}: {}", one.stderr);
        if format == "jsonl" {
            let n = one.stdout.lines().count();
            assert!(n >= min_findings, "only {n} findings");
        }
        for _ in 0..EIGHT_THREAD_RUNS {
            let eight = run("8");
            assert_eq!(eight.code, one.code, "{format}");
            if one.stdout != eight.stdout {
                let at = first_difference(&one.stdout, &eight.stdout);
                panic!("{format}: stdout differs from line {at} (-j1 vs -j8)");
            }
            assert_eq!(one.stderr, eight.stderr, "{format}: stderr");
        }
    }
}

fn first_difference(a: &str, b: &str) -> usize {
    a.lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or_else(|| a.lines().count().min(b.lines().count()))
        + 1
}

#[test]
fn tree_output_is_byte_identical_with_one_thread_and_eight() {
    let dir = tempfile::tempdir().unwrap();
    build_tree(dir.path());
    let args = [".", "--include-identifiers", "--max-filesize", "64K"];
    let probe = scan_in(dir.path(), &[&args[..], &["--format", "json"]].concat());
    let summary = &probe.json()["summary"];
    assert_eq!(summary["warnings"], 3, "{}", probe.stderr);
    assert!(summary["allowed_inline"].as_u64().unwrap() > 0);
    assert_same_output(dir.path(), &args, 400);
}

/// A history with two branches, a merge, a tag, an exact rename, a deleted key, expired
/// temporary keys and one blob at many paths.
fn build_history() -> Repo {
    let repo = Repo::new();
    let t0 = now() - 90 * DAY;
    let shared = env_file(&fake_key("AKIA"), &fake_secret());
    let name = |n: usize| format!("svc{}/c{n}.{}", n % 4, EXTENSIONS[n % 7]);
    fs::create_dir(repo.path().join("moved")).unwrap();
    for i in 0..30i64 {
        let n = i as usize;
        repo.write(&name(n), &content(n, &shared));
        repo.write("CHANGELOG", &filler(n + 1));
        repo.commit_at(t0 + i * DAY, &format!("main {i}"));
        match i {
            // An exact rename: the key keeps the commit that added it.
            8 => {
                repo.git(&["mv", &name(n), "moved/"]);
                repo.commit_at(t0 + i * DAY + 60, "rename");
            }
            // Deleted: found in history only, with the history note.
            9 => {
                repo.git(&["rm", "-q", &name(n)]);
                repo.commit_at(t0 + i * DAY + 60, "remove a key");
            }
            20 => {
                repo.git(&["tag", "v1"]);
            }
            _ => {}
        }
    }
    repo.git(&["checkout", "-q", "-b", "side", "v1"]);
    for i in 0..8i64 {
        let n = 100 + i as usize;
        repo.write(
            &format!("side/s{i}.{}", EXTENSIONS[n % 7]),
            &content(n, &shared),
        );
        repo.commit_at(t0 + (40 + i) * DAY, &format!("side {i}"));
    }
    repo.git(&["checkout", "-q", "main"]);
    repo.git_at(
        t0 + 50 * DAY,
        &["merge", "-q", "--no-ff", "-m", "merge side", "side"],
    );
    repo.write("after-merge.env", &content(0, &shared));
    repo.commit_at(t0 + 51 * DAY, "after merge");
    repo
}

#[test]
fn history_output_is_byte_identical_with_one_thread_and_eight() {
    let repo = build_history();
    assert_same_output(repo.path(), &["--git", "--include-identifiers"], 40);

    // A corrupted commit on the side branch: libgit2's walk gives up and keyleak walks
    // commit by commit, which must be just as deterministic.
    let victim = repo.rev("side~3");
    let object = repo
        .path()
        .join(".git/objects")
        .join(&victim[..2])
        .join(&victim[2..]);
    let mut bytes = fs::read(&object).expect("a loose commit");
    for b in &mut bytes[2..] {
        *b ^= 0x5a;
    }
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&object, fs::Permissions::from_mode(0o644)).unwrap();
    }
    fs::write(&object, bytes).unwrap();
    let probe = scan_in(repo.path(), &["--git", "--format", "json"]);
    assert!(
        probe.stderr.contains("walked again commit by commit"),
        "{}",
        probe.stderr
    );
    assert_same_output(repo.path(), &["--git", "--include-identifiers"], 40);
}

/// One file of 9 MiB named alone: with a core to spare, its role reading and line count run
/// beside detection (`scan/whole.rs`). The report is the one `-j1` gives (where they run
/// after), in every format, and the lines are those counted here: a key on line 2, a key
/// and secret past the 8 MiB mark, a lone secret past the first MiB mark.
#[test]
fn one_large_file_read_beside_detection_reports_as_one_thread_does() {
    let dir = tempfile::tempdir().unwrap();
    let (first, late) = (fake_key("AKIA"), fake_key("ASIA"));
    let line = "      run: echo building the release artifacts for every target now\n";
    let filler_lines = |bytes: usize| line.repeat(bytes / line.len());
    let mut text = format!("name: deploy\n# {first}\non: push\n");
    text.push_str(&filler_lines(1 << 20));
    let lone_line = text.lines().count() + 1;
    text.push_str(&format!("      aws_secret_access_key: {}\n", fake_secret()));
    text.push_str(&filler_lines(7 << 20));
    let late_line = text.lines().count() + 1;
    text.push_str(&env_file(&late, &fake_secret()));
    text.push_str(&filler_lines(1 << 20));
    assert!(text.len() > 9 << 20);
    let workflows = dir.path().join(".github/workflows");
    fs::create_dir_all(&workflows).unwrap();
    fs::write(workflows.join("deploy.yml"), &text).unwrap();
    let args = [".github/workflows/deploy.yml"];
    let probe = scan_in(
        dir.path(),
        &[&args[..], &["--format", "json", "-j", "2"]].concat(),
    );
    let found: Vec<(String, u64)> = probe
        .findings()
        .iter()
        .map(|f| {
            let id = f["key_id"].as_str().unwrap_or("(secret)").to_string();
            (id, f["line"].as_u64().unwrap())
        })
        .collect();
    let want = [
        (first.clone(), 2),
        ("(secret)".to_string(), lone_line as u64),
        (late.clone(), late_line as u64),
    ];
    assert_eq!(found, want, "{}", probe.stderr);
    // The role reading beside detection saw the workflow: OIDC advice, as with -j1.
    let setup = &probe.findings()[0]["advice"]["role"];
    assert!(setup.to_string().contains("token.actions"), "{setup}");
    assert_same_output(dir.path(), &args, 3);
}
