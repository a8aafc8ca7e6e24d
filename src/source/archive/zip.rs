//! Opening a zip: which entries are read, in what order, and which of its bytes they cover.
//! Records are read by `zip_records`; limits and the budget are [`Expansion`]'s.
//!
//! Every entry the central directory lists is read, whatever its name (two entries may share
//! one), its attributes (a symlink's or directory's data is bytes like any other) or its type.
//! Then, so that a reader that streams local headers (Java's `ZipInputStream`) cannot see
//! more than keyleak does, every local header outside the listed entries' bytes is read as a
//! member too; without a readable central directory (a truncated zip) that is all there is.
//!
//! Overlapping entries (many directory entries over the same compressed bytes: a bomb that
//! costs nothing to make) cannot spend the byte cap before the honest members are read:
//! - an entry whose compressed bytes and method repeat an earlier entry's is not read again
//!   (its output would be the same), and one warning counts them;
//! - entries whose data ranges overlap another's but differ are read last, after the entries
//!   that overlap nothing and the unlisted local entries.

use std::collections::HashMap;
use std::io::{self, Read};
use std::ops::Range;

use super::inflate::{Checked, Inflate};
use super::zip_records::{self, Entry};
use super::{Cap, Capped, Expansion, member_origin};
use crate::source::{Blob, Origin};

/// A listed entry whose local header was found: where its data lies.
struct Listed {
    entry: Entry,
    data: Range<u64>,
    /// Where its data ends by the sizes of both its headers, whichever ends first: a
    /// streaming reader goes by the local header's, and finds what follows there.
    claim_end: u64,
}

/// One entry's compressed bytes, and what its headers say of them.
struct Data<'a> {
    bytes: &'a [u8],
    /// All the bytes the header claims are there (else the archive ends inside them).
    whole: bool,
    /// The CRC-32 and size recorded, when they are (not in a local header whose data
    /// descriptor follows the data).
    crc: Option<u32>,
    size: Option<u64>,
}

