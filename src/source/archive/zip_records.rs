//! A zip's records, read by hand from its bytes: the end record (zip64 too), the central
//! directory's entries and local headers. Only reading: nothing is inflated or judged here
//! (see `zip.rs`). Every field read is bounds-checked; a record that does not fit is `None`
//! or an error, never a panic.
//!
//! By hand rather than with the zip crate, because a scanner must see what a reader hides:
//! that crate keeps one entry per name (the first of two same-named entries was never read)
//! and has no way to reach local entries its directory does not list.

use std::ops::Range;

const LOCAL: &[u8; 4] = b"PK\x03\x04";
const CENTRAL: &[u8; 4] = b"PK\x01\x02";
const END: &[u8; 4] = b"PK\x05\x06";
const END64: &[u8; 4] = b"PK\x06\x06";
const END64_LOCATOR: &[u8; 4] = b"PK\x06\x07";
/// The zip64 extended-information extra field.
const ZIP64_EXTRA: u16 = 0x0001;

/// One member as a header describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    /// The name's bytes in the archive.
    pub name: Range<usize>,
    /// General-purpose flags: bit 0 encrypted, bit 3 sizes in a data descriptor, bit 11 UTF-8.
    pub flags: u16,
    pub method: u16,
    pub crc: u32,
    pub compressed: u64,
    pub size: u64,
    /// Offset of the local header.
    pub header: u64,
}

impl Entry {
    pub fn encrypted(&self) -> bool {
        self.flags & 1 != 0
    }

    /// The sizes in the local header are zeros: they follow the data, in a descriptor.
    pub fn sizes_follow(&self) -> bool {
        self.flags & 8 != 0
    }

    /// The name, as UTF-8 when flagged so, else as IBM code page 437 (as zip tools write it).
    pub fn name(&self, bytes: &[u8]) -> String {
        let raw = &bytes[self.name.clone()];
        if self.flags & (1 << 11) != 0 || raw.is_ascii() {
            return String::from_utf8_lossy(raw).into_owned();
        }
        let high: Vec<char> = CP437_HIGH.chars().collect();
        raw.iter()
            .map(|&b| match b {
                0..0x80 => char::from(b),
                _ => high[usize::from(b - 0x80)],
            })
            .collect()
    }
}

/// Code page 437's upper half, bytes 0x80 to 0xFF.
const CP437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";

/// The central directory's entries.
pub(super) struct Directory {
    /// The entries kept, in directory order: at most the `keep` asked for.
    pub entries: Vec<Entry>,
    /// Entries listed after those kept.
    pub more: u64,
}

/// Reads the central directory of the zip in `bytes`, keeping at most `keep` entries (the
/// rest are counted). `Err` when there is no end record or its directory is not where it
/// says; a damaged entry ends the listing early.
pub(super) fn directory(bytes: &[u8], keep: u64) -> Result<Directory, String> {
    let end = find_end(bytes).ok_or("no end of central directory record")?;
    let mut start = u64::from(u32_at(bytes, end + 16).unwrap_or(0));
    if start == 0xFFFF_FFFF || u16_at(bytes, end + 10) == Some(0xFFFF) {
        start = zip64_start(bytes, end).unwrap_or(start);
    }
    let mut at = usize::try_from(start).map_err(|_| "directory offset out of range")?;
    if field(bytes, at, 4) != Some(CENTRAL) && at != end {
        return Err(format!("no central directory at offset {start}"));
    }
    let mut dir = Directory {
        entries: Vec::new(),
        more: 0,
    };
    while let Some((entry, next)) = central_entry(bytes, at) {
        if (dir.entries.len() as u64) < keep {
            dir.entries.push(entry);
        } else {
            dir.more += 1;
        }
        at = next;
    }
    Ok(dir)
}

