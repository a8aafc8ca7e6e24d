//! Archives and compressed files: members of zip, jar-in-zip, tar.gz and gzip files are
//! scanned and reported as `archive!member`, in files, standard input, git history and the
//! index; `--no-archives`; damage; and the caps (a zip bomb, nesting past two levels, too
//! many members), each ending fast with a warning and nothing else lost. Archives are built
//! at test time with the zip, tar and flate2 crates (the bombs by hand, see `bomb`); keys are
//! fresh fakes from `git_common`.

use std::io::{Cursor, Write};
use std::path::Path;

use serde_json::Value;
use zip::CompressionMethod::{self, Deflated, Stored};
use zip::write::{SimpleFileOptions, ZipWriter};

use crate::common::{Run, account_of, scan_in, scan_stdin, write};
use crate::git_common::{Repo, fake_key, fake_secret, git_findings};

mod bomb;
mod caps;
mod hidden;
mod parallel;

/// What each test checks of a finding.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    path: String,
    line: u64,
    key_id: String,
    account: Option<String>,
    risk: &'static str,
    secret: Option<String>,
    secret_line: Option<u64>,
}

fn seen(f: &Value) -> Seen {
    Seen {
        path: f["path"].as_str().expect("path").to_string(),
        line: f["line"].as_u64().expect("line"),
        key_id: f["key_id"].as_str().expect("key_id").to_string(),
        account: f["account_id"].as_str().map(String::from),
        risk: match f["risk"].as_str().expect("risk") {
            "critical" => "critical",
            "high" => "high",
            other => panic!("unexpected risk {other}"),
        },
        secret: f["secret"].as_str().map(String::from),
        secret_line: f["secret_line"].as_u64(),
    }
}

/// A critical finding: `key` at `line` of `path`, paired with `secret` on the next line.
fn paired(path: &str, line: u64, key: &str, secret: &str) -> Seen {
    Seen {
        path: path.to_string(),
        line,
        key_id: key.to_string(),
        account: account_of(key),
        risk: "critical",
        secret: Some(secret.to_string()),
        secret_line: Some(line + 1),
    }
}

/// A key ID alone: `high`.
fn alone(path: &str, line: u64, key: &str) -> Seen {
    Seen {
        path: path.to_string(),
        line,
        key_id: key.to_string(),
        account: account_of(key),
        risk: "high",
        secret: None,
        secret_line: None,
    }
}

/// A Java properties file: key on line 2, secret on line 3.
fn properties(key: &str, secret: &str) -> Vec<u8> {
    format!("# deploy\naws.accessKeyId={key}\naws.secretKey={secret}\nregion=eu-west-1\n").into()
}

/// Lines of padding [`compressible`] puts before a text.
const PAD_LINES: u64 = 20;

/// `text` after lines that compress well: deflate then Huffman-codes the whole member, so
/// the text is not readable in the archive's raw bytes (a short random text alone would be
/// kept as a stored block).
fn compressible(text: &[u8]) -> Vec<u8> {
    let mut out = b"# settings for the deployment of the service\n".repeat(PAD_LINES as usize);
    out.extend_from_slice(text);
    out
}

fn zip_of(entries: &[(&str, &[u8], CompressionMethod)]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes, method) in entries {
        let options = SimpleFileOptions::default().compression_method(*method);
        w.start_file(*name, options).expect("start_file");
        w.write_all(bytes).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

pub fn gzip_of(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("write");
    e.finish().expect("finish")
}

fn tar_gz_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, bytes) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o600);
        h.set_cksum();
        b.append_data(&mut h, name, *bytes).expect("append");
    }
    gzip_of(&b.into_inner().expect("tar"))
}

/// `scan . --format json --show-secrets EXTRA` in `dir`; exits 0 or 1.
fn scan_dir(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec![".", "--format", "json", "--show-secrets"];
    args.extend_from_slice(extra);
    let run = scan_in(dir, &args);
    assert!(run.code <= 1, "exit {}:\n{}", run.code, run.stderr);
    run
}

fn all_seen(run: &Run) -> Vec<Seen> {
    run.findings().iter().map(seen).collect()
}

/// The 1-based line on which `needle` starts in `haystack`.
fn line_of(haystack: &[u8], needle: &str) -> u64 {
    let at = memchr::memmem::find(haystack, needle.as_bytes()).expect("needle present");
    1 + haystack[..at].iter().filter(|&&b| b == b'\n').count() as u64
}

