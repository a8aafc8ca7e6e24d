//! A minimal reader for git's index file (`.git/index`, versions 2 to 4) and its cache-tree
//! extension, for `--staged`.
//!
//! Why not libgit2's index: on a 100k-file repository it spends ~100 ms verifying the file's
//! checksum and building a path hash map that `--staged` never uses, over a 50 ms budget for
//! the whole pre-commit run. This reader borrows paths from the file's bytes and keeps the
//! cache-tree (`TREE`), which records, for each directory not touched since the last commit or
//! `read-tree`, the tree id it would have — so unchanged directories are skipped without
//! reading them. A split or sparse index is refused ([`Unreadable`]), since libgit2 cannot
//! read those either and a partial view would hide staged files; anything else unexpected is
//! [`Unreadable::Malformed`] and the caller falls back to libgit2. It never writes or prints.

use git2::Oid;

const OID_LEN: usize = 20;

/// One index entry, borrowing its path from the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    pub path: &'a [u8],
    pub oid: Oid,
    pub mode: u32,
    /// 0 when merged; 1 to 3 for the sides of a conflict.
    pub stage: u8,
}

/// One directory of the cache-tree: its tree id when still valid (`None`: invalidated by a
/// change below it), and its subdirectories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheTree<'a> {
    pub name: &'a [u8],
    pub oid: Option<Oid>,
    pub children: Vec<CacheTree<'a>>,
}

impl<'a> CacheTree<'a> {
    pub fn child(&self, name: &[u8]) -> Option<&CacheTree<'a>> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// A parsed index: entries in path order, and the cache-tree's root if the file has one.
#[derive(Debug)]
pub struct Index<'a> {
    pub entries: Vec<Entry<'a>>,
    pub cache_tree: Option<CacheTree<'a>>,
}

/// Why an index was not parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    /// Not an index this reader understands: let libgit2 try.
    Malformed,
    /// `core.splitIndex`: entries live partly in a shared index.
    Split,
    /// A sparse index: directories stand for the files below them.
    Sparse,
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }

    fn until_nul(&mut self) -> Option<&'a [u8]> {
        let len = memchr::memchr(0, self.bytes.get(self.at..)?)?;
        let s = self.take(len)?;
        self.at += 1;
        Some(s)
    }

    /// Git's offset varint (index v4 path prefixes).
    fn varint(&mut self) -> Option<usize> {
        let mut b = *self.take(1)?.first()?;
        let mut value = usize::from(b & 0x7f);
        while b & 0x80 != 0 {
            b = *self.take(1)?.first()?;
            value = (value.checked_add(1)? << 7) | usize::from(b & 0x7f);
        }
        Some(value)
    }
}

/// Parses an index file. v4 paths are prefix-compressed, so they are rebuilt into `scratch`
/// (one buffer, entries point into it); v2 and v3 paths borrow `bytes` directly.
pub fn parse<'a>(bytes: &'a [u8], scratch: &'a mut Vec<u8>) -> Result<Index<'a>, Unreadable> {
    let (index, special) = parse_entries(bytes, scratch).ok_or(Unreadable::Malformed)?;
    special.map_or(Ok(index), Err)
}

/// Where an entry's path is: in the file (v2, v3), or rebuilt in the scratch buffer (v4).
enum RawPath<'a> {
    File(&'a [u8]),
    Scratch(usize, usize),
}

/// The index, and the special layout it uses if any.
type Parsed<'a> = (Index<'a>, Option<Unreadable>);

