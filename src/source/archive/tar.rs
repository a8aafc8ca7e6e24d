//! Tar, streamed entry by entry from a reader (a tar file's bytes, or a gzip stream's).

use std::io::Read;
use std::ops::Range;

use super::{Cap, Expansion, member_origin, over_max};
use crate::source::Origin;

impl Expansion<'_> {
    /// Opens a tar read from `reader`; `Ok` with the byte ranges (offsets in the tar) its
    /// scanned members' data took. `Err` when not even its first entry can be read.
    ///
    /// Every entry that carries data is scanned, whatever its type: GNU tar extracts
    /// contiguous files (`7`) and unknown types as regular files, and a link, directory or
    /// global header with data holds bytes all the same. Zero blocks are skipped, not taken
    /// for the end (GNU tar's `-i`), so a second tar appended to the first is read too.
    pub(super) fn tar(
        &mut self,
        outer: &Origin,
        reader: impl Read,
        depth: u32,
    ) -> Result<Vec<Range<u64>>, String> {
        let mut archive = tar::Archive::new(reader);
        archive.set_ignore_zeros(true);
        let entries = archive.entries().map_err(|e| e.to_string())?;
        let mut covered = Vec::new();
        for (i, entry) in entries.enumerate() {
            if self.stopped.is_some() {
                self.cut = true;
                break;
            }
            let mut entry = match entry {
                Ok(e) => e,
                Err(_) if self.budget.hit.get() => {
                    self.stop(Cap::Bytes);
                    self.cut = true;
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
                self.cut = true;
                break;
            }
            let kind = entry.header().entry_type();
            let size = entry.size();
            if size == 0 && !kind.is_file() {
                // A directory, link or device: no data.
                continue;
            }
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let origin = member_origin(outer, name.trim_start_matches("./"));
            if size > self.limits.member_bytes {
                let message = over_max(size, self.limits.member_bytes);
                self.warn(&origin.path, message);
                continue;
            }
            let at = entry.raw_file_position();
            // A sparse file's data is stored in pieces, not as `size` bytes at `at`.
            let plain = !kind.is_gnu_sparse();
            if self.member(origin, &mut entry, Some(size), depth) && plain {
                covered.push(at..at.saturating_add(size));
            }
        }
        Ok(covered)
    }
}
