//! Git sources: the blobs a repository holds, enumerated for the scanners in `scan`.
//!
//! Owns everything that reads a repository:
//! - `repo`: opening a repository (and telling one libgit2 cannot read from none), its
//!   errors, reading one blob, HEAD's tree, a commit's provenance.
//! - `history`: which blobs every commit introduced, and where (`scan --git`).
//! - `pack`: those blobs read straight from the pack files, in pack order, with a delta
//!   cache; what it cannot read is left to libgit2.
//! - `staged`: index entries that differ from HEAD (`scan --staged`), read with `index`, a
//!   minimal reader of git's index file.
//! - `cli`: the same staged entries through the git command, the fallback for SHA-256
//!   repositories.
//! - `mirror`: `git clone --mirror` and `git fetch` for the URLs of `scan --repos`.
//!
//! Git sources must not detect keys, rate risk or report: they yield blobs with their
//! [`Origin`](super::Origin)s, or [`Warning`](crate::error::Warning)s for what they cannot
//! read, and never print.

pub mod cli;
pub mod history;
pub mod index;
pub mod mirror;
pub mod pack;
pub mod repo;
pub mod staged;

/// libgit2 inflates with the zlib whose C names the binary defines: zlib-rs's, linked by naming
/// the crate (see Cargo.toml), ahead of the system's libz.
use libz_rs_sys as _;