fn parse_entries<'a>(bytes: &'a [u8], scratch: &'a mut Vec<u8>) -> Option<Parsed<'a>> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(4)? != b"DIRC" {
        return None;
    }
    let version = r.u32()?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = r.u32()? as usize;
    let end = bytes.len().checked_sub(OID_LEN)?;
    // v4 paths go into scratch while it still grows; they become slices at the end.
    let mut raw: Vec<(RawPath<'a>, Oid, u32, u8)> = Vec::with_capacity(count);
    let mut previous: (usize, usize) = (0, 0);
    for _ in 0..count {
        let start = r.at;
        r.take(24)?; // ctime, mtime, dev, ino
        let mode = r.u32()?;
        r.take(12)?; // uid, gid, size
        let oid = Oid::from_bytes(r.take(OID_LEN)?).ok()?;
        let flags = r.u16()?;
        if flags & 0x4000 != 0 {
            if version < 3 {
                return None;
            }
            r.u16()?;
        }
        let stage = ((flags >> 12) & 0x3) as u8;
        if version == 4 {
            let strip = r.varint()?;
            let suffix = r.until_nul()?;
            let (p_start, p_len) = previous;
            let keep = p_len.checked_sub(strip)?;
            let new_start = scratch.len();
            scratch.extend_from_within(p_start..p_start + keep);
            scratch.extend_from_slice(suffix);
            previous = (new_start, keep + suffix.len());
            raw.push((RawPath::Scratch(previous.0, previous.1), oid, mode, stage));
        } else {
            let path = r.until_nul()?;
            // Entries are padded with NULs to a multiple of 8 bytes (at least one NUL).
            let len = r.at - start;
            r.take((8 - len % 8) % 8)?;
            raw.push((RawPath::File(path), oid, mode, stage));
        }
    }
    let mut cache_tree = None;
    let mut special = None;
    while r.at + 8 <= end {
        let signature = r.take(4)?;
        let size = r.u32()? as usize;
        let data = r.take(size)?;
        match signature {
            b"TREE" => cache_tree = parse_tree(data),
            b"link" => special = Some(Unreadable::Split),
            b"sdir" => special = Some(Unreadable::Sparse),
            _ => {}
        }
    }
    let scratch: &'a [u8] = scratch;
    let entries = raw
        .into_iter()
        .map(|(path, oid, mode, stage)| Entry {
            path: match path {
                RawPath::File(p) => p,
                RawPath::Scratch(start, len) => &scratch[start..start + len],
            },
            oid,
            mode,
            stage,
        })
        .collect();
    Some((
        Index {
            entries,
            cache_tree,
        },
        special,
    ))
}

/// The `TREE` extension: nodes in pre-order, each `name NUL count SP subtrees LF [oid]`, a
/// count of -1 meaning invalidated (no oid follows).
fn parse_tree(data: &[u8]) -> Option<CacheTree<'_>> {
    let mut r = Reader { bytes: data, at: 0 };
    let root = node(&mut r, 0)?;
    (r.at == data.len()).then_some(root)
}