impl Expansion<'_> {
    /// Opens a zip; `Ok` with the byte ranges its scanned members' data took. `Err` when
    /// neither its directory nor any local header can be read.
    pub(super) fn zip(&mut self, blob: &Blob, depth: u32) -> Result<Vec<Range<usize>>, String> {
        let (bytes, outer) = (&blob.bytes[..], &blob.origin);
        let left = self.limits.members.saturating_sub(self.members);
        let (entries, more) = match zip_records::directory(bytes, left) {
            Ok(dir) => (dir.entries, dir.more),
            Err(why)
                if zip_records::local_signatures(bytes)
                    .any(|at| zip_records::local(bytes, at).is_some()) =>
            {
                let message = format!(
                    "cannot read its central directory ({why}): its entries are read from \
                     their local headers"
                );
                self.warn(&outer.path, message);
                (Vec::new(), 0)
            }
            Err(why) => return Err(why),
        };
        let mut listed = Vec::with_capacity(entries.len());
        for entry in entries {
            let at = usize::try_from(entry.header).unwrap_or(usize::MAX);
            match zip_records::local(bytes, at) {
                Some((local, start)) => {
                    let data = start as u64..(start as u64).saturating_add(entry.compressed);
                    let claim_end = match local.sizes_follow() {
                        true => data.end,
                        false => data.end.min(data.start.saturating_add(local.compressed)),
                    };
                    listed.push(Listed {
                        data,
                        entry,
                        claim_end,
                    });
                }
                None => {
                    let origin = member_origin(outer, &entry.name(bytes));
                    let message =
                        format!("no local header at offset {}: not scanned", entry.header);
                    self.warn(&origin.path, message);
                }
            }
        }
        let (repeats, overlapping) = classify(&listed);
        let mut covered = Vec::new();
        let alone = (0..listed.len()).filter(|&i| !overlapping[i] && !repeats[i]);
        let mut read = self.listed(bytes, outer, &listed, alone, depth, &mut covered);
        if more == 0 {
            // Else the entries not kept take the rest of the member cap, and their local
            // headers would be taken for unlisted ones.
            self.unlisted(bytes, outer, &claimed(bytes, &listed), depth, &mut covered);
        }
        let late = (0..listed.len()).filter(|&i| overlapping[i] && !repeats[i]);
        read += self.listed(bytes, outer, &listed, late, depth, &mut covered);
        if more > 0 {
            self.stop(Cap::Members);
        }
        let repeated = repeats.iter().filter(|&&r| r).count() as u64;
        if self.stopped.is_some() {
            self.unread += (listed.len() as u64 + more).saturating_sub(read + repeated);
        }
        if repeated > 0 {
            let message = format!(
                "{repeated} directory entries point at the data of an earlier entry \
                 (overlapping entries): that data is read once, under the earlier entry's name"
            );
            self.warn(&outer.path, message);
        }
        Ok(covered)
    }

    /// Reads the listed entries `which`, until a cap stops the input; how many were read.
    fn listed(
        &mut self,
        bytes: &[u8],
        outer: &Origin,
        listed: &[Listed],
        which: impl Iterator<Item = usize>,
        depth: u32,
        covered: &mut Vec<Range<usize>>,
    ) -> u64 {
        let mut read = 0;
        for i in which {
            if !self.next_member() {
                break;
            }
            read += 1;
            let Listed { entry, data, .. } = &listed[i];
            let len = bytes.len() as u64;
            let (start, end) = (data.start as usize, data.end.min(len) as usize);
            let data = Data {
                bytes: &bytes[start..end],
                whole: data.end <= len,
                crc: Some(entry.crc),
                size: Some(entry.size),
            };
            if let Some(took) = self.zip_entry(outer, entry, &entry.name(bytes), data, depth) {
                covered.push(start..start + took);
            }
        }
        read
    }

    /// Reads the local entries outside `claimed` (the sorted byte ranges the listed entries
    /// take by both their headers), each ending at the latest where the next claimed range
    /// starts.
    fn unlisted(
        &mut self,
        bytes: &[u8],
        outer: &Origin,
        claimed: &[Range<usize>],
        depth: u32,
        covered: &mut Vec<Range<usize>>,
    ) {
        let mut from = 0;
        let signatures: Vec<usize> = zip_records::local_signatures(bytes).collect();
        for at in signatures {
            if self.stopped.is_some() {
                break;
            }
            let next = claimed.partition_point(|r| r.end <= at);
            if at < from || claimed.get(next).is_some_and(|r| r.start <= at) {
                continue;
            }
            let Some((entry, start)) = zip_records::local(bytes, at) else {
                continue;
            };
            let limit = claimed
                .get(next)
                .map_or(bytes.len(), |r| r.start)
                .max(start);
            let declared_end = usize::try_from(entry.compressed)
                .ok()
                .and_then(|c| start.checked_add(c));
            let (end, whole) = match (entry.method, entry.sizes_follow(), declared_end) {
                // Deflate ends itself.
                (8, true, _) => (limit, true),
                (_, false, Some(end)) => (end.min(limit), end <= limit),
                // A stored entry whose size follows its data cannot be delimited: its bytes
                // are plain, and scanned with the archive's own.
                _ => continue,
            };
            if !self.next_member() {
                self.unread += 1;
                break;
            }
            let known = !entry.sizes_follow();
            let data = Data {
                bytes: &bytes[start..end],
                whole,
                crc: known.then_some(entry.crc),
                size: known.then_some(entry.size),
            };
            if let Some(took) = self.zip_entry(outer, &entry, &entry.name(bytes), data, depth) {
                covered.push(start..start + took);
                from = start + took;
            }
        }
    }

    /// Reads one entry. `Some` with how many bytes of its data its scanned member took.
    fn zip_entry(
        &mut self,
        outer: &Origin,
        entry: &Entry,
        name: &str,
        data: Data<'_>,
        depth: u32,
    ) -> Option<usize> {
        let origin = member_origin(outer, name);
        let size = data.size.unwrap_or(0);
        if name.ends_with('/') && data.bytes.is_empty() && size == 0 {
            // A directory: nothing to read.
            return None;
        }
        let skip = if entry.encrypted() {
            Some("encrypted: not scanned".to_string())
        } else if size > self.limits.member_bytes {
            Some(super::over_max(size, self.limits.member_bytes))
        } else if !matches!(entry.method, 0 | 8) {
            let m = entry.method;
            Some(format!(
                "compression method {m} is not supported: not scanned"
            ))
        } else {
            None
        };
        if let Some(why) = skip {
            self.warn(&origin.path, why);
            return None;
        }
        // Inflated whole when that gives what the stream would (whole.rs); else streamed.
        if let Some((bytes, took)) =
            self.inflate_whole(entry.method, data.bytes, data.size.zip(data.crc))
        {
            self.whole_member(origin, bytes, depth);
            return Some(took);
        }
        // An inflater's state is tens of kilobytes: only for what is deflated.
        let mut inflate = (entry.method == 8).then(|| Inflate::new(data.bytes));
        let source: Box<dyn Read + '_> = match &mut inflate {
            Some(inflate) => Box::new(inflate),
            None => Box::new(data.bytes.chain(CutShort(data.whole))),
        };
        let source: Box<dyn Read + '_> = match data.crc {
            Some(crc) => Box::new(Checked::new(source, crc)),
            None => source,
        };
        let reader = Capped {
            inner: source,
            budget: self.budget,
        };
        if !self.member(origin, reader, data.size, depth) {
            return None;
        }
        Some(inflate.map_or(data.bytes.len(), |i| i.consumed()))
    }
}