#[test]
fn a_deflated_zip_member_is_found_under_its_inner_path() {
    let (key, secret) = (fake_key("AKIA"), fake_secret());
    let dir = tempfile::tempdir().expect("tmp");
    let bundle = zip_of(&[
        ("README.txt", b"nothing here\n", Deflated),
        (
            "config/app.properties",
            &properties(&key, &secret),
            Deflated,
        ),
    ]);
    write(dir.path(), "dist/bundle.zip", &bundle);
    let run = scan_dir(dir.path(), &[]);
    let want = [paired(
        "dist/bundle.zip!config/app.properties",
        2,
        &key,
        &secret,
    )];
    assert_eq!(all_seen(&run), want);
    assert_eq!(run.code, 1);
    // Members are counted as blobs, and the archive's own bytes (headers, names) as one more.
    assert_eq!(run.json()["summary"]["scanned_blobs"], 3);
    assert_eq!(run.stderr, "");
}

#[test]
fn a_jar_inside_a_zip_is_opened_two_levels_deep() {
    let (key, secret) = (fake_key("AKIA"), fake_secret());
    let jar = zip_of(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n", Deflated),
        (
            "application.properties",
            &properties(&key, &secret),
            Deflated,
        ),
    ]);
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "release.war",
        zip_of(&[("WEB-INF/lib/app.jar", &jar, Deflated)]),
    );
    let run = scan_dir(dir.path(), &[]);
    let path = "release.war!WEB-INF/lib/app.jar!application.properties";
    assert_eq!(all_seen(&run), [paired(path, 2, &key, &secret)]);
    assert_eq!(run.stderr, "");
}

#[test]
fn tar_gz_members_and_a_plain_gz_file_are_found() {
    let (k1, s1, k2) = (fake_key("AKIA"), fake_secret(), fake_key("AKIA"));
    let creds = format!("[default]\naws_access_key_id = {k1}\naws_secret_access_key = {s1}\n");
    let dir = tempfile::tempdir().expect("tmp");
    let backup = tar_gz_of(&[
        ("./home/deploy/.bashrc", b"alias ll='ls -l'\n"),
        ("./home/deploy/.aws/credentials", creds.as_bytes()),
    ]);
    write(dir.path(), "backup.tar.gz", &backup);
    write(
        dir.path(),
        "logs/app.env.gz",
        gzip_of(format!("\nKEY_ID={k2}\n").as_bytes()),
    );
    let run = scan_dir(dir.path(), &[]);
    let want = [
        paired("backup.tar.gz!home/deploy/.aws/credentials", 2, &k1, &s1),
        alone("logs/app.env.gz!app.env", 2, &k2),
    ];
    assert_eq!(all_seen(&run), want);
    assert_eq!(run.stderr, "");
}

#[test]
fn standard_input_is_opened_too() {
    let (key, secret) = (fake_key("AKIA"), fake_secret());
    let bundle = zip_of(&[("conf/app.properties", &properties(&key, &secret), Deflated)]);
    let run = scan_stdin(&bundle, &["--format", "json", "--show-secrets"]);
    let want = [paired("<stdin>!conf/app.properties", 2, &key, &secret)];
    assert_eq!(all_seen(&run), want);
}

#[test]
fn no_archives_scans_raw_bytes_only() {
    let (k1, s1, k2) = (fake_key("AKIA"), fake_secret(), fake_key("AKIA"));
    let stored = format!("id={k2}\n");
    let deflated = compressible(&properties(&k1, &s1));
    let bundle = zip_of(&[
        ("deflated.properties", &deflated, Deflated),
        ("stored.txt", stored.as_bytes(), Stored),
    ]);
    assert!(
        memchr::memmem::find(&bundle, k1.as_bytes()).is_none(),
        "k1 is compressed"
    );
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "bundle.zip", &bundle);
    let opened = scan_dir(dir.path(), &[]);
    let want = [
        paired("bundle.zip!deflated.properties", PAD_LINES + 2, &k1, &s1),
        alone("bundle.zip!stored.txt", 1, &k2),
    ];
    assert_eq!(all_seen(&opened), want);
    // Raw: the deflated key cannot be read; the stored one is reported once, at the archive.
    let raw = scan_dir(dir.path(), &["--no-archives"]);
    let line = line_of(&bundle, &k2);
    assert_eq!(all_seen(&raw), [alone("bundle.zip", line, &k2)]);
    assert_eq!(raw.json()["summary"]["scanned_blobs"], 1);
    assert_eq!(raw.stderr, "");
}

