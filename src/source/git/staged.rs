//! What is staged for the next commit (`scan --staged`, the pre-commit path): index entries
//! whose blob differs from HEAD's at the same path, or every entry before the first commit.
//!
//! Owns the comparison, kept fast for large repositories (target: under 50 ms with 100k
//! tracked files): the index is read by `index` (paths borrowed, no hashing), index and
//! HEAD's tree are walked together directory by directory, and a directory whose cache-tree
//! id equals HEAD's tree id there is skipped unread — as git itself does. Only object ids are
//! compared: no diff machinery, no working-tree reads; the staged blob is read later from the
//! object database, never the working-tree file. Honours `GIT_INDEX_FILE` (set for hooks by
//! `git commit <paths>`). Unmerged entries and submodules are skipped. It must not print.

use std::path::PathBuf;

use git2::{ObjectType, Oid, Repository, Tree};

use super::index::{CacheTree, Entry, Unreadable};
use crate::error::{Error, Warning};

/// Mode of a gitlink (submodule) entry in the index.
const GITLINK_MODE: u32 = 0o160000;

/// One staged file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedEntry {
    /// Path in the repository, lossy UTF-8.
    pub path: String,
    /// The blob in the index.
    pub staged: Oid,
    /// HEAD's blob at the same path, when there is one.
    pub head: Option<Oid>,
}

/// Staged entries that differ from HEAD, in path order, and problems met.
pub fn staged(repo: &Repository) -> Result<(Vec<StagedEntry>, Vec<Warning>), Error> {
    if repo.is_bare() {
        return Err(Error::Usage {
            flag: "--staged",
            message: "a bare repository has no index to scan".into(),
        });
    }
    let index_path = std::env::var_os("GIT_INDEX_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.path().join("index"));
    let bytes = match std::fs::read(&index_path) {
        Ok(b) => b,
        // No index yet: nothing was ever staged.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Default::default()),
        Err(e) => {
            return Err(Error::Git {
                context: format!("cannot read the index {}", index_path.display()),
                source: git2::Error::from_str(&e.to_string()),
            });
        }
    };
    let head = super::repo::head_tree(repo);
    let mut scratch = Vec::new();
    let mut out = Out::default();
    match super::index::parse(&bytes, &mut scratch) {
        Ok(index) => {
            let root = Dir {
                head: head.as_ref(),
                cache: index.cache_tree.as_ref(),
            };
            out.visit(repo, &index.entries, 0, root);
        }
        Err(Unreadable::Split) => {
            return Err(Error::Usage {
                flag: "--staged",
                message: "this repository uses a split index (core.splitIndex), which keyleak \
                          cannot read: run `git update-index --no-split-index` first"
                    .into(),
            });
        }
        Err(Unreadable::Sparse) => {
            return Err(Error::Usage {
                flag: "--staged",
                message: "this repository uses a sparse index, which keyleak cannot read: run \
                          `git config index.sparse false` first"
                    .into(),
            });
        }
        Err(Unreadable::Malformed) => {
            let index = git2::Index::open(&index_path).map_err(|source| Error::Git {
                context: "cannot read the index".into(),
                source,
            })?;
            let owned: Vec<(Vec<u8>, Oid, u32, u8)> = index
                .iter()
                .map(|e| (e.path, e.id, e.mode, ((e.flags >> 12) & 0x3) as u8))
                .collect();
            let entries: Vec<Entry<'_>> = owned
                .iter()
                .map(|(path, oid, mode, stage)| Entry {
                    path,
                    oid: *oid,
                    mode: *mode,
                    stage: *stage,
                })
                .collect();
            let root = Dir {
                head: head.as_ref(),
                cache: None,
            };
            out.visit(repo, &entries, 0, root);
        }
    }
    Ok((out.entries, out.warnings))
}

/// One directory on both sides: HEAD's tree there and the index's cache-tree node.
#[derive(Clone, Copy)]
struct Dir<'t, 'r, 'c> {
    head: Option<&'t Tree<'r>>,
    cache: Option<&'c CacheTree<'c>>,
}

#[derive(Default)]
struct Out {
    entries: Vec<StagedEntry>,
    warnings: Vec<Warning>,
}

impl Out {
    /// `entries` all start with the same `prefix_len` bytes (this directory's path and `/`).
    fn visit(
        &mut self,
        repo: &Repository,
        entries: &[Entry<'_>],
        prefix_len: usize,
        dir: Dir<'_, '_, '_>,
    ) {
        let mut i = 0;
        while i < entries.len() {
            let entry = entries[i];
            let rest = &entry.path[prefix_len..];
            let Some(slash) = memchr::memchr(b'/', rest) else {
                self.file(entry, rest, dir.head);
                i += 1;
                continue;
            };
            let name = &rest[..slash];
            let sub_prefix = &entry.path[..prefix_len + slash + 1];
            let end = i + entries[i..].partition_point(|e| e.path.starts_with(sub_prefix));
            let in_head = dir
                .head
                .and_then(|t| t.get_name_bytes(name))
                .filter(|e| e.kind() == Some(ObjectType::Tree));
            let cache = dir.cache.and_then(|c| c.child(name));
            let cached = cache.and_then(|c| c.oid);
            let unchanged = in_head.as_ref().is_some_and(|h| cached == Some(h.id()));
            if !unchanged {
                let sub = in_head.and_then(|h| match repo.find_tree(h.id()) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        let subject = String::from_utf8_lossy(sub_prefix).into_owned();
                        let message = format!("HEAD's tree here is unreadable: {}", e.message());
                        self.warnings.push(Warning::new(subject, message));
                        None
                    }
                });
                let sub_dir = Dir {
                    head: sub.as_ref(),
                    cache,
                };
                self.visit(repo, &entries[i..end], sub_prefix.len(), sub_dir);
            }
            i = end;
        }
    }

    fn file(&mut self, entry: Entry<'_>, name: &[u8], head: Option<&Tree<'_>>) {
        let path = || String::from_utf8_lossy(entry.path).into_owned();
        if entry.stage != 0 {
            let w = Warning::new(path(), "skipped: unmerged (conflicted) entry");
            if self.warnings.last() != Some(&w) {
                self.warnings.push(w);
            }
            return;
        }
        if entry.mode == GITLINK_MODE {
            return;
        }
        let in_head = head
            .and_then(|t| t.get_name_bytes(name))
            .filter(|e| e.kind() == Some(ObjectType::Blob))
            .map(|e| e.id());
        if in_head != Some(entry.oid) {
            self.entries.push(StagedEntry {
                path: path(),
                staged: entry.oid,
                head: in_head,
            });
        }
    }
}
