//! One thread's reader of blobs from pack entries: header, inflate, delta chain, cache.

use std::sync::Arc;

use flate2::{Decompress, FlushDecompress, Status};
use git2::Oid;

use super::cache::{Cache, Key};
use super::{Pack, Packs, Place, delta, read_at};

/// What [`Reader::blob`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Read {
    /// The blob's bytes, shared with the reader's cache.
    Blob(Arc<Vec<u8>>),
    /// The blob is larger than the limit asked for: its size.
    TooLarge(u64),
    /// Not read here (not a blob, damaged, a base in no pack, …): ask libgit2.
    Unknown,
}

/// Reads blobs from [`Packs`] on one thread, keeping the objects it resolves for the deltas
/// that follow them.
pub struct Reader<'p> {
    packs: &'p Packs,
    inflate: Decompress,
    /// The bytes of the entry being read, as `pread` gave them.
    input: Vec<u8>,
    cache: Cache,
}

/// An entry's type and base, from its header.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A whole object: commit 1, tree 2, blob 3, tag 4.
    Whole(u8),
    /// A delta against the entry at this offset in the same pack.
    AtOffset(u64),
    /// A delta against the object with this id.
    OfId(Oid),
}

/// A pack entry's header, with its compressed data's start in [`Reader::input`].
struct Entry {
    kind: Kind,
    /// The object's size for a whole object, the delta's for a delta.
    size: u64,
    /// Where the compressed data starts in the pack file.
    data: u64,
    /// The compressed data already in `input`: `input[head..filled]`.
    head: usize,
    filled: usize,
}

const TREE: u8 = 2;
const BLOB: u8 = 3;
/// What the first `pread` of an entry asks for: its header and, for most entries (deltas
/// of a few hundred bytes), all of its data.
const FIRST_READ: usize = 4096;
/// The most a later `pread` of one entry asks for.
const MAX_READ: usize = 1 << 20;
/// Longer chains are refused (git itself stops at 4095): a loop of deltas that name each
/// other by id cannot spin forever.
const MAX_CHAIN: usize = 10_000;

