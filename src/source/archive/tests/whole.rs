//! The whole-member inflate (`whole.rs`) against the stream it stands in for: same bytes,
//! same end of stream, and for every zip here the same blobs and warnings as streaming alone.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::write::DeflateEncoder;

use super::super::inflate::Inflate;
use super::super::whole::{inflate, tests::STREAM_ONLY};
use super::{BIG, Limits, run, zip};
use zip::CompressionMethod;

fn deflate(bytes: &[u8], level: u32) -> Vec<u8> {
    let mut e = DeflateEncoder::new(Vec::new(), Compression::new(level));
    e.write_all(bytes).expect("write");
    e.finish().expect("finish")
}

fn crc(bytes: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(bytes);
    c.sum()
}

/// Text, a long run and bytes that do not compress: literals, matches and stored blocks.
fn payload(len: usize) -> Vec<u8> {
    let mut x = 0x2545_f491_u32;
    (0..len)
        .map(|i| match (i / 4096) % 3 {
            0 => b"import os\nAKIAIOSFODNN7EXAMPLE = 1\n"[i % 34],
            1 => 0,
            _ => {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            }
        })
        .collect()
}

/// A zip of `(name, method, crc, size, data)` entries, headers exactly as given.
fn raw_zip(entries: &[(&str, u16, u32, u32, &[u8])]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for &(name, method, crc, size, data) in entries {
        let header = out.len() as u32;
        let fields = |v: &mut Vec<u8>| {
            v.extend_from_slice(&20u16.to_le_bytes()); // version needed
            v.extend_from_slice(&[0, 0]); // flags
            v.extend_from_slice(&method.to_le_bytes());
            v.extend_from_slice(&[0; 4]); // time, date
            v.extend_from_slice(&crc.to_le_bytes());
            v.extend_from_slice(&(data.len() as u32).to_le_bytes());
            v.extend_from_slice(&size.to_le_bytes());
            v.extend_from_slice(&(name.len() as u16).to_le_bytes());
            v.extend_from_slice(&[0, 0]); // extra
        };
        out.extend_from_slice(b"PK\x03\x04");
        fields(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02\x14\x00");
        fields(&mut central);
        central.extend_from_slice(&[0; 10]); // comment, disk, attributes
        central.extend_from_slice(&header.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let (at, n) = (out.len() as u32, entries.len() as u16);
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&[n.to_le_bytes(), n.to_le_bytes()].concat());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

/// Where a [`raw_zip`]'s central directory starts (its end record says).
fn directory(zip: &[u8]) -> usize {
    let at = zip.len() - 6;
    u32::from_le_bytes(zip[at..at + 4].try_into().expect("4 bytes")) as usize
}

/// `bytes` expanded with the whole path and streamed only: they must agree.
fn same_both_ways(bytes: &[u8], limits: &Limits) -> (super::Blobs, Vec<String>) {
    let whole = run("w.zip", bytes.to_vec(), limits);
    STREAM_ONLY.set(true);
    let streamed = run("w.zip", bytes.to_vec(), limits);
    STREAM_ONLY.set(false);
    let summary = |(blobs, warnings): &(super::Blobs, Vec<String>)| {
        let blobs: Vec<_> = blobs.iter().map(|(p, b)| (p.clone(), b.len())).collect();
        format!("{blobs:?} {warnings:?}")
    };
    assert!(
        whole == streamed,
        "{} != {}",
        summary(&whole),
        summary(&streamed)
    );
    whole
}

#[test]
fn whole_and_streamed_inflate_agree_on_bytes_and_where_the_stream_ends() {
    for len in [0, 1, 100, 5000, 70_000, 300_000] {
        let plain = payload(len);
        for level in [0, 1, 6, 9] {
            // What follows the stream (a local header, say) is not part of it.
            let mut input = deflate(&plain, level);
            let end = input.len();
            input.extend_from_slice(b"PK\x03\x04 trailing");
            let (bytes, took) = inflate(&input, len).expect("inflates whole");
            let mut stream = Inflate::new(&input);
            let mut streamed = Vec::new();
            stream.read_to_end(&mut streamed).expect("streams");
            assert_eq!((bytes.len(), took), (len, end), "len {len} level {level}");
            assert!(bytes == plain && streamed == plain);
            assert_eq!(stream.consumed(), took);
        }
    }
}

#[test]
fn whole_inflate_refuses_anything_but_exactly_the_declared_size() {
    let plain = payload(10_000);
    let input = deflate(&plain, 6);
    assert!(
        inflate(&input, plain.len() - 1).is_none(),
        "more than declared"
    );
    assert!(
        inflate(&input, plain.len() + 1).is_none(),
        "less than declared"
    );
    assert!(
        inflate(&input[..input.len() / 2], plain.len()).is_none(),
        "cut"
    );
    assert!(inflate(&[0xff; 64], plain.len()).is_none(), "not deflate");
}

#[test]
fn zips_expand_the_same_whole_or_streamed() {
    let (text, big) = (payload(3000), payload(200_000));
    let inner = zip(&[("in.txt", &text)], CompressionMethod::Deflated);
    let honest = zip(
        &[
            ("a.txt", &text),
            ("big", &big),
            ("empty", b""),
            ("in.zip", &inner),
        ],
        CompressionMethod::Deflated,
    );
    let (blobs, warnings) = same_both_ways(&honest, &BIG);
    assert_eq!(blobs.len(), 6, "4 members, the nested one's, the rest");
    assert!(warnings.is_empty(), "{warnings:?}");

    let d = deflate(&text, 6);
    let (n, c) = (text.len() as u32, crc(&text));
    // Junk after the stream, inside the declared compressed size: a stored local entry.
    let secret = b"after the stream";
    let tail = raw_zip(&[("h", 0, crc(secret), secret.len() as u32, secret)]);
    let hidden = [&d[..], &tail[..directory(&tail)]].concat();
    let hostile = raw_zip(&[
        ("ok", 8, c, n, &d),
        ("long", 8, c, n + 1, &d),
        ("short", 8, c, n - 1, &d),
        ("crc", 8, c ^ 1, n, &d),
        ("cut", 8, c, n, &d[..d.len() / 2]),
        ("junk", 8, c, n, &hidden),
    ]);
    let (blobs, warnings) = same_both_ways(&hostile, &BIG);
    let rest = &blobs.iter().find(|(p, _)| p == "w.zip").expect("rest").1;
    assert!(memchr::memmem::find(rest, secret).is_some(), "not blanked");
    let want = "w.zip!short: skipped: inflates to more than the 2999 bytes its header declares";
    assert!(warnings.iter().any(|w| w == want), "{warnings:?}");
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    // Without the directory, that entry's local header is found after the stream's end.
    let (blobs, _) = same_both_ways(&hostile[..directory(&hostile)], &BIG);
    assert!(blobs.iter().any(|(p, _)| p == "w.zip!h"), "{blobs:?}");

    // Past the byte budget the stream is read, and stops at the cap as before.
    let small = Limits {
        total_bytes: 100_000,
        ..BIG
    };
    let (_, warnings) = same_both_ways(&honest, &small);
    assert!(
        warnings
            .last()
            .is_some_and(|w| w.contains("stopped at the cap"))
    );
}
