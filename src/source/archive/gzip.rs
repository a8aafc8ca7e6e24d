//! Gzip, streamed member after member from the file's bytes ([`Gunzip`]): a tar inside is
//! expanded at the same level, anything else is one member, named as the first header
//! records (else as the file without `.gz`).
//!
//! Damage loses nothing that can be inflated: a stream cut short keeps what was inflated, a
//! missing trailer or a wrong CRC-32 is a warning and the data is scanned, and bytes after
//! the last member (gzip's "trailing garbage") are left to the archive's own bytes, which
//! are scanned raw.

use std::io::{self, Cursor, Read};
use std::ops::Range;

use flate2::Crc;

use super::inflate::Inflate;
use super::{Capped, Expansion, is_tar, member_origin};
use crate::source::Blob;

const FHCRC: u8 = 2;
const FEXTRA: u8 = 4;
const FNAME: u8 = 8;
const FCOMMENT: u8 = 16;

impl Expansion<'_> {
    /// Opens a gzip file; `Ok` with the byte ranges of its deflate streams that were read.
    /// `Err` when its header cannot be read or nothing at all inflates.
    pub(super) fn gzip(&mut self, blob: &Blob, depth: u32) -> Result<Vec<Range<usize>>, String> {
        let (data, recorded) = header(&blob.bytes, 0).ok_or("invalid gzip header")?;
        let name = gzip_member_name(recorded, &blob.origin.path);
        let mut gunzip = Gunzip::new(&blob.bytes, data);
        let mut stream = Capped {
            inner: &mut gunzip,
            budget: self.budget,
        };
        let mut head = Vec::new();
        let read = (&mut stream).take(512).read_to_end(&mut head);
        if self.budget.hit.get() {
            self.stop(super::Cap::Bytes);
            self.unread += 1;
            return Ok(Vec::new());
        }
        if head.is_empty() {
            // Nothing inflates: the raw bytes are all there is.
            read.map_err(|e| e.to_string())?;
        }
        let rest = Cursor::new(head).chain(stream);
        if is_tar(rest.get_ref().0.get_ref()) {
            // The tar's offsets are in the inflated stream: none of them is the file's.
            self.tar(&blob.origin, rest, depth)?;
        } else if self.next_member() {
            // A gzip trailer's size comes last, modulo 4 GiB: only --max-filesize bounds it.
            self.member(member_origin(&blob.origin, &name), rest, None, depth);
        } else {
            self.unread += 1;
        }
        for note in std::mem::take(&mut gunzip.notes) {
            self.warn(&blob.origin.path, note);
        }
        Ok(gunzip.covered())
    }
}

/// The inflated bytes of a gzip file's members, one after another, and what it met.
struct Gunzip<'a> {
    bytes: &'a [u8],
    /// Where the current member's deflate stream starts.
    at: usize,
    /// The current member's stream; `None` after the last.
    inflate: Option<Inflate<'a>>,
    crc: Crc,
    /// The deflate streams of the members read to their end.
    done: Vec<Range<usize>>,
    /// Problems met, for the caller to warn about once the stream is read.
    notes: Vec<String>,
}

impl<'a> Gunzip<'a> {
    fn new(bytes: &'a [u8], data: usize) -> Gunzip<'a> {
        Gunzip {
            bytes,
            at: data,
            inflate: Some(Inflate::new(&bytes[data..])),
            crc: Crc::new(),
            done: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The deflate bytes read so far.
    fn covered(&self) -> Vec<Range<usize>> {
        let mut all = self.done.clone();
        if let Some(inflate) = &self.inflate {
            all.push(self.at..self.at + inflate.consumed());
        }
        all
    }

    /// After a member's deflate stream, ending at `end`: its trailer, then the next member.
    fn next_member(&mut self, end: usize) {
        self.done.push(self.at..end);
        self.inflate = None;
        let Some(trailer) = self.bytes.get(end..end + 8) else {
            let note = "the gzip stream ends without its 8-byte trailer (cut short): what was \
                        inflated is scanned";
            self.notes.push(note.to_string());
            return;
        };
        let want = u32::from_le_bytes(trailer[..4].try_into().expect("4 bytes"));
        if want != self.crc.sum() {
            let note = "a gzip member's CRC-32 does not match its trailer: what was inflated \
                        is scanned";
            self.notes.push(note.to_string());
        }
        let next = end + 8;
        if let Some((data, _)) = header(self.bytes, next) {
            self.at = data;
            self.inflate = Some(Inflate::new(&self.bytes[data..]));
            self.crc = Crc::new();
            return;
        }
        let after = &self.bytes[next..];
        if after.iter().any(|&b| b != 0) {
            let note = format!(
                "{} bytes after the gzip stream are not gzip: scanned as raw bytes",
                after.len()
            );
            self.notes.push(note);
        }
    }
}

impl Read for Gunzip<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while let Some(inflate) = &mut self.inflate {
            let n = inflate.read(buf)?;
            if n > 0 || buf.is_empty() {
                self.crc.update(&buf[..n]);
                return Ok(n);
            }
            let end = self.at + inflate.consumed();
            self.next_member(end);
        }
        Ok(0)
    }
}

/// The gzip member header at `at`: where its deflate stream starts, and the file name it
/// records. `None` when there is no header there, or it does not fit.
fn header(bytes: &[u8], at: usize) -> Option<(usize, Option<&[u8]>)> {
    if bytes.get(at..at + 3)? != b"\x1f\x8b\x08" {
        return None;
    }
    let flags = *bytes.get(at + 3)?;
    let mut pos = at + 10;
    if flags & FEXTRA != 0 {
        let len = u16::from_le_bytes(bytes.get(pos..pos + 2)?.try_into().ok()?);
        pos += 2 + usize::from(len);
    }
    let mut name = None;
    for (flag, keep) in [(FNAME, true), (FCOMMENT, false)] {
        if flags & flag != 0 {
            let text = bytes.get(pos..)?;
            let len = memchr::memchr(0, text)?;
            if keep {
                name = Some(&text[..len]);
            }
            pos += len + 1;
        }
    }
    if flags & FHCRC != 0 {
        pos += 2;
    }
    (pos <= bytes.len()).then_some((pos, name))
}

/// A plain gzip member's name: the file name its header records, else the outer name
/// without `.gz`.
pub(super) fn gzip_member_name(recorded: Option<&[u8]>, outer_path: &str) -> String {
    if let Some(name) = recorded {
        let name = String::from_utf8_lossy(name);
        match name.rsplit(['/', '\\']).next() {
            Some(base) if !base.is_empty() => return base.to_string(),
            _ => {}
        }
    }
    let base = outer_path.rsplit(['/', '!']).next().unwrap_or(outer_path);
    // `.gz` is ASCII, so cutting its three bytes off the end leaves whole characters.
    if base.len() > 3 && base.to_ascii_lowercase().ends_with(".gz") {
        base[..base.len() - 3].to_string()
    } else {
        base.to_string()
    }
}
