//! Expansion rules on archives built in memory: paths, levels, caps, damage and the archive's
//! own bytes handed on after its members. The caps are set small here so each case is cheap;
//! the CLI tests run the real ones, and craft the hostile zips byte by byte.

use std::io::{Cursor, Read, Write};

use flate2::Compression;
use flate2::write::GzEncoder;
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::gzip::gzip_member_name;
use super::{Budget, Capped, Item, Limits, expand};
use crate::source::{Blob, Origin};

fn zip(entries: &[(&str, &[u8])], method: CompressionMethod) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in entries {
        w.start_file(*name, options).expect("start");
        w.write_all(bytes).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, bytes) in entries {
        let mut h = tar::Header::new_ustar();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *bytes).expect("append");
    }
    b.into_inner().expect("finish")
}

fn gzip(bytes: &[u8], name: Option<&str>) -> Vec<u8> {
    let mut builder = flate2::GzBuilder::new();
    if let Some(n) = name {
        builder = builder.filename(n);
    }
    let mut e: GzEncoder<Vec<u8>> = builder.write(Vec::new(), Compression::default());
    e.write_all(bytes).expect("write");
    e.finish().expect("finish")
}

mod hostile;
mod whole;

const BIG: Limits = Limits {
    depth: 2,
    members: 1000,
    member_bytes: 1 << 20,
    total_bytes: 4 << 20,
};

/// (path, bytes) of each blob handed on.
type Blobs = Vec<(String, Vec<u8>)>;

/// Expands `bytes` as the file `path`: (path, bytes) of each blob, and each warning.
fn run(path: &str, bytes: Vec<u8>, limits: &Limits) -> (Blobs, Vec<String>) {
    let (mut blobs, mut warnings) = (Vec::new(), Vec::new());
    let blob = Blob {
        origin: Origin::file(path),
        bytes: bytes.into(),
    };
    expand(blob, limits, &mut |item: Item| match item {
        Ok(b) => blobs.push((b.origin.path, b.bytes.to_vec())),
        Err(w) => warnings.push(w.to_string()),
    });
    (blobs, warnings)
}

/// [`run`] on an archive that opens: its members (and nested rests), the bytes handed on
/// under its own name, and the warnings. Those bytes must be the input with some ranges
/// blanked (zeros, newlines kept).
fn open(path: &str, bytes: Vec<u8>, limits: &Limits) -> (Blobs, Vec<u8>, Vec<String>) {
    let input = bytes.clone();
    let (mut blobs, warnings) = run(path, bytes, limits);
    let own: Vec<usize> = (0..blobs.len()).filter(|&i| blobs[i].0 == path).collect();
    assert_eq!(own.len(), 1, "{path} handed on once: {:?}", paths(&blobs));
    let (_, rest) = blobs.remove(own[0]);
    assert_eq!(rest.len(), input.len());
    for (got, was) in rest.iter().zip(&input) {
        assert!(
            got == was || (*got == 0 && *was != b'\n'),
            "{got} for {was}"
        );
    }
    (blobs, rest, warnings)
}

fn paths(blobs: &[(String, Vec<u8>)]) -> Vec<&str> {
    blobs.iter().map(|(p, _)| p.as_str()).collect()
}

#[test]
fn plain_bytes_pass_through() {
    let (blobs, warnings) = run("a.txt", b"hello".to_vec(), &BIG);
    assert_eq!(blobs, vec![("a.txt".to_string(), b"hello".to_vec())]);
    assert!(warnings.is_empty());
}

