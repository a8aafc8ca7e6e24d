//! Expansion rules on archives built in memory: paths, levels, caps and damage. The caps are
//! set small here so each case is cheap; the CLI tests run the real ones.

use std::io::{Cursor, Read, Write};

use flate2::Compression;
use flate2::write::GzEncoder;
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::formats::gzip_member_name;
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

const BIG: Limits = Limits {
    depth: 2,
    members: 1000,
    member_bytes: 1 << 20,
    total_bytes: 4 << 20,
};

/// Expands `bytes` as the file `path`: (path, bytes) of each blob, and each warning.
fn run(path: &str, bytes: Vec<u8>, limits: &Limits) -> (Vec<(String, Vec<u8>)>, Vec<String>) {
    let (mut blobs, mut warnings) = (Vec::new(), Vec::new());
    let blob = Blob {
        origin: Origin::file(path),
        bytes,
    };
    expand(blob, limits, &mut |item: Item| match item {
        Ok(b) => blobs.push((b.origin.path, b.bytes)),
        Err(w) => warnings.push(w.to_string()),
    });
    (blobs, warnings)
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
fn zip_members_replace_the_archive_and_directories_are_skipped() {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    w.add_directory("conf/", SimpleFileOptions::default())
        .expect("dir");
    w.start_file("conf/a.env", SimpleFileOptions::default())
        .expect("start");
    w.write_all(b"one").expect("write");
    let bytes = w.finish().expect("finish").into_inner();
    let (blobs, warnings) = run("x/b.zip", bytes, &BIG);
    assert_eq!(
        blobs,
        vec![("x/b.zip!conf/a.env".to_string(), b"one".to_vec())]
    );
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn two_levels_are_opened_and_a_third_is_scanned_raw() {
    let inner = zip(&[("c.txt", b"deep")], CompressionMethod::Stored);
    let middle = zip(&[("c.zip", &inner)], CompressionMethod::Deflated);
    let outer = zip(&[("m.jar", &middle)], CompressionMethod::Deflated);
    let (blobs, warnings) = run("o.zip", outer, &BIG);
    assert_eq!(blobs, vec![("o.zip!m.jar!c.zip".to_string(), inner)]);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("o.zip!m.jar!c.zip: zip archive nested more than 2"));
}

#[test]
fn tar_gz_is_one_level_and_plain_gz_one_member() {
    let t = tar(&[("./etc/app.conf", b"conf"), ("b.txt", b"bee")]);
    let (blobs, warnings) = run("r.tgz", gzip(&t, None), &BIG);
    assert_eq!(paths(&blobs), ["r.tgz!etc/app.conf", "r.tgz!b.txt"]);
    assert_eq!(blobs[1].1, b"bee");
    assert!(warnings.is_empty(), "{warnings:?}");
    let (blobs, _) = run("d/app.env.gz", gzip(b"x=1", None), &BIG);
    assert_eq!(
        blobs,
        vec![("d/app.env.gz!app.env".to_string(), b"x=1".to_vec())]
    );
    let (blobs, _) = run("backup.gz", gzip(b"x=1", Some("prod.env")), &BIG);
    assert_eq!(paths(&blobs), ["backup.gz!prod.env"]);
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
    for (path, bytes) in [
        ("a.zip", zip(&refs, CompressionMethod::Deflated)),
        ("a.tar", tar(&refs)),
    ] {
        let (blobs, warnings) = run(path, bytes, &limits);
        assert_eq!(blobs.len(), 3, "{path}");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("cap of 3 archive members"),
            "{warnings:?}"
        );
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
    let (blobs, warnings) = run("z.zip", bytes, &limits);
    assert_eq!(paths(&blobs), ["z.zip!1"]);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("z.zip: stopped at the cap of 1000 bytes"));
    // A gzip stream is metered as it is decompressed, tar headers and padding included:
    // 512 + 1024 bytes for the first member, and the cap is spent in the second's header.
    let t = tar(&[("1", &a), ("2", &a)]);
    let limits = Limits {
        total_bytes: 2000,
        ..BIG
    };
    let (blobs, warnings) = run("t.tar.gz", gzip(&t, None), &limits);
    assert_eq!(paths(&blobs), ["t.tar.gz!1"]);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
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
    let (blobs, warnings) = run("s.zip", bytes, &limits);
    assert_eq!(paths(&blobs), ["s.zip!ok"]);
    assert!(
        warnings[0].starts_with("s.zip!big: skipped: 101 bytes"),
        "{warnings:?}"
    );
    // A gzip stream's size is known only by reading it: stopped one byte past the limit.
    let (blobs, warnings) = run("g.gz", gzip(&big, None), &limits);
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
    let (blobs, warnings) = run("l.zip", bytes, &BIG);
    assert_eq!(paths(&blobs), ["l.zip!ok"]);
    let want = "l.zip!z: skipped: inflates to more than the 10 bytes its header declares";
    assert_eq!(warnings, [want]);
}

#[test]
fn a_damaged_archive_is_scanned_raw_with_a_warning() {
    let whole = zip(&[("k.txt", b"stored text")], CompressionMethod::Stored);
    let cut = whole[..whole.len() - 30].to_vec();
    let (blobs, warnings) = run("t.zip", cut.clone(), &BIG);
    assert_eq!(blobs, vec![("t.zip".to_string(), cut)]);
    assert!(
        warnings[0].starts_with("t.zip: cannot open as zip"),
        "{warnings:?}"
    );
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
    let (blobs, warnings) = run("e.zip", bytes, &BIG);
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
