//! Members a reader might pass over, and damaged streams: each is read, or warned about.
//! Zips crafted byte by byte (duplicate names, unlisted local entries, overlapping entries)
//! and tar entries of odd types are in the CLI tests (`tests/cli/scan_archives/hidden.rs`).

use std::io::{Cursor, Write};

use zip::write::{SimpleFileOptions, ZipWriter};

use super::{BIG, gzip, open, paths, run, tar};
use crate::source::archive::Limits;

#[test]
fn a_tar_appended_after_another_is_read_too() {
    let mut both = tar(&[("a.env", b"one")]);
    both.extend(tar(&[("b.env", b"two")]));
    let (blobs, _, warnings) = open("two.tar", both.clone(), &BIG);
    assert_eq!(paths(&blobs), ["two.tar!a.env", "two.tar!b.env"]);
    assert!(warnings.is_empty(), "{warnings:?}");
    let (blobs, _, _) = open("two.tgz", gzip(&both, None), &BIG);
    assert_eq!(paths(&blobs), ["two.tgz!a.env", "two.tgz!b.env"]);
}

#[test]
fn a_damaged_gzip_keeps_what_inflates() {
    let text = b"aws_access_key_id=AKIAEXAMPLE\n";
    let whole = gzip(text, None);
    let member = |path: &str| vec![(format!("{path}!app.env"), text.to_vec())];
    // Trailing garbage (gzip -d: "trailing garbage ignored") stays in the file's own bytes.
    let mut trailing = whole.clone();
    trailing.extend(b"GARBAGE".repeat(10));
    let (blobs, rest, warnings) = open("g/app.env.gz", trailing, &BIG);
    assert_eq!(blobs, member("g/app.env.gz"));
    assert!(rest.ends_with(&b"GARBAGE".repeat(10)));
    let want = "g/app.env.gz: 70 bytes after the gzip stream are not gzip: scanned as raw bytes";
    assert_eq!(warnings, [want]);
    // Zeros after the stream (tape padding) say nothing.
    let mut padded = whole.clone();
    padded.extend([0u8; 512]);
    let (_, _, warnings) = open("app.env.gz", padded, &BIG);
    assert!(warnings.is_empty(), "{warnings:?}");
    // No trailer.
    let (blobs, _, warnings) = open("app.env.gz", whole[..whole.len() - 8].to_vec(), &BIG);
    assert_eq!(blobs, member("app.env.gz"));
    let want = "app.env.gz: the gzip stream ends without its 8-byte trailer (cut short): what \
                was inflated is scanned";
    assert_eq!(warnings, [want]);
    // A wrong CRC-32.
    let mut bad = whole.clone();
    let at = bad.len() - 8;
    bad[at] ^= 1;
    let (blobs, _, warnings) = open("app.env.gz", bad, &BIG);
    assert_eq!(blobs, member("app.env.gz"));
    let want = "app.env.gz: a gzip member's CRC-32 does not match its trailer: what was \
                inflated is scanned";
    assert_eq!(warnings, [want]);
}

#[test]
fn a_gzip_cut_inside_its_stream_keeps_what_inflated() {
    // Text that deflate cannot shrink much, so a cut leaves some of it.
    let text: Vec<u8> = (0..4000u32)
        .flat_map(|i| (i * 7919 % 251).to_le_bytes())
        .collect();
    let whole = gzip(&text, None);
    let cut = whole[..whole.len() / 2].to_vec();
    let (blobs, _, warnings) = open("c.gz", cut, &BIG);
    assert_eq!(paths(&blobs), ["c.gz!c"]);
    let got = &blobs[0].1;
    assert!(
        !got.is_empty() && text.starts_with(got),
        "{} bytes",
        got.len()
    );
    let want = format!(
        "c.gz!c: damaged: the deflate stream is cut short; the {} bytes read are scanned",
        got.len()
    );
    assert_eq!(warnings, [want]);
}

#[test]
fn gzip_members_one_after_another_are_one_stream() {
    let mut two = gzip(b"one\n", None);
    two.extend(gzip(b"two\n", None));
    let (blobs, _, warnings) = open("x.gz", two, &BIG);
    assert_eq!(blobs, [("x.gz!x".to_string(), b"one\ntwo\n".to_vec())]);
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn a_zip_symlink_is_read_and_its_comment_scanned_with_the_archive() {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    w.add_symlink("link.env", "KEY=value", SimpleFileOptions::default())
        .expect("symlink");
    w.set_comment("comment: KEY=other");
    let bytes = w.finish().expect("finish").into_inner();
    let (blobs, rest, warnings) = open("l.zip", bytes, &BIG);
    assert_eq!(
        blobs,
        [("l.zip!link.env".to_string(), b"KEY=value".to_vec())]
    );
    assert!(rest.ends_with(b"comment: KEY=other"));
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn a_zip_without_its_directory_is_read_from_its_local_headers() {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("a.env", SimpleFileOptions::default())
        .expect("start");
    w.write_all(&b"deflated text\n".repeat(20)).expect("write");
    let whole = w.finish().expect("finish").into_inner();
    let directory = memchr::memmem::find(&whole, b"PK\x01\x02").expect("directory");
    let (blobs, _, warnings) = open("t.zip", whole[..directory].to_vec(), &BIG);
    assert_eq!(
        blobs,
        [("t.zip!a.env".to_string(), b"deflated text\n".repeat(20))]
    );
    let want = "t.zip: cannot read its central directory (no end of central directory \
                record): its entries are read from their local headers";
    assert_eq!(warnings, [want]);
}

#[test]
fn the_member_cap_counts_what_it_leaves_in_nested_zips() {
    let inner = super::zip(
        &[("a", b"1"), ("b", b"2"), ("c", b"3")],
        zip::CompressionMethod::Stored,
    );
    let outer = super::zip(
        &[("in.zip", &inner), ("z", b"4")],
        zip::CompressionMethod::Stored,
    );
    let limits = Limits { members: 3, ..BIG };
    let (blobs, warnings) = run("o.zip", outer, &limits);
    // in.zip, a and b are the three members; c and z are not opened.
    assert_eq!(
        paths(&blobs),
        ["o.zip!in.zip!a", "o.zip!in.zip!b", "o.zip!in.zip", "o.zip"]
    );
    let want = "o.zip: stopped at the cap of 3 archive members per input: 2 members are not \
                opened (their archive's raw bytes are scanned)";
    assert_eq!(warnings, [want]);
}