#[test]
fn a_truncated_zip_is_read_from_its_local_headers() {
    let (k1, k2, k3) = (fake_key("AKIA"), fake_key("AKIA"), fake_key("AKIA"));
    let deflated = compressible(format!("id={k1}\n").as_bytes());
    let bundle = zip_of(&[
        ("keys.txt", &deflated, Deflated),
        ("more.txt", format!("id={k2}\n").as_bytes(), Stored),
    ]);
    // Cut inside the second member's data: no directory, and k2 lost with the cut.
    let cut = &bundle[..memchr::memmem::find(&bundle, k2.as_bytes()).expect("stored") + 8];
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "broken.zip", cut);
    write(dir.path(), "fine.env", format!("ID={k3}\n").as_bytes());
    let run = scan_dir(dir.path(), &[]);
    let want = [
        alone("broken.zip!keys.txt", PAD_LINES + 1, &k1),
        alone("fine.env", 1, &k3),
    ];
    assert_eq!(all_seen(&run), want);
    assert_eq!(
        run.stderr,
        "keyleak: warning: broken.zip: cannot read its central directory (no end of central \
         directory record): its entries are read from their local headers\n\
         keyleak: warning: broken.zip!more.txt: damaged: the archive ends inside this member; \
         the 11 bytes read are scanned\n"
    );
}

#[test]
fn history_reports_an_archive_member_once_at_the_commit_that_added_it() {
    let (key, secret) = (fake_key("AKIA"), fake_secret());
    let repo = Repo::new();
    let props = properties(&key, &secret);
    let v1 = zip_of(&[("config/app.properties", &props, Deflated)]);
    write(repo.path(), "artifacts/bundle.zip", &v1);
    let first = repo.commit("add bundle");
    // A new version of the archive still holding the key: the same finding, not a new one.
    let v2 = zip_of(&[
        ("config/app.properties", &props, Deflated),
        ("NOTES.txt", b"v2\n", Deflated),
    ]);
    write(repo.path(), "artifacts/bundle.zip", &v2);
    let second = repo.commit("bundle v2");
    let path = "artifacts/bundle.zip!config/app.properties";
    let (_, findings) = git_findings(repo.path(), &["--git"]);
    assert_eq!(
        findings.iter().map(seen).collect::<Vec<_>>(),
        [paired(path, 2, &key, &secret)]
    );
    assert_eq!(findings[0]["commit"]["id"], first.as_str());
    assert_eq!(findings[0]["in_head"], true);
    // The second commit only rebuilt an archive that already held the key.
    let (_, findings) = git_findings(repo.path(), &["--range", &format!("{first}..{second}")]);
    assert_eq!(findings, Vec::<Value>::new());
}

#[test]
fn staged_archives_are_opened() {
    let (k1, s1, k2) = (fake_key("AKIA"), fake_secret(), fake_key("AKIA"));
    let repo = Repo::new();
    let props = properties(&k1, &s1);
    write(
        repo.path(),
        "lib/app.jar",
        zip_of(&[("app.properties", &props, Deflated)]),
    );
    repo.commit("add jar");
    // Rebuilt with the old key and a new one: only the new one is staged news.
    let added = format!("id={k2}\n");
    let v2 = zip_of(&[
        ("app.properties", &props, Deflated),
        ("extra.env", added.as_bytes(), Deflated),
    ]);
    write(repo.path(), "lib/app.jar", &v2);
    repo.git(&["add", "-A"]);
    let (_, findings) = git_findings(repo.path(), &["--staged"]);
    let want = [alone("lib/app.jar!extra.env", 1, &k2)];
    assert_eq!(findings.iter().map(seen).collect::<Vec<_>>(), want);
}

/// Files from 1 MiB up are mapped rather than read (`source/file_bytes.rs`): a large zip is
/// opened the same, its own bytes still scanned with the members' data blanked (in a copy:
/// the file is unchanged), and a large plain file gives the same finding as a small one.
#[test]
fn large_files_are_mapped_and_scanned_the_same() {
    let (k1, k2) = (fake_key("AKIA"), fake_key("AKIA"));
    let padding = b"# filler line of a large vendored bundle, nothing to find\n".repeat(20_000);
    let stored = format!("id={k1}\n");
    let bundle = zip_of(&[
        ("vendor/big.txt", &padding, Stored),
        ("stored.txt", stored.as_bytes(), Stored),
    ]);
    assert!(bundle.len() > 1 << 20);
    let mut plain = padding.clone();
    plain.extend_from_slice(format!("id={k2}\n").as_bytes());
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "bundle.zip", &bundle);
    write(dir.path(), "big.txt", &plain);
    let opened = scan_dir(dir.path(), &[]);
    let want = [
        alone("big.txt", 20_001, &k2),
        alone("bundle.zip!stored.txt", 1, &k1),
    ];
    assert_eq!(all_seen(&opened), want);
    assert_eq!(opened.stderr, "");
    let on_disk = std::fs::read(dir.path().join("bundle.zip")).expect("read");
    assert!(on_disk == bundle, "the scan left the archive as it was");
    let raw = scan_dir(dir.path(), &["--no-archives"]);
    let want = [
        alone("big.txt", 20_001, &k2),
        alone("bundle.zip", line_of(&bundle, &k1), &k1),
    ];
    assert_eq!(all_seen(&raw), want);
}
