//! Gzip, streamed: a tar inside is expanded at the same level, anything else is one member,
//! named as its header records (else as the file without `.gz`).

use std::io::{Cursor, Read};
use std::ops::Range;

use flate2::bufread::MultiGzDecoder;

use super::{Cap, Capped, Expansion, is_tar, member_origin};
use crate::source::Blob;

impl Expansion<'_> {
    /// Opens a gzip stream; `Ok` with no range taken (its compressed bytes are left as they
    /// are). `Err` when its first bytes do not decompress.
    pub(super) fn gzip(&mut self, blob: &Blob, depth: u32) -> Result<Vec<Range<usize>>, String> {
        let mut stream = Capped {
            inner: MultiGzDecoder::new(&blob.bytes[..]),
            budget: self.budget,
        };
        let mut head = Vec::new();
        let read = (&mut stream).take(512).read_to_end(&mut head);
        if self.budget.hit.get() {
            self.stop(Cap::Bytes);
            self.unread += 1;
            return Ok(Vec::new());
        }
        read.map_err(|e| e.to_string())?;
        let name = gzip_member_name(
            stream.inner.header().and_then(|h| h.filename()),
            &blob.origin.path,
        );
        let rest = Cursor::new(head).chain(stream);
        if is_tar(rest.get_ref().0.get_ref()) {
            self.tar(&blob.origin, rest, depth)?;
        } else if self.next_member() {
            // A gzip trailer's size comes last, modulo 4 GiB: only --max-filesize bounds it.
            self.member(member_origin(&blob.origin, &name), rest, None, depth);
        } else {
            self.unread += 1;
        }
        Ok(Vec::new())
    }
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
