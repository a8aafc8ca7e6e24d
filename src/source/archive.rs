//! Archives and compressed files: recognising them by their first bytes and expanding one
//! [`Blob`] into the member blobs it holds, within [`Limits`]. Knows nothing about keys.
//!
//! Recognised by magic bytes, never by file name (a `.jar`, `.war`, `.docx`, `.whl` or a
//! renamed file is what its bytes say): zip (`PK\3\4`; `PK\5\6` empty; `PK\7\8` spanned),
//! gzip (`\x1f\x8b` and method 8, deflate), tar (`ustar` at offset 257). A gzip stream
//! holding a tar is one level (`app.tar.gz!etc/app.conf`); a gzip stream holding anything
//! else is one member, named as its header says, else as the file without `.gz`
//! (`app.env.gz!app.env`). An archive with something before its first header (a
//! self-extracting or launch-script zip) is not recognised: its raw bytes are scanned, as any
//! file's.
//!
//! Members are reported as `outer!member` (nested: `a.zip!lib/b.jar!c.properties`), with the
//! outer blob's commit. Every member that holds bytes is read, whatever its type, name or
//! attributes (see `zip.rs`, `tar.rs`). What no member accounts for is scanned too: once
//! its members are read, the archive's own bytes are handed on under its own name with the
//! data of each member scanned blanked out (newlines kept, so lines are the file's). That is
//! headers and names, comments, gaps, trailing data, and the data of members not opened
//! (skipped, encrypted, past a cap): stored bytes there are found as `--no-archives` finds
//! them, and no stored member is reported twice.
//!
//! Limits, per input (one file, git blob or standard input), so that a zip bomb ends fast with
//! a warning and nothing else is lost:
//! - depth: 2 archive levels are opened (an archive inside an archive); an archive found
//!   deeper is not opened: a warning, and its raw bytes are scanned (stored members are seen);
//! - members: 100,000 entries, all levels together (a fat jar of jars has tens of thousands);
//! - member size: `--max-filesize`, as for files: a bigger member is skipped with a warning;
//! - total: 4 × `--max-filesize` bytes decompressed or extracted, all levels together.
//!
//! At the member or byte cap the input's expansion stops, and one warning names the input,
//! the cap and how many members were not opened; members read before it are kept. Every read
//! is bounded (`take`, `Capped`) whatever sizes the headers claim (a zip member stops one byte
//! past its declared size, so a lying bomb costs nothing), nothing is written to disk, and
//! memory holds the input, the archive open at each level and the member being read, plus what
//! the consumer keeps of the members handed on: the scan detects a large archive's members in
//! parallel with this expansion, and keeps at most 64 MiB of them in flight (a bigger batch
//! only alone) besides the batch it gathers (256 KiB or 64 members, and the last one read).
//! Zip entries that share compressed data are read once (see `zip.rs`), so a small zip of
//! overlapping entries cannot spend the byte cap before the members after them.
//!
//! Damage: an archive that cannot be opened at all is a warning, and its raw bytes are
//! scanned; damage after some members is a warning, and what was read is kept (a zip without
//! its directory is read from its local headers, a cut gzip stream keeps what inflated).
//! Encrypted members and unsupported compression methods are skipped with a warning.
//! It must not print: warnings are handed to the caller as values.

use std::cell::Cell;
use std::io::{self, Read};
use std::ops::Range;

use super::{Blob, Origin};
use crate::error::Warning;

mod gzip;
mod inflate;
mod tar;
#[cfg(test)]
mod tests;
mod whole;
mod zip;
mod zip_records;

/// The most a member's buffer is given before its bytes are read (see `Expansion::member`).
const PREALLOCATE: u64 = 8 << 20;

/// What the expansion hands its consumer: a blob to scan, or a problem met.
pub type Item = Result<Blob, Warning>;

/// How far one input is expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Archive levels opened: 2 opens an archive inside an archive, and no deeper.
    pub depth: u32,
    /// Entries read, all levels together.
    pub members: u64,
    /// Largest member scanned (`--max-filesize`).
    pub member_bytes: u64,
    /// Bytes decompressed or extracted, all levels together.
    pub total_bytes: u64,
}