fn node<'a>(r: &mut Reader<'a>, depth: usize) -> Option<CacheTree<'a>> {
    // Deeper than any real tree: a malformed extension, not a reason to overflow the stack.
    if depth > 4096 {
        return None;
    }
    let name = r.until_nul()?;
    let line_len = memchr::memchr(b'\n', r.bytes.get(r.at..)?)?;
    let line = std::str::from_utf8(r.take(line_len)?).ok()?;
    r.take(1)?;
    let (count, subtrees) = line.split_once(' ')?;
    let count: i64 = count.parse().ok()?;
    let subtrees: usize = subtrees.parse().ok()?;
    let oid = if count >= 0 {
        Some(Oid::from_bytes(r.take(OID_LEN)?).ok()?)
    } else {
        None
    };
    let children = (0..subtrees)
        .map(|_| node(r, depth + 1))
        .collect::<Option<Vec<_>>>()?;
    Some(CacheTree {
        name,
        oid,
        children,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A v2 or v3 entry with `path`, padded as git pads it.
    fn entry(path: &[u8], oid: u8, flags_extra: u16, extended: bool) -> Vec<u8> {
        let mut e = vec![0u8; 24];
        e.extend_from_slice(&0o100644u32.to_be_bytes());
        e.extend_from_slice(&[0u8; 12]);
        e.extend_from_slice(&[oid; OID_LEN]);
        let ext = if extended { 0x4000 } else { 0 };
        e.extend_from_slice(&((path.len() as u16) | flags_extra | ext).to_be_bytes());
        if extended {
            e.extend_from_slice(&[0, 0]);
        }
        e.extend_from_slice(path);
        let pad = 8 - e.len() % 8;
        e.extend(std::iter::repeat_n(0u8, pad));
        e
    }

    fn index(version: u32, entries: &[Vec<u8>], extensions: &[u8]) -> Vec<u8> {
        let mut b = b"DIRC".to_vec();
        b.extend_from_slice(&version.to_be_bytes());
        b.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        for e in entries {
            b.extend_from_slice(e);
        }
        b.extend_from_slice(extensions);
        b.extend_from_slice(&[0u8; OID_LEN]);
        b
    }

    #[test]
    fn v2_and_v3_entries_and_stages() {
        let bytes = index(
            3,
            &[entry(b"a/b.txt", 1, 0, false), entry(b"c", 2, 0x2000, true)],
            b"",
        );
        let mut scratch = Vec::new();
        let parsed = parse(&bytes, &mut scratch).unwrap();
        assert_eq!(parsed.entries.len(), 2);
        assert_eq!(parsed.entries[0].path, b"a/b.txt");
        assert_eq!(
            parsed.entries[0].oid,
            Oid::from_bytes(&[1; OID_LEN]).unwrap()
        );
        assert_eq!(parsed.entries[0].stage, 0);
        assert_eq!(parsed.entries[1].path, b"c");
        assert_eq!(parsed.entries[1].stage, 2);
        assert!(parsed.cache_tree.is_none());
    }

    #[test]
    fn cache_tree_valid_and_invalidated_nodes() {
        let mut tree = b"\x001 1\n".to_vec();
        tree.extend_from_slice(&[7; OID_LEN]);
        tree.extend_from_slice(b"a\x00-1 0\n");
        let mut ext = b"TREE".to_vec();
        ext.extend_from_slice(&(tree.len() as u32).to_be_bytes());
        ext.extend_from_slice(&tree);
        let bytes = index(2, &[entry(b"a/b", 1, 0, false)], &ext);
        let mut scratch = Vec::new();
        let root = parse(&bytes, &mut scratch).unwrap().cache_tree.unwrap();
        assert_eq!(root.oid, Some(Oid::from_bytes(&[7; OID_LEN]).unwrap()));
        assert_eq!(root.child(b"a").unwrap().oid, None);
        assert!(root.child(b"b").is_none());
    }

    #[test]
    fn split_sparse_and_garbage_are_refused() {
        let mut scratch = Vec::new();
        let link = b"link\x00\x00\x00\x00";
        assert_eq!(
            parse(&index(2, &[], link), &mut scratch).unwrap_err(),
            Unreadable::Split
        );
        let sdir = b"sdir\x00\x00\x00\x00";
        assert_eq!(
            parse(&index(2, &[], sdir), &mut scratch).unwrap_err(),
            Unreadable::Sparse
        );
        for garbage in [&b"not an index"[..], b"DIRC\x00\x00\x00\x09", b""] {
            assert_eq!(
                parse(garbage, &mut scratch).unwrap_err(),
                Unreadable::Malformed
            );
        }
        // An entry count larger than the file.
        let mut short = index(2, &[entry(b"x", 1, 0, false)], b"");
        short[11] = 5;
        assert_eq!(
            parse(&short, &mut scratch).unwrap_err(),
            Unreadable::Malformed
        );
    }

    #[test]
    fn v4_varint() {
        let mut r = Reader {
            bytes: &[0x05, 0x80, 0x00, 0x81, 0x01],
            at: 0,
        };
        assert_eq!(r.varint(), Some(5));
        assert_eq!(r.varint(), Some(128));
        assert_eq!(r.varint(), Some(257));
    }
}
