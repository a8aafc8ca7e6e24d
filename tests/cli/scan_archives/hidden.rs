//! Bytes in an archive that a reader might pass over are scanned (issue 16: D7, D11, D15):
//! tar entries of odd types; zip entries with symlink bits, a name another entry has, a
//! directory's name, or no directory entry at all; the zip comment; a damaged gzip; and the
//! members after a run of overlapping entries that would spend the byte cap. Member data is
//! deflated, so only opening the archive finds the key; each case is alone in its directory.

use super::bomb::{self, Entry, Layout};
use super::{
    PAD_LINES, Seen, all_seen, compressible, gzip_of, line_of, paired, properties, scan_dir, write,
};
use crate::git_common::{fake_key, fake_secret};

/// Scans `file` (holding `bytes`) alone: its findings and stderr.
fn scan_one(file: &str, bytes: &[u8], extra: &[&str]) -> (Vec<Seen>, String) {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), file, bytes);
    let run = scan_dir(dir.path(), extra);
    (all_seen(&run), run.stderr)
}

/// A GNU tar holding `data` as `name`, in an entry of type `kind`.
fn tar_typed(kind: u8, name: &str, data: &[u8]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::new(kind));
    h.set_size(data.len() as u64);
    h.set_mode(0o600);
    h.set_cksum();
    b.append_data(&mut h, name, data).expect("append");
    b.into_inner().expect("tar")
}

#[test]
fn tar_entries_with_data_are_scanned_whatever_their_type() {
    let (key, secret) = (fake_key("AKIA"), fake_secret());
    let props = properties(&key, &secret);
    let name = "home/deploy/.aws/credentials";
    // `7` contiguous and `Z` unknown (GNU tar extracts both as regular files); a hard link,
    // symlink and directory that carry data.
    for kind in [b'7', b'Z', b'1', b'2', b'5'] {
        let tar = tar_typed(kind, name, &props);
        for (file, bytes) in [("backup.tar", tar.clone()), ("backup.tgz", gzip_of(&tar))] {
            let (seen, stderr) = scan_one(file, &bytes, &[]);
            let path = format!("{file}!{name}");
            assert_eq!(seen, [paired(&path, 2, &key, &secret)], "type {kind}");
            assert_eq!(stderr, "");
        }
    }
}

#[test]
fn zip_entries_a_reader_would_skip_are_scanned() {
    let (key, secret) = (fake_key("AKIA"), fake_secret());
    let props = compressible(&properties(&key, &secret));
    let line = PAD_LINES + 2;
    let (packed, _) = bomb::deflate(&props);
    let (nothing, _) = bomb::deflate(b"nothing\n");
    let (readme, _) = bomb::deflate(b"hello\n");
    let with_key = |name| bomb::deflated(name, &props, &packed);
    let readme = || bomb::deflated("readme.txt", b"hello\n", &readme);
    let symlink = Entry {
        attributes: 0o120777 << 16,
        ..with_key("application.properties")
    };
    // A local entry inside a listed one's data by the directory's size, after it by its local
    // header's (a streaming reader goes by that one).
    let app_env = local_entries_of(&[with_key("app.env")]);
    let mut inside = b"hi\n".to_vec();
    inside.extend(&app_env);
    let short = Layout {
        unlisted: vec![with_key("app.env")],
        listing: Some(vec![(0, bomb::stored("readme.txt", &inside))]),
        ..Layout::default()
    };
    let cases: [(&str, Vec<u8>, &str); 5] = [
        // Symlink bits in the attributes: Java ignores them and reads the data.
        (
            "app.jar",
            bomb::zip(&[symlink]),
            "app.jar!application.properties",
        ),
        // Two entries with one name: both are read, the key is in the first.
        (
            "dup.zip",
            bomb::zip(&[
                with_key("app.env"),
                bomb::deflated("app.env", b"nothing\n", &nothing),
            ]),
            "dup.zip!app.env",
        ),
        // A local entry the directory does not list: a streaming reader sees it.
        (
            "hidden.zip",
            bomb::zip_with(
                &[readme()],
                &Layout {
                    unlisted: vec![with_key("app.env")],
                    ..Layout::default()
                },
            ),
            "hidden.zip!app.env",
        ),
        // A directory's name, with data.
        ("dir.zip", bomb::zip(&[with_key("conf/")]), "dir.zip!conf/"),
        (
            "short.zip",
            bomb::zip_with(&[bomb::stored("readme.txt", b"hi\n")], &short),
            "short.zip!app.env",
        ),
    ];
    for (file, bytes, path) in cases {
        assert!(
            memchr::memmem::find(&bytes, key.as_bytes()).is_none(),
            "{file}"
        );
        let (seen, stderr) = scan_one(file, &bytes, &[]);
        assert_eq!(seen, [paired(path, line, &key, &secret)], "{file}");
        assert_eq!(stderr, "", "{file}");
    }
    // The archive comment is scanned with the archive's own bytes, at its line there.
    let layout = Layout {
        comment: &props,
        ..Layout::default()
    };
    let bytes = bomb::zip_with(&[readme()], &layout);
    let (seen, stderr) = scan_one("c.zip", &bytes, &[]);
    assert_eq!(
        seen,
        [paired("c.zip", line_of(&bytes, &key), &key, &secret)]
    );
    assert_eq!(stderr, "");
}