impl Limits {
    /// The limits for a run with this `--max-filesize`.
    pub fn for_max_filesize(max_filesize: u64) -> Limits {
        Limits {
            depth: 2,
            members: 100_000,
            member_bytes: max_filesize,
            total_bytes: max_filesize.saturating_mul(4),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zip,
    Gzip,
    Tar,
}

impl Kind {
    fn of(bytes: &[u8]) -> Option<Kind> {
        const ZIP: [&[u8]; 3] = [b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"];
        if ZIP.iter().any(|m| bytes.starts_with(m)) {
            Some(Kind::Zip)
        } else if bytes.starts_with(b"\x1f\x8b\x08") {
            Some(Kind::Gzip)
        } else if is_tar(bytes) {
            Some(Kind::Tar)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Zip => "zip",
            Kind::Gzip => "gzip",
            Kind::Tar => "tar",
        }
    }
}

/// POSIX (`ustar\0`) and GNU (`ustar  `) tar headers both carry `ustar` at offset 257.
fn is_tar(bytes: &[u8]) -> bool {
    bytes.get(257..262) == Some(b"ustar")
}

/// Whether `bytes` start as an archive [`expand`] opens (zip, gzip, tar).
pub fn is_archive(bytes: &[u8]) -> bool {
    Kind::of(bytes).is_some()
}

/// Calls `visit` with every blob `blob` stands for: when it is an archive, its members (and
/// theirs, to [`Limits::depth`]) and then its own bytes with the members' data blanked; else
/// `blob` itself. And with every warning met, the cap's last.
pub fn expand(blob: Blob, limits: &Limits, visit: &mut dyn FnMut(Item)) {
    // Most blobs are not archives: hand them on before setting anything up.
    if Kind::of(&blob.bytes).is_none() {
        return visit(Ok(blob));
    }
    let budget = Budget {
        left: Cell::new(limits.total_bytes),
        hit: Cell::new(false),
    };
    let mut expansion = Expansion {
        limits,
        budget: &budget,
        members: 0,
        stopped: None,
        unread: 0,
        cut: false,
        visit,
    };
    let input = blob.origin.path.clone();
    expansion.blob(blob, 0);
    if let Some(cap) = expansion.stopped {
        let message = expansion.cap_message(cap);
        expansion.warn(&input, message);
    }
}

/// The cap that stopped an input's expansion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cap {
    Members,
    Bytes,
}

/// The bytes an input may still decompress, shared by every reader of its archives.
struct Budget {
    left: Cell<u64>,
    /// A reader wanted more than was left.
    hit: Cell<bool>,
}

/// A reader that draws every byte it yields from the input's [`Budget`] and fails once that
/// is spent, whatever the archive's headers claimed.
struct Capped<'b, R> {
    inner: R,
    budget: &'b Budget,
}

impl<R: Read> Read for Capped<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let left = self.budget.left.get();
        if left == 0 {
            // Ending exactly at the cap is fine; one byte more is not.
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.budget.hit.set(true);
            return Err(io::Error::other("the archive byte cap is spent"));
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.budget.left.set(left - n as u64);
        Ok(n)
    }
}

/// One input's expansion: its budget, counts and consumer.
struct Expansion<'a> {
    limits: &'a Limits,
    budget: &'a Budget,
    members: u64,
    /// A cap was reached: no further member is read.
    stopped: Option<Cap>,
    /// Members a cap left unread, where they can be counted (a zip's entries, a gzip's one).
    unread: u64,
    /// A cap cut a tar stream, whose later members cannot be counted.
    cut: bool,
    visit: &'a mut dyn FnMut(Item),
}

