//! Members a reader might pass over: each is read, or warned about. Zips crafted byte by
//! byte (duplicate names, unlisted local entries, overlapping entries) and tar entries of
//! odd types are in the CLI tests (`tests/cli/scan_archives/hidden.rs`).

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
