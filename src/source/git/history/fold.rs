//! Commit diffs folded, in walk order, into the map of where each blob was first
//! introduced: the plan's one serial step between chunks of parallel diffs. Owns the
//! attribution rules for moves and renames (see the parent module's doc) and the interned
//! paths.

use std::collections::HashMap;

use git2::Oid;

use super::diff::CommitDiff;
use super::{FastHash, Text};
use crate::error::Warning;

/// Interned paths: most blobs share a path with their other versions.
#[derive(Default)]
pub(super) struct PathTable {
    pub(super) ids: HashMap<Vec<u8>, u32, FastHash>,
    pub(super) names: Vec<String>,
}

impl PathTable {
    pub(super) fn id(&mut self, path: &[u8]) -> u32 {
        if let Some(&id) = self.ids.get(path) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 2^32 paths");
        self.names.push(String::from_utf8_lossy(path).into_owned());
        self.ids.insert(path.to_vec(), id);
        id
    }
}

/// Commit diffs folded in walk order into the first-introduction map.
#[derive(Default)]
pub(super) struct Fold {
    pub(super) paths: PathTable,
    /// (blob, path) → walk index of the oldest commit that introduced it there.
    pub(super) first: HashMap<(Oid, u32), u32, FastHash>,
    /// The commits' texts the filter kept, in walk order.
    pub(super) texts: Vec<Text>,
    pub(super) warnings: Vec<Warning>,
}

impl Fold {
    pub(super) fn add(&mut self, index: u32, mut diff: CommitDiff) {
        self.warnings.append(&mut diff.warnings);
        if let Some((path, bytes)) = diff.text.take() {
            self.texts.push(Text {
                path,
                commit: Some(index),
                bytes,
            });
        }
        diff.removed.sort_unstable();
        for (blob, path) in diff.added {
            let path_id = self.paths.id(&path);
            if self.first.contains_key(&(blob, path_id)) {
                continue;
            }
            let from = diff.removed.partition_point(|(oid, _)| *oid < blob);
            let moved: Vec<&[u8]> = diff.removed[from..]
                .iter()
                .take_while(|(oid, _)| *oid == blob)
                .map(|(_, p)| p.as_slice())
                .collect();
            let attributed = if moved.is_empty() {
                Some(index)
            } else {
                // Moved or renamed: keep the attribution of where it came from.
                moved
                    .iter()
                    .filter_map(|old| {
                        let old_id = self.paths.ids.get(*old)?;
                        self.first.get(&(blob, *old_id)).copied()
                    })
                    .min()
            };
            if let Some(at) = attributed {
                self.first.insert((blob, path_id), at);
            }
        }
    }
}