/// The local entries of a zip of `entries`: its bytes before the central directory.
fn local_entries_of(entries: &[Entry<'_>]) -> Vec<u8> {
    let zip = bomb::zip(entries);
    let directory = memchr::memmem::find(&zip, b"PK\x01\x02").expect("directory");
    zip[..directory].to_vec()
}

#[test]
fn a_damaged_small_gzip_is_inflated_as_far_as_it_goes() {
    let (key, secret) = (fake_key("AKIA"), fake_secret());
    let whole = gzip_of(&properties(&key, &secret));
    let mut trailing = whole.clone();
    trailing.extend(b"GARBAGE".repeat(100));
    let cut = &whole[..whole.len() - 8];
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "trailing/app.env.gz", &trailing);
    write(dir.path(), "cut/app.env.gz", cut);
    let run = scan_dir(dir.path(), &[]);
    let want = [
        paired("cut/app.env.gz!app.env", 2, &key, &secret),
        paired("trailing/app.env.gz!app.env", 2, &key, &secret),
    ];
    assert_eq!(all_seen(&run), want);
    assert_eq!(
        run.stderr,
        "keyleak: warning: cut/app.env.gz: the gzip stream ends without its 8-byte trailer (cut \
         short): what was inflated is scanned\n\
         keyleak: warning: trailing/app.env.gz: 700 bytes after the gzip stream are not gzip: \
         scanned as raw bytes\n"
    );
}

/// A directory that lists local entry `zeros_at` (3 MiB of zeros deflated into `padded`'s
/// first `len` bytes) once per name, each time with `shift(i)` more compressed bytes, then
/// local entry `key_at` as `key`.
fn overlapping<'a>(
    names: &'a [String],
    (padded, len, crc): (&'a [u8], usize, u32),
    zeros_at: usize,
    shift: fn(usize) -> usize,
    (key_at, key): (usize, Entry<'a>),
) -> Layout<'a> {
    let mut listing: Vec<(usize, Entry<'a>)> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let entry = Entry {
                name,
                method: 8,
                data: &padded[..len + shift(i)],
                crc,
                declared_size: 3 << 20,
                attributes: 0,
            };
            (zeros_at, entry)
        })
        .collect();
    listing.push((key_at, key));
    Layout {
        listing: Some(listing),
        ..Layout::default()
    }
}

/// Scans `entries` laid out as `layout`, under `--max-filesize 4M`: a byte cap of 16 MiB,
/// five times the 3 MiB of zeros.
fn scan_overlapping(file: &str, entries: &[Entry<'_>], layout: &Layout<'_>) -> (Vec<Seen>, String) {
    let bytes = bomb::zip_with(entries, layout);
    assert!(bytes.len() < 2 << 20, "{} bytes", bytes.len());
    scan_one(file, &bytes, &["--max-filesize", "4M"])
}

#[test]
fn overlapping_entries_cannot_hide_the_members_after_them() {
    let (key, secret) = (fake_key("AKIA"), fake_secret());
    let props = properties(&key, &secret);
    let (packed, _) = bomb::deflate(&props);
    let (zeros, crc) = bomb::deflated_zeros(3);
    let mut padded = zeros.clone();
    padded.resize(zeros.len() + 20_000, 0);
    let zeros = (&padded[..], zeros.len(), crc);
    let names: Vec<String> = (0..20_000).map(|i| format!("z{i}.bin")).collect();
    let z = || Entry {
        name: "z.bin",
        method: 8,
        data: &padded[..zeros.1],
        crc,
        declared_size: 3 << 20,
        attributes: 0,
    };
    let k = || bomb::deflated("k.env", &props, &packed);
    // The same data listed 20,000 times (the reproducer): read once.
    let layout = overlapping(&names, zeros, 0, |_| 0, (1, k()));
    let (seen, stderr) = scan_overlapping("same.zip", &[z(), k()], &layout);
    assert_eq!(seen, [paired("same.zip!k.env", 2, &key, &secret)]);
    assert_eq!(
        stderr,
        "keyleak: warning: same.zip: 19999 directory entries point at the data of an earlier \
         entry (overlapping entries): that data is read once, under the earlier entry's name\n"
    );
    // Each listing a different compressed size over the same data: not the same bytes, so
    // each is read, but after the entries that overlap nothing; the cap counts the rest.
    let layout = overlapping(&names, zeros, 1, |i| i, (0, k()));
    let (seen, stderr) = scan_overlapping("shifted.zip", &[k(), z()], &layout);
    assert_eq!(seen, [paired("shifted.zip!k.env", 2, &key, &secret)]);
    assert_eq!(
        stderr,
        "keyleak: warning: shifted.zip: stopped at the cap of 16777216 bytes decompressed (4 × \
         --max-filesize) per input: 19995 members are not opened (their archive's raw bytes are \
         scanned)\n"
    );
}