#[test]
fn zip_members_are_scanned_then_the_rest_of_the_archive_and_directories_skipped() {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    w.add_directory("conf/", SimpleFileOptions::default())
        .expect("dir");
    w.start_file("conf/a.env", SimpleFileOptions::default())
        .expect("start");
    w.write_all(b"one").expect("write");
    let bytes = w.finish().expect("finish").into_inner();
    let (blobs, rest, warnings) = open("x/b.zip", bytes.clone(), &BIG);
    assert_eq!(
        blobs,
        vec![("x/b.zip!conf/a.env".to_string(), b"one".to_vec())]
    );
    // Headers and names stay; only the member's (deflated) data is blanked.
    assert_eq!(memchr::memmem::find_iter(&rest, b"conf/a.env").count(), 2);
    let blanked: Vec<usize> = (0..rest.len()).filter(|&i| rest[i] != bytes[i]).collect();
    assert!(!blanked.is_empty() && blanked[blanked.len() - 1] - blanked[0] < 5);
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn a_stored_member_is_blanked_in_the_rest_with_its_newlines_kept() {
    let bytes = zip(&[("k.txt", b"ab\ncd\n")], CompressionMethod::Stored);
    let at = memchr::memmem::find(&bytes, b"ab\ncd").expect("stored");
    let (blobs, rest, _) = open("s.zip", bytes.clone(), &BIG);
    assert_eq!(paths(&blobs), ["s.zip!k.txt"]);
    let mut want = bytes;
    want[at..at + 6].copy_from_slice(b"\0\0\n\0\0\n");
    assert_eq!(rest, want);
}

#[test]
fn two_levels_are_opened_and_a_third_is_scanned_raw() {
    let inner = zip(&[("c.txt", b"deep")], CompressionMethod::Stored);
    let middle = zip(&[("c.zip", &inner)], CompressionMethod::Deflated);
    let outer = zip(&[("m.jar", &middle)], CompressionMethod::Deflated);
    let (blobs, _, warnings) = open("o.zip", outer, &BIG);
    assert_eq!(paths(&blobs), ["o.zip!m.jar!c.zip", "o.zip!m.jar"]);
    assert_eq!(blobs[0].1, inner);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("o.zip!m.jar!c.zip: zip archive nested more than 2"));
}

#[test]
fn tar_gz_is_one_level_and_plain_gz_one_member() {
    let t = tar(&[("./etc/app.conf", b"conf"), ("b.txt", b"bee")]);
    let (blobs, _, warnings) = open("r.tgz", gzip(&t, None), &BIG);
    assert_eq!(paths(&blobs), ["r.tgz!etc/app.conf", "r.tgz!b.txt"]);
    assert_eq!(blobs[1].1, b"bee");
    assert!(warnings.is_empty(), "{warnings:?}");
    let (blobs, _, _) = open("d/app.env.gz", gzip(b"x=1", None), &BIG);
    assert_eq!(
        blobs,
        vec![("d/app.env.gz!app.env".to_string(), b"x=1".to_vec())]
    );
    let (blobs, rest, _) = open("backup.gz", gzip(b"x=1", Some("prod.env")), &BIG);
    assert_eq!(paths(&blobs), ["backup.gz!prod.env"]);
    // The header's name is scanned with the file's own bytes.
    assert!(memchr::memmem::find(&rest, b"prod.env").is_some());
}

#[test]
fn gzip_member_names() {
    assert_eq!(gzip_member_name(Some(b"dir/a.txt"), "x.gz"), "a.txt");
    assert_eq!(gzip_member_name(Some(b""), "d/x.GZ"), "x");
    assert_eq!(gzip_member_name(None, "a.zip!é.gz"), "é");
    assert_eq!(gzip_member_name(None, "<stdin>"), "<stdin>");
    assert_eq!(gzip_member_name(None, ".gz"), ".gz");
}

#[test]
fn the_member_cap_stops_the_input_and_keeps_what_was_read() {
    let entries: Vec<(String, Vec<u8>)> =
        (0..5).map(|i| (format!("f{i}"), vec![b'a'; 10])).collect();
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let limits = Limits { members: 3, ..BIG };
    let zip_lost = "2 members are not opened (their archive's raw bytes are scanned)";
    for (path, bytes, lost) in [
        ("a.zip", zip(&refs, CompressionMethod::Deflated), zip_lost),
        ("a.tar", tar(&refs), "later members of a tar are not opened"),
    ] {
        let (blobs, _, warnings) = open(path, bytes, &limits);
        assert_eq!(
            paths(&blobs),
            [1, 2, 3].map(|i| format!("{path}!f{}", i - 1))
        );
        let want = format!("{path}: stopped at the cap of 3 archive members per input: {lost}");
        assert_eq!(warnings, [want]);
    }
}

#[test]
fn the_byte_cap_stops_the_input_and_keeps_what_was_read() {
    let a = vec![b'a'; 600];
    let limits = Limits {
        total_bytes: 1000,
        ..BIG
    };
    let bytes = zip(
        &[("1", &a), ("2", &a), ("3", &a)],
        CompressionMethod::Deflated,
    );
    let (blobs, _, warnings) = open("z.zip", bytes, &limits);
    assert_eq!(paths(&blobs), ["z.zip!1"]);
    let want = "z.zip: stopped at the cap of 1000 bytes decompressed (4 × --max-filesize) per \
                input: 2 members are not opened (their archive's raw bytes are scanned)";
    assert_eq!(warnings, [want]);
    // A gzip stream is metered as it is decompressed, tar headers and padding included:
    // 512 + 1024 bytes for the first member, and the cap is spent in the second's header.
    let t = tar(&[("1", &a), ("2", &a)]);
    let limits = Limits {
        total_bytes: 2000,
        ..BIG
    };
    let (blobs, _, warnings) = open("t.tar.gz", gzip(&t, None), &limits);
    assert_eq!(paths(&blobs), ["t.tar.gz!1"]);
    let want = "t.tar.gz: stopped at the cap of 2000 bytes decompressed (4 × --max-filesize) \
                per input: later members of a tar are not opened";
    assert_eq!(warnings, [want]);
}