/// The last end record whose comment fits in what follows it.
fn find_end(bytes: &[u8]) -> Option<usize> {
    let lowest = bytes.len().saturating_sub(22 + 0xFFFF);
    let tail = bytes.get(lowest..bytes.len().checked_sub(22)? + 4)?;
    memchr::memmem::rfind_iter(tail, END)
        .map(|i| lowest + i)
        .find(|&at| {
            let comment = u16_at(bytes, at + 20).map_or(usize::MAX, usize::from);
            at + 22 + comment <= bytes.len()
        })
}

/// The directory offset a zip64 end record gives, through the locator before `end`.
fn zip64_start(bytes: &[u8], end: usize) -> Option<u64> {
    let locator = end.checked_sub(20)?;
    if field(bytes, locator, 4)? != END64_LOCATOR {
        return None;
    }
    let record = usize::try_from(u64_at(bytes, locator + 8)?).ok()?;
    if field(bytes, record, 4)? != END64 {
        return None;
    }
    u64_at(bytes, record + 48)
}

/// The central entry at `at`, and where the next one starts.
fn central_entry(bytes: &[u8], at: usize) -> Option<(Entry, usize)> {
    if field(bytes, at, 4)? != CENTRAL {
        return None;
    }
    let header = u64::from(u32_at(bytes, at + 42)?);
    let (mut entry, extra) = shared(bytes, at + 6, at + 46, header)?;
    let next = entry.name.end + extra.len() + usize::from(u16_at(bytes, at + 32)?);
    if next > bytes.len() {
        return None;
    }
    widen(&mut entry, extra, true);
    Some((entry, next))
}

/// The fields local and central headers share, from "version needed" (at `at`) to the extra
/// field's length: an entry named by the bytes at `name_at`, and its extra field.
fn shared(bytes: &[u8], at: usize, name_at: usize, header: u64) -> Option<(Entry, &[u8])> {
    let name = name_at..name_at + usize::from(u16_at(bytes, at + 22)?);
    let extra = field(bytes, name.end, usize::from(u16_at(bytes, at + 24)?))?;
    let entry = Entry {
        name,
        flags: u16_at(bytes, at + 2)?,
        method: u16_at(bytes, at + 4)?,
        crc: u32_at(bytes, at + 10)?,
        compressed: u64::from(u32_at(bytes, at + 14)?),
        size: u64::from(u32_at(bytes, at + 18)?),
        header,
    };
    Some((entry, extra))
}

/// Replaces the 32-bit fields saturated at `0xFFFFFFFF` by their zip64 values, in the order
/// the zip64 extra field holds them (the header offset only in a central entry).
fn widen(entry: &mut Entry, mut extra: &[u8], central: bool) {
    while let (Some(id), Some(len)) = (u16_at(extra, 0), u16_at(extra, 2)) {
        let Some(data) = extra.get(4..4 + usize::from(len)) else {
            return;
        };
        if id == ZIP64_EXTRA {
            let mut values = data.chunks_exact(8).map(|c| u64_at(c, 0).unwrap_or(0));
            let mut take = |field: &mut u64| {
                if *field == 0xFFFF_FFFF {
                    *field = values.next().unwrap_or(*field);
                }
            };
            take(&mut entry.size);
            take(&mut entry.compressed);
            if central {
                take(&mut entry.header);
            }
            return;
        }
        extra = &extra[4 + usize::from(len)..];
    }
}

/// The local header at `at`: its entry (sizes as the local header gives them) and where its
/// data starts.
pub(super) fn local(bytes: &[u8], at: usize) -> Option<(Entry, usize)> {
    if field(bytes, at, 4)? != LOCAL {
        return None;
    }
    let (mut entry, extra) = shared(bytes, at + 4, at + 30, at as u64)?;
    let data = entry.name.end + extra.len();
    widen(&mut entry, extra, false);
    Some((entry, data))
}

/// Where local headers start in `bytes`, in order.
pub(super) fn local_signatures(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memmem::find_iter(bytes, LOCAL)
}

/// `len` bytes at `at`, if they are all there.
fn field(bytes: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    bytes.get(at..at.checked_add(len)?)
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(field(bytes, at, 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(field(bytes, at, 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(field(bytes, at, 8)?.try_into().ok()?))
}
