//! The three formats: zip (through its central directory), tar (streamed) and gzip (streamed;
//! a tar inside is expanded at the same level). Each opens one archive for [`Expansion`] and
//! hands every member to [`Expansion::member`]; the limits and the budget live there.

use std::io::{Cursor, Read};

use flate2::bufread::MultiGzDecoder;
use zip::ZipArchive;

use super::{Capped, Expansion, is_tar, member_origin};
use crate::source::{Blob, Origin};

/// How many directory entries a zip may list, as a multiple of the member cap, before it is
/// left unopened: the zip crate indexes every entry up front (a few hundred bytes each).
const ZIP_INDEX_FACTOR: u64 = 4;

impl Expansion<'_> {
    /// Opens a zip. `Err` when it cannot be opened at all (nothing was read).
    pub(super) fn zip(&mut self, blob: &Blob, depth: u32) -> Result<(), String> {
        let listed = memchr::memmem::find_iter(&blob.bytes, b"PK\x01\x02").count() as u64;
        if listed > self.limits.members.saturating_mul(ZIP_INDEX_FACTOR) {
            return Err(format!(
                "its directory lists {listed} entries, too many to index"
            ));
        }
        let mut archive =
            ZipArchive::new(Cursor::new(&blob.bytes[..])).map_err(|e| e.to_string())?;
        for i in 0..archive.len() {
            if !self.next_member() {
                break;
            }
            let (name, skip) = match archive.by_index_raw(i) {
                Ok(f) => (f.name().to_string(), self.zip_skip(&f)),
                Err(e) => {
                    self.warn(&blob.origin.path, format!("entry {}: {e}", i + 1));
                    continue;
                }
            };
            let origin = member_origin(&blob.origin, &name);
            match skip {
                Some(Skip::Quietly) => continue,
                Some(Skip::Because(why)) => {
                    self.warn(&origin.path, why);
                    continue;
                }
                None => {}
            }
            let file = match archive.by_index(i) {
                Ok(f) => f,
                Err(e) => {
                    self.warn(&origin.path, format!("not scanned: {e}"));
                    continue;
                }
            };
            let size = file.size();
            let reader = Capped {
                inner: file,
                budget: self.budget,
            };
            self.member(origin, reader, Some(size), depth);
        }
        Ok(())
    }

    fn zip_skip<R: Read>(&self, file: &zip::read::ZipFile<'_, R>) -> Option<Skip> {
        if file.is_dir() || file.is_symlink() {
            Some(Skip::Quietly)
        } else if file.encrypted() {
            Some(Skip::Because("encrypted: not scanned".into()))
        } else if file.size() > self.limits.member_bytes {
            Some(Skip::Because(over_max(
                file.size(),
                self.limits.member_bytes,
            )))
        } else {
            None
        }
    }

    /// Opens a tar read from `reader`. `Err` when not even its first entry can be read.
    pub(super) fn tar(
        &mut self,
        outer: &Origin,
        reader: impl Read,
        depth: u32,
    ) -> Result<(), String> {
        let mut archive = tar::Archive::new(reader);
        let entries = archive.entries().map_err(|e| e.to_string())?;
        for (i, entry) in entries.enumerate() {
            if self.stopped {
                break;
            }
            let mut entry = match entry {
                Ok(e) => e,
                Err(_) if self.budget.hit.get() => {
                    self.stop_at_bytes();
                    break;
                }
                Err(e) if i == 0 => return Err(e.to_string()),
                Err(e) => {
                    let message = format!("damaged after {i} entries: {e}");
                    self.warn(&outer.path, message);
                    break;
                }
            };
            if !self.next_member() {
                break;
            }
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let origin = member_origin(outer, name.trim_start_matches("./"));
            if entry.size() > self.limits.member_bytes {
                let message = over_max(entry.size(), self.limits.member_bytes);
                self.warn(&origin.path, message);
                continue;
            }
            let size = entry.size();
            self.member(origin, &mut entry, Some(size), depth);
        }
        Ok(())
    }

    /// Opens a gzip stream: a tar inside is expanded at this level, anything else is one
    /// member. `Err` when its first bytes do not decompress.
    pub(super) fn gzip(&mut self, blob: &Blob, depth: u32) -> Result<(), String> {
        let mut stream = Capped {
            inner: MultiGzDecoder::new(&blob.bytes[..]),
            budget: self.budget,
        };
        let mut head = Vec::new();
        let read = (&mut stream).take(512).read_to_end(&mut head);
        if self.budget.hit.get() {
            self.stop_at_bytes();
            return Ok(());
        }
        read.map_err(|e| e.to_string())?;
        let name = gzip_member_name(
            stream.inner.header().and_then(|h| h.filename()),
            &blob.origin.path,
        );
        let rest = Cursor::new(head).chain(stream);
        if is_tar(rest.get_ref().0.get_ref()) {
            return self.tar(&blob.origin, rest, depth);
        }
        if self.next_member() {
            // A gzip trailer's size comes last, modulo 4 GiB: only --max-filesize bounds it.
            self.member(member_origin(&blob.origin, &name), rest, None, depth);
        }
        Ok(())
    }
}

/// Why a zip entry is not read.
enum Skip {
    /// A directory or link: nothing to scan.
    Quietly,
    Because(String),
}

fn over_max(size: u64, max: u64) -> String {
    format!("skipped: {size} bytes uncompressed is over --max-filesize ({max} bytes)")
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