#[test]
fn a_member_over_the_size_limit_is_skipped_and_the_rest_scanned() {
    let limits = Limits {
        member_bytes: 100,
        ..BIG
    };
    let big = vec![0u8; 101];
    let bytes = zip(
        &[("big", &big), ("ok", b"fine")],
        CompressionMethod::Deflated,
    );
    let (blobs, _, warnings) = open("s.zip", bytes, &limits);
    assert_eq!(paths(&blobs), ["s.zip!ok"]);
    assert!(
        warnings[0].starts_with("s.zip!big: skipped: 101 bytes"),
        "{warnings:?}"
    );
    // A gzip stream's size is known only by reading it: stopped one byte past the limit.
    let (blobs, _, warnings) = open("g.gz", gzip(&big, None), &limits);
    assert!(blobs.is_empty());
    assert!(warnings[0].contains("more than 100 bytes"), "{warnings:?}");
}

#[test]
fn a_zip_member_stops_one_byte_past_its_declared_size() {
    let mut bytes = zip(
        &[("z", &[0u8; 5000]), ("ok", b"fine")],
        CompressionMethod::Deflated,
    );
    // Lower the first entry's uncompressed size in the central directory, which is read.
    let central = memchr::memmem::find(&bytes, b"PK\x01\x02").expect("central directory");
    bytes[central + 24..central + 28].copy_from_slice(&10u32.to_le_bytes());
    let (blobs, _, warnings) = open("l.zip", bytes, &BIG);
    assert_eq!(paths(&blobs), ["l.zip!ok"]);
    let want = "l.zip!z: skipped: inflates to more than the 10 bytes its header declares";
    assert_eq!(warnings, [want]);
}

#[test]
fn a_damaged_archive_is_scanned_raw_with_a_warning() {
    let cut = b"PK\x03\x04 and no header".to_vec();
    let (blobs, warnings) = run("t.zip", cut.clone(), &BIG);
    assert_eq!(blobs, vec![("t.zip".to_string(), cut)]);
    let want = "t.zip: cannot open as zip: no end of central directory record; its raw bytes \
                are scanned";
    assert_eq!(warnings, [want]);
    let (blobs, warnings) = run("n.gz", b"\x1f\x8b\x08 not a gzip stream".to_vec(), &BIG);
    assert_eq!(paths(&blobs), ["n.gz"]);
    assert!(
        warnings[0].starts_with("n.gz: cannot open as gzip"),
        "{warnings:?}"
    );
}

#[test]
fn encrypted_members_are_skipped_with_a_warning() {
    let mut bytes = zip(
        &[("s.txt", b"sealed"), ("o.txt", b"open")],
        CompressionMethod::Stored,
    );
    // Set the encryption bit of the first entry, in its local and central headers.
    bytes[6] |= 1;
    let central = memchr::memmem::find(&bytes, b"PK\x01\x02").expect("central directory");
    bytes[central + 8] |= 1;
    let (blobs, _, warnings) = open("e.zip", bytes, &BIG);
    assert_eq!(paths(&blobs), ["e.zip!o.txt"]);
    assert_eq!(warnings, ["e.zip!s.txt: encrypted: not scanned"]);
}

#[test]
fn capped_reader_ends_cleanly_at_the_cap_and_fails_past_it() {
    let read = |data: &[u8], left: u64| {
        let budget = Budget {
            left: std::cell::Cell::new(left),
            hit: std::cell::Cell::new(false),
        };
        let mut out = Vec::new();
        let mut capped = Capped {
            inner: data,
            budget: &budget,
        };
        let ok = capped.read_to_end(&mut out).is_ok();
        (ok, out.len(), budget.hit.get())
    };
    assert_eq!(read(b"12345", 5), (true, 5, false));
    assert_eq!(read(b"123456", 5), (false, 5, true));
}