/// Which listed entries repeat an earlier entry's compressed bytes and method, and which
/// overlap another entry's data without repeating it.
fn classify(listed: &[Listed]) -> (Vec<bool>, Vec<bool>) {
    let mut repeats = vec![false; listed.len()];
    let mut first = HashMap::new();
    for (i, l) in listed.iter().enumerate() {
        let key = (l.data.start, l.data.end, l.entry.method);
        repeats[i] = !l.data.is_empty() && *first.entry(key).or_insert(i) != i;
    }
    // Overlaps: runs of ranges, sorted by start, each beginning before the run's end.
    let mut overlapping = vec![false; listed.len()];
    let mut order: Vec<usize> = (0..listed.len())
        .filter(|&i| !repeats[i] && !listed[i].data.is_empty())
        .collect();
    order.sort_by_key(|&i| listed[i].data.start);
    let (mut run, mut run_end) = (0, 0);
    for k in 0..=order.len() {
        if let Some(&i) = order.get(k)
            && k > run
            && listed[i].data.start < run_end
        {
            run_end = run_end.max(listed[i].data.end);
            continue;
        }
        if k - run > 1 {
            order[run..k].iter().for_each(|&j| overlapping[j] = true);
        }
        if let Some(&i) = order.get(k) {
            (run, run_end) = (k, listed[i].data.end);
        }
    }
    (repeats, overlapping)
}

/// The byte ranges the listed entries take, local header to data end by both headers:
/// sorted, merged.
fn claimed(bytes: &[u8], listed: &[Listed]) -> Vec<Range<usize>> {
    let len = bytes.len() as u64;
    let mut ranges: Vec<Range<usize>> = listed
        .iter()
        .map(|l| l.entry.header.min(len) as usize..l.claim_end.min(len) as usize)
        .collect();
    ranges.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// The end of a stored entry's data: an error when the archive ends before its header's size.
struct CutShort(bool);

impl Read for CutShort {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        match self.0 {
            true => Ok(0),
            false => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the archive ends inside this member",
            )),
        }
    }
}