impl Expansion<'_> {
    /// Scans `blob`, `depth` archive levels down: opens it if it is an archive and the depth
    /// allows (then hands on its members and the rest of its bytes), else hands it on as it is.
    fn blob(&mut self, blob: Blob, depth: u32) {
        let Some(kind) = Kind::of(&blob.bytes) else {
            return (self.visit)(Ok(blob));
        };
        if depth >= self.limits.depth {
            self.warn(
                &blob.origin.path,
                format!(
                    "{} archive nested more than {} archive levels deep: not opened; its raw \
                     bytes are scanned",
                    kind.name(),
                    self.limits.depth
                ),
            );
            return (self.visit)(Ok(blob));
        }
        let opened = match kind {
            Kind::Zip => self.zip(&blob, depth),
            Kind::Gzip => self.gzip(&blob, depth),
            Kind::Tar => {
                let reader = Capped {
                    inner: &blob.bytes[..],
                    budget: self.budget,
                };
                self.tar(&blob.origin, reader, depth).map(|covered| {
                    let len = blob.bytes.len() as u64;
                    let at = |n: u64| n.min(len) as usize;
                    covered.iter().map(|r| at(r.start)..at(r.end)).collect()
                })
            }
        };
        match opened {
            Ok(covered) => self.rest(blob, &covered),
            Err(why) => {
                let message = format!(
                    "cannot open as {}: {why}; its raw bytes are scanned",
                    kind.name()
                );
                self.warn(&blob.origin.path, message);
                (self.visit)(Ok(blob));
            }
        }
    }

    /// Hands on an opened archive's own bytes, with the `covered` ranges (the data of the
    /// members scanned) blanked out: zeros, newlines kept so that lines stay the file's.
    fn rest(&mut self, mut blob: Blob, covered: &[Range<usize>]) {
        for range in covered {
            if let Some(data) = blob.bytes.to_mut().get_mut(range.clone()) {
                // Branch-free, so it is vectorised: every archive's compressed bytes pass here.
                data.iter_mut()
                    .for_each(|b| *b &= u8::from(*b == b'\n').wrapping_neg());
            }
        }
        (self.visit)(Ok(blob));
    }

    /// Reads one member and scans it one level down. A member's bytes stop at
    /// `--max-filesize`, and at the size its header `declared` (already checked against
    /// `--max-filesize`): a zip entry that inflates past its declared size is a bomb or
    /// damage, and is dropped after one byte too many instead of a whole `--max-filesize`.
    /// True when the member (or what of it could be read) was scanned.
    fn member(
        &mut self,
        origin: Origin,
        reader: impl Read,
        declared: Option<u64>,
        depth: u32,
    ) -> bool {
        let max = declared.unwrap_or(self.limits.member_bytes);
        // Room for the declared size up front: no growing copies, and the inflater writes
        // whole blocks instead of probing a few bytes at a time. A header that lies costs an
        // allocation never touched, bounded by PREALLOCATE.
        let room = declared.map_or(0, |d| d.min(PREALLOCATE)) as usize;
        let mut bytes = Vec::with_capacity(room);
        let read = reader.take(max.saturating_add(1)).read_to_end(&mut bytes);
        if self.budget.hit.get() {
            self.stop(Cap::Bytes);
            self.unread += 1;
            return false;
        }
        match read {
            Ok(_) if bytes.len() as u64 > max => {
                let message = match declared {
                    Some(size) => format!(
                        "skipped: inflates to more than the {size} bytes its header declares"
                    ),
                    None => {
                        format!(
                            "skipped: more than {max} bytes uncompressed is over --max-filesize"
                        )
                    }
                };
                self.warn(&origin.path, message);
                return false;
            }
            Ok(_) => {}
            Err(e) => {
                let message = format!("damaged: {e}; the {} bytes read are scanned", bytes.len());
                self.warn(&origin.path, message);
                if bytes.is_empty() {
                    return false;
                }
            }
        }
        self.blob(
            Blob {
                origin,
                bytes: bytes.into(),
            },
            depth + 1,
        );
        true
    }

    /// Counts one more entry; false once a cap has stopped the input.
    fn next_member(&mut self) -> bool {
        if self.stopped.is_none() && self.members >= self.limits.members {
            self.stop(Cap::Members);
        }
        if self.stopped.is_some() {
            return false;
        }
        self.members += 1;
        true
    }

    /// Stops the input's expansion: no member is read after this (the warning comes last).
    fn stop(&mut self, cap: Cap) {
        self.stopped.get_or_insert(cap);
    }

    /// The warning for the cap that stopped the input, saying what it left unread.
    fn cap_message(&self, cap: Cap) -> String {
        let cap = match cap {
            Cap::Members => format!("{} archive members", self.limits.members),
            Cap::Bytes => format!(
                "{} bytes decompressed (4 × --max-filesize)",
                self.limits.total_bytes
            ),
        };
        let mut lost = Vec::new();
        match self.unread {
            0 => {}
            1 => lost.push("1 member is not opened (its archive's raw bytes are scanned)".into()),
            n => lost.push(format!(
                "{n} members are not opened (their archive's raw bytes are scanned)"
            )),
        }
        if self.cut {
            lost.push("later members of a tar are not opened".to_string());
        }
        if lost.is_empty() {
            lost.push("later members are not opened".to_string());
        }
        format!("stopped at the cap of {cap} per input: {}", lost.join("; "))
    }

    fn warn(&mut self, subject: &str, message: String) {
        (self.visit)(Err(Warning::new(subject, message)));
    }
}

fn over_max(size: u64, max: u64) -> String {
    format!("skipped: {size} bytes uncompressed is over --max-filesize ({max} bytes)")
}

/// A member's origin: `outer!name`, the outer blob's commit. A member with an empty name
/// (a damaged or crafted directory) is still told apart from its archive.
fn member_origin(outer: &Origin, name: &str) -> Origin {
    let name = if name.is_empty() { "(no name)" } else { name };
    Origin {
        path: format!("{}!{name}", outer.path),
        commit: outer.commit.clone(),
    }
}
