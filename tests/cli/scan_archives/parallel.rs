//! A large archive's members are detected in parallel with its expansion (`scan/members.rs`,
//! from 4 MiB of archive bytes and more than one worker): the same report whatever `-j`, every
//! member found exactly once — none lost in a batch, none detected twice — with a nested
//! archive and a member over `--max-filesize` among them.

use zip::CompressionMethod::{Deflated, Stored};

use super::{
    PAD_LINES, Run, Seen, all_seen, compressible, paired, properties, scan_dir, write, zip_of,
};
use crate::git_common::{fake_key, fake_secret};

/// Deflated members holding a key and its secret each: many batches of small members.
const KEYED: usize = 300;
/// Stored members of 2 MiB, one before each hundred keyed members: batches of one, and the
/// archive past the parallel threshold.
const FILLERS: usize = 3;

/// Text with nothing to find, `bytes` long.
fn filler(bytes: usize) -> Vec<u8> {
    let line = b"filler line of a vendored bundle, nothing to find here at all\n";
    line.iter().copied().cycle().take(bytes).collect()
}

/// Findings in a total order, to compare as lists: a lost or duplicated member shows.
fn sorted(mut seen: Vec<Seen>) -> Vec<Seen> {
    seen.sort_by(|a, b| (&a.path, a.line, &a.key_id).cmp(&(&b.path, b.line, &b.key_id)));
    seen
}

fn stats_counts(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|l| {
            l.starts_with("keyleak: stats: blobs") || l.starts_with("keyleak: stats: bytes")
        })
        .collect()
}

#[test]
fn a_large_archive_gives_the_same_report_whatever_the_thread_count() {
    let keys: Vec<(String, String)> = (0..KEYED)
        .map(|_| (fake_key("AKIA"), fake_secret()))
        .collect();
    let texts: Vec<Vec<u8>> = keys
        .iter()
        .map(|(k, s)| compressible(&properties(k, s)))
        .collect();
    let names: Vec<String> = (0..KEYED)
        .map(|i| format!("conf/{i:03}.properties"))
        .collect();
    let (nested_key, nested_secret) = (fake_key("AKIA"), fake_secret());
    let jar = zip_of(&[(
        "application.properties",
        &properties(&nested_key, &nested_secret),
        Deflated,
    )]);
    let pad = filler(2 << 20);
    // Over --max-filesize (8M) uncompressed, a few kilobytes deflated: skipped with a warning.
    let big = filler(9 << 20);
    let filler_names: Vec<String> = (0..FILLERS).map(|i| format!("vendor/{i}.txt")).collect();
    let mut entries: Vec<(&str, &[u8], _)> = Vec::new();
    for (i, (name, text)) in names.iter().zip(&texts).enumerate() {
        entries.push((name.as_str(), text.as_slice(), Deflated));
        if i % 100 == 0 {
            let f = &filler_names[i / 100];
            entries.push((f.as_str(), pad.as_slice(), Stored));
        }
        if i == KEYED / 2 {
            entries.push(("lib/app.jar", jar.as_slice(), Deflated));
            entries.push(("logs/big.log", big.as_slice(), Deflated));
        }
    }
    let outer = zip_of(&entries);
    assert!(
        outer.len() >= 4 << 20,
        "large enough to be expanded in parallel"
    );
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "outer.zip", &outer);

    let runs: Vec<Run> = ["-j1", "-j2", "-j4"]
        .iter()
        .map(|j| scan_dir(dir.path(), &[j, "--max-filesize", "8M", "--stats"]))
        .collect();
    let mut want: Vec<Seen> = keys
        .iter()
        .zip(&names)
        .map(|((k, s), name)| paired(&format!("outer.zip!{name}"), PAD_LINES + 2, k, s))
        .collect();
    want.push(paired(
        "outer.zip!lib/app.jar!application.properties",
        2,
        &nested_key,
        &nested_secret,
    ));
    let want = sorted(want);
    let warning = "keyleak: warning: outer.zip!logs/big.log: skipped: 9437184 bytes \
                   uncompressed is over --max-filesize (8388608 bytes)\n";
    for run in &runs {
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(sorted(all_seen(run)), want);
        assert!(run.stderr.starts_with(warning), "{}", run.stderr);
        // Every member but the skipped one, the jar's own bytes and the zip's own bytes.
        let blobs = KEYED + FILLERS + 1 + 1 + 1;
        assert_eq!(run.json()["summary"]["scanned_blobs"], blobs);
        assert_eq!(stats_counts(run), stats_counts(&runs[0]));
        assert_eq!(run.stdout, runs[0].stdout, "stdout differs from -j1");
    }
    // Without the skipped member's warning nothing else is said, apart from --stats.
    let said: Vec<&str> = runs[2]
        .stderr
        .lines()
        .filter(|l| !l.starts_with("keyleak: stats: "))
        .collect();
    assert_eq!(said, [warning.trim_end()]);
}