impl<'p> Reader<'p> {
    pub(super) fn new(packs: &'p Packs, cache_bytes: usize) -> Reader<'p> {
        Reader {
            packs,
            inflate: Decompress::new(true),
            input: Vec::new(),
            cache: Cache::new(cache_bytes),
        }
    }

    /// The blob stored at `place`, unless it is larger than `max_size` bytes.
    pub fn blob(&mut self, place: Place, max_size: u64) -> Read {
        match self.object(place, BLOB, max_size) {
            Some(Ok(bytes)) => Read::Blob(bytes),
            Some(Err(size)) => Read::TooLarge(size),
            None => Read::Unknown,
        }
    }

    /// The tree `oid`, when a pack holds it and this reader can read it; `None`: ask libgit2.
    pub fn tree(&mut self, oid: &Oid) -> Option<Arc<Vec<u8>>> {
        let place = self.packs.find(oid)?;
        self.object(place, TREE, u64::MAX)?.ok()
    }

    /// The object of git type `want` at `place`: its bytes, `Err(size)` when it is larger
    /// than `max_size`, `None` when it cannot be read here.
    fn object(
        &mut self,
        place: Place,
        want: u8,
        max_size: u64,
    ) -> Option<Result<Arc<Vec<u8>>, u64>> {
        let key = (place.pack, place.offset);
        if let Some((bytes, kind)) = self.cache.get(key) {
            if *kind != want {
                return None;
            }
            let size = bytes.len() as u64;
            return Some(if size > max_size {
                Err(size)
            } else {
                Ok(Arc::clone(bytes))
            });
        }
        let pack = self.packs.pack(place.pack)?;
        let entry = self.entry(pack, place.offset)?;
        let bytes = match entry.kind {
            Kind::Whole(kind) => {
                if kind != want {
                    return None;
                }
                if entry.size > max_size {
                    return Some(Err(entry.size));
                }
                self.inflate(pack, &entry)?
            }
            base => {
                let delta = self.inflate(pack, &entry)?;
                let size = delta::result_size(&delta)?;
                if size > max_size {
                    return Some(Err(size));
                }
                self.resolve(place, want, base, delta)?
            }
        };
        let bytes = Arc::new(bytes);
        if self.cache.fits(bytes.len()) {
            self.cache.insert(key, (Arc::clone(&bytes), want));
        }
        Some(Ok(bytes))
    }

    /// The object the delta `delta` (at `place`, against `base`) builds, of type `want`: its
    /// chain followed down to a whole object or one in the cache, then applied back up,
    /// keeping each step.
    fn resolve(
        &mut self,
        place: Place,
        want: u8,
        mut base: Kind,
        delta: Vec<u8>,
    ) -> Option<Vec<u8>> {
        let mut chain = vec![(place, delta)];
        let mut at = place;
        let mut bytes = loop {
            let next = match base {
                Kind::AtOffset(offset) => Place {
                    pack: at.pack,
                    offset,
                },
                Kind::OfId(oid) => self.packs.find(&oid)?,
                Kind::Whole(_) => unreachable!("a whole object ends the chain"),
            };
            let key = (next.pack, next.offset);
            if let Some((_, kind)) = self.cache.get(key) {
                if *kind != want {
                    return None;
                }
                break Bytes::Cached(key);
            }
            let pack = self.packs.pack(next.pack)?;
            let entry = self.entry(pack, next.offset)?;
            match entry.kind {
                Kind::Whole(kind) => {
                    if kind != want {
                        return None;
                    }
                    let whole = self.inflate(pack, &entry)?;
                    break self.keep(key, want, whole);
                }
                kind => {
                    let delta = self.inflate(pack, &entry)?;
                    chain.push((next, delta));
                    if chain.len() > MAX_CHAIN {
                        return None;
                    }
                    base = kind;
                    at = next;
                }
            }
        };
        while let Some((step, delta)) = chain.pop() {
            let built = match &bytes {
                Bytes::Cached(key) => delta::apply(&self.cache.get(*key)?.0, &delta)?,
                Bytes::Owned(b) => delta::apply(b, &delta)?,
            };
            if chain.is_empty() {
                return Some(built);
            }
            bytes = self.keep((step.pack, step.offset), want, built);
        }
        unreachable!("the chain holds the object's own delta")
    }

    /// `bytes` into the cache when they fit, else held by the caller.
    fn keep(&mut self, key: Key, kind: u8, bytes: Vec<u8>) -> Bytes {
        if self.cache.fits(bytes.len()) {
            self.cache.insert(key, (Arc::new(bytes), kind));
            Bytes::Cached(key)
        } else {
            Bytes::Owned(bytes)
        }
    }

    /// Reads the header of the entry at `offset`, and the first of its compressed data.
    fn entry(&mut self, pack: &Pack, offset: u64) -> Option<Entry> {
        if self.input.len() < FIRST_READ {
            self.input.resize(FIRST_READ, 0);
        }
        let filled = fill(pack, &mut self.input[..FIRST_READ], offset)?;
        let bytes = &self.input[..filled];
        let mut at = 0;
        let mut next = || {
            let b = bytes.get(at).copied();
            at += 1;
            b
        };
        let mut byte = next()?;
        let kind = (byte >> 4) & 7;
        let mut size = u64::from(byte & 15);
        let mut shift = 4;
        while byte & 0x80 != 0 {
            byte = next()?;
            if shift > 57 {
                return None;
            }
            size |= u64::from(byte & 0x7f) << shift;
            shift += 7;
        }
        let kind = match kind {
            1..=4 => Kind::Whole(kind),
            6 => {
                // Big-endian base-128 with an offset of one per continuation byte.
                let mut byte = next()?;
                let mut back = u64::from(byte & 0x7f);
                while byte & 0x80 != 0 {
                    byte = next()?;
                    back = back.checked_add(1)?.checked_mul(128)? | u64::from(byte & 0x7f);
                }
                if back == 0 {
                    return None;
                }
                Kind::AtOffset(offset.checked_sub(back)?)
            }
            7 => {
                let id = bytes.get(at..at + 20)?;
                at += 20;
                Kind::OfId(Oid::from_bytes(id).ok()?)
            }
            _ => return None,
        };
        Some(Entry {
            kind,
            size,
            data: offset + at as u64,
            head: at,
            filled,
        })
    }

    /// Inflates `entry`'s data, which must come to exactly its size, reading more of the
    /// pack as the stream needs it.
    fn inflate(&mut self, pack: &Pack, entry: &Entry) -> Option<Vec<u8>> {
        let size = usize::try_from(entry.size).ok()?;
        let mut out = Vec::new();
        // One byte of room past the size tells a stream longer than its header said.
        out.try_reserve_exact(size.checked_add(1)?).ok()?;
        self.inflate.reset(true);
        let (mut start, mut end) = (entry.head, entry.filled);
        let mut next = entry.data + (end - start) as u64;
        loop {
            let before = self.inflate.total_in();
            let status = self
                .inflate
                .decompress_vec(&self.input[start..end], &mut out, FlushDecompress::None)
                .ok()?;
            start += usize::try_from(self.inflate.total_in() - before).ok()?;
            if status == Status::StreamEnd {
                break;
            }
            if out.len() > size {
                return None;
            }
            if start == end {
                // Twice what the stream took so far, but no more than zlib's bound on the
                // compressed size allows: a few reads for a large entry, none much too long.
                let taken = self.inflate.total_in();
                let bound = (size + (size >> 12) + (size >> 14) + 64) as u64;
                let left = bound.saturating_sub(taken).min(2 * taken);
                let want = usize::try_from(left)
                    .unwrap_or(MAX_READ)
                    .clamp(FIRST_READ, MAX_READ);
                if self.input.len() < want {
                    self.input.resize(want, 0);
                }
                end = fill(pack, &mut self.input[..want], next)?;
                if end == 0 {
                    return None;
                }
                start = 0;
                next += end as u64;
            } else if status == Status::BufError {
                return None;
            }
        }
        (out.len() == size).then_some(out)
    }
}

/// A resolved object: in the cache, or too large for it.
enum Bytes {
    Cached(Key),
    Owned(Vec<u8>),
}

/// Fills `buf` from `offset` as far as the pack goes: the bytes read, fewer at its end.
fn fill(pack: &Pack, buf: &mut [u8], offset: u64) -> Option<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match read_at(&pack.data, &mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(filled)
}
