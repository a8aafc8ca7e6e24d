//! The caps on archives: nesting past two levels, too many members, and zip and gzip bombs.
//! Each scan ends fast, warns once per cap, and loses nothing outside what the cap cut.

use std::io::{Cursor, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use zip::CompressionMethod::{Deflated, Stored};
use zip::write::{SimpleFileOptions, ZipWriter};

use super::{Run, all_seen, alone, bomb, compressible, line_of, scan_dir, write, zip_of};
use crate::git_common::fake_key;

#[test]
fn an_archive_three_levels_deep_is_scanned_raw_with_a_warning() {
    let (k1, k2) = (fake_key("AKIA"), fake_key("AKIA"));
    let deflated = compressible(format!("ID={k2}\n").as_bytes());
    let inner = zip_of(&[
        ("stored.env", format!("ID={k1}\n").as_bytes(), Stored),
        ("deflated.env", &deflated, Deflated),
    ]);
    assert!(
        memchr::memmem::find(&inner, k2.as_bytes()).is_none(),
        "k2 is compressed"
    );
    let middle = zip_of(&[("c.zip", &inner, Deflated)]);
    let outer = zip_of(&[("b.jar", &middle, Deflated)]);
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "a.zip", &outer);
    let run = scan_dir(dir.path(), &[]);
    let path = "a.zip!b.jar!c.zip";
    assert_eq!(all_seen(&run), [alone(path, line_of(&inner, &k1), &k1)]);
    assert_eq!(
        run.stderr,
        format!(
            "keyleak: warning: {path}: zip archive nested more than 2 archive levels deep: \
             not opened; its raw bytes are scanned\n"
        )
    );
}

#[test]
fn too_many_members_stops_at_the_cap_and_keeps_the_rest() {
    let (k1, k2, k3) = (fake_key("AKIA"), fake_key("AKIA"), fake_key("AKIA"));
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(Stored);
    // 100,001 entries: the first holds a key, the last (past the cap) another.
    for i in 0..100_000u32 {
        w.start_file(format!("{i}"), options).expect("start_file");
        if i == 0 {
            w.write_all(format!("ID={k1}\n").as_bytes()).expect("write");
        }
    }
    // The last entry's key is deflated, so only opening the member could find it.
    let options = options.compression_method(Deflated);
    w.start_file("last.env", options).expect("start_file");
    w.write_all(format!("ID={k2}\n").as_bytes()).expect("write");
    let many = w.finish().expect("finish").into_inner();
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "many.zip", &many);
    write(dir.path(), "other.env", format!("ID={k3}\n").as_bytes());
    let started = Instant::now();
    let run = scan_dir(dir.path(), &[]);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        all_seen(&run),
        [alone("many.zip!0", 1, &k1), alone("other.env", 1, &k3)]
    );
    assert_eq!(
        run.stderr,
        "keyleak: warning: many.zip: stopped at the cap of 100000 archive members per input: \
         1 member is not opened (its archive's raw bytes are scanned)\n"
    );
}

/// `scan_dir` with the address space capped at 256 MiB (`ulimit -v`, Linux): a bomb member
/// read whole (256 MiB) could not fit, while a bounded scan runs within 128 MiB.
fn scan_in_256_mib(dir: &Path, extra: &[&str]) -> Run {
    if !cfg!(target_os = "linux") {
        return scan_dir(dir, extra);
    }
    let mut cmd = assert_cmd::Command::new("sh");
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .args(["-c", "ulimit -v 262144 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_keyleak"))
        .args(["scan", ".", "--format", "json", "--show-secrets"])
        .args(extra)
        .timeout(Duration::from_secs(60));
    let run = crate::common::finish(&mut cmd);
    assert!(run.code <= 1, "exit {}:\n{}", run.code, run.stderr);
    run
}

/// A zip bomb: a stored key; a member that declares 1 GiB; one of 256 MiB of zeros that
/// claims 1,000 bytes; five of 15 MiB of zeros that say so (4 × 15 MiB fit the 64 MiB cap of
/// `--max-filesize 16M`, the fifth does not); a key after them. Beside it, a gzip bomb of
/// 256 MiB (a gzip stream declares its size only at its end) and a plain file.
fn plant_bombs(dir: &Path, before: &str, after: &str, outside: &str) {
    let (zeros, crc) = bomb::deflated_zeros(256);
    let (fifteen, fifteen_crc) = bomb::deflated_zeros(15);
    let (before, after) = (format!("ID={before}\n"), format!("ID={after}\n"));
    let deflated = |name, data, crc, declared_size| bomb::Entry {
        name,
        method: 8,
        data,
        crc,
        declared_size,
        attributes: 0,
    };
    let mut entries = vec![
        bomb::stored("before.env", before.as_bytes()),
        deflated("declared.bin", &zeros, crc, 1 << 30),
        deflated("liar.bin", &zeros, crc, 1000),
    ];
    for name in ["z1.bin", "z2.bin", "z3.bin", "z4.bin", "z5.bin"] {
        entries.push(deflated(name, &fifteen, fifteen_crc, 15 << 20));
    }
    entries.push(bomb::stored("after.env", after.as_bytes()));
    write(dir, "bomb.zip", bomb::zip(&entries));
    write(dir, "zeros.gz", bomb::gzip(&zeros, crc, 256 << 20));
    write(dir, "app.env", format!("ID={outside}\n").as_bytes());
}

#[test]
fn a_zip_bomb_ends_fast_with_a_warning_and_nothing_else_is_lost() {
    let (k1, k2, k3) = (fake_key("AKIA"), fake_key("AKIA"), fake_key("AKIA"));
    let dir = tempfile::tempdir().expect("tmp");
    plant_bombs(dir.path(), &k1, &k2, &k3);
    let started = Instant::now();
    let run = scan_in_256_mib(dir.path(), &["--max-filesize", "16M", "-j", "2"]);
    let took = started.elapsed();
    eprintln!("zip bomb scan took {took:?}");
    // The caps are shown by the warnings below; this only catches a run that inflates the
    // whole gigabyte or hangs. Not a speed test: a debug build takes ~7 s alone and 22 s was
    // seen on 2 cores at a load of 4, so the bound is far above both.
    assert!(took < Duration::from_secs(120), "{took:?}");
    // after.env sits past the byte cap: not opened, and the warning counts it with z5.bin;
    // it is stored, so the archive's own bytes still show its key.
    let bytes = std::fs::read(dir.path().join("bomb.zip")).expect("read");
    let want = [
        alone("app.env", 1, &k3),
        alone("bomb.zip", line_of(&bytes, &k2), &k2),
        alone("bomb.zip!before.env", 1, &k1),
    ];
    assert_eq!(all_seen(&run), want, "{}", run.stderr);
    let expected = [
        "bomb.zip: stopped at the cap of 67108864 bytes decompressed (4 × --max-filesize) per \
         input: 2 members are not opened (their archive's raw bytes are scanned)",
        "bomb.zip!declared.bin: skipped: 1073741824 bytes uncompressed is over --max-filesize \
         (16777216 bytes)",
        "bomb.zip!liar.bin: skipped: inflates to more than the 1000 bytes its header declares",
        "zeros.gz!zeros: skipped: more than 16777216 bytes uncompressed is over --max-filesize",
    ];
    let expected: String = expected
        .iter()
        .map(|w| format!("keyleak: warning: {w}\n"))
        .collect();
    assert_eq!(run.stderr, expected);
}
