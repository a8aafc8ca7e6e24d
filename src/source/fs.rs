//! Files and directories, walked in parallel with the `ignore` crate (ripgrep's walker).
//!
//! Owns which files are read: `.gitignore`/`.ignore` honoured unless `--no-ignore`, hidden
//! files included (`.env`, `.aws/credentials` and `.github/` are where keys leak), `.git/`
//! never walked, symlinks followed only with `--follow` (loops reported; without it each link
//! met in the tree is a warning) and only where
//! [`super::links`] allows (never into `/proc`, `/sys`, `/dev` or to a FIFO; not outside the
//! scanned paths without `--follow-outside`), files over `--max-filesize` and non-regular
//! files (FIFOs, devices) skipped with a warning. Every regular file is read whole, text or
//! binary (mapped when large: `file_bytes`). It must not print: problems are `Warning`s.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::{WalkBuilder, WalkState};

use super::file_bytes::read_file;
use super::links::{LinkPolicy, identity};
use super::{Blob, Origin};
use crate::error::Warning;

/// The warning for a symlink inside the tree, without `-L`.
const SKIPPED_LINK: &str = "skipped: symlink (pass -L to follow links inside the scanned paths)";

/// What the walk hands to its consumer for each entry worth reporting.
pub type Item = Result<Blob, Warning>;

/// How the file walker behaves: `settings` builds it from the options and configuration.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub threads: usize,
    pub respect_ignore_files: bool,
    pub follow_links: bool,
    /// `--follow-outside`: links may lead outside the scanned paths (never into `/proc`,
    /// `/sys`, `/dev`).
    pub follow_outside: bool,
    pub max_filesize: u64,
}

/// Walks `paths` on `options.threads` threads, calling `visit` for every file read and every
/// problem met. `visit` runs on the walker's threads.
pub fn walk(paths: &[PathBuf], options: &WalkOptions, visit: &(dyn Fn(Item) + Sync)) {
    let (roots, nested) = distinct_roots(paths);
    let Some((first, rest)) = roots.split_first() else {
        return;
    };
    let mut builder = WalkBuilder::new(first);
    for p in rest {
        builder.add(p);
    }
    let respect = options.respect_ignore_files;
    // With -L every file is checked where it really is; without, only a link named on the
    // command line is (the walker follows those), for the special-file rule.
    let follow = options
        .follow_links
        .then(|| Arc::new(LinkPolicy::new(paths, options.follow_outside)));
    let named = LinkPolicy::named(paths);
    // Directory links refused before the walker descends: reported after the walk.
    let refused: Arc<Mutex<Vec<Warning>>> = Arc::default();
    let (dir_policy, dir_refused) = (follow.clone(), Arc::clone(&refused));
    builder
        .hidden(false)
        .ignore(respect)
        .git_ignore(respect)
        .git_global(respect)
        .git_exclude(respect)
        .parents(respect)
        .follow_links(options.follow_links)
        .threads(options.threads)
        .filter_entry(move |e| {
            if e.file_name() == ".git" || (e.depth() > 0 && is_nested_root(e, &nested)) {
                return false;
            }
            let Some(policy) = dir_policy.as_deref().filter(|_| e.path_is_symlink()) else {
                return true;
            };
            match policy.check(e.path()) {
                Ok(_) => true,
                Err(why) => {
                    let w = Warning::new(display_path(e.path()), why);
                    dir_refused
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(w);
                    false
                }
            }
        });
    let max = options.max_filesize;
    let (follow, named) = (follow.as_deref(), &named);
    builder.build_parallel().run(|| {
        Box::new(move |entry| {
            match entry {
                Ok(entry) => {
                    if entry.path().to_str().is_none()
                        && entry.file_type().is_some_and(|t| t.is_file())
                    {
                        visit(Err(Warning::new(
                            display_path(entry.path()),
                            "file name is not valid UTF-8: reported with U+FFFD in its place",
                        )));
                    }
                    let links = follow.or_else(|| is_link(&entry).then_some(named));
                    if let Some(item) = read_entry(entry.path(), entry.file_type(), max, links) {
                        visit(item);
                    }
                }
                Err(err) => visit(Err(walk_warning(&err))),
            }
            WalkState::Continue
        })
    });
    for w in std::mem::take(&mut *refused.lock().unwrap_or_else(|p| p.into_inner())) {
        visit(Err(w));
    }
}

/// The paths to walk, so that each file is read once (D24): a path naming what an earlier
/// one does (`d1 ./d1`) is dropped; a path inside another (`d1 d1/sub`, in either order) is
/// walked on its own, under its own spelling, and the identities (device, inode) of such
/// paths are returned for the outer walk to pass over. Decided before the walk, so which name
/// a file is reported under never depends on thread timing.
fn distinct_roots(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(u64, u64)>) {
    let mut roots: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    for p in paths {
        let real = std::fs::canonicalize(p).ok();
        if real.is_some() && roots.iter().any(|(_, r)| *r == real) {
            continue;
        }
        roots.push((p.clone(), real));
    }
    let reals: Vec<&PathBuf> = roots.iter().filter_map(|(_, r)| r.as_ref()).collect();
    let nested = reals
        .iter()
        .filter(|r| reals.iter().any(|o| r.starts_with(o) && r != &o))
        .filter_map(|r| std::fs::metadata(r).ok().as_ref().and_then(identity))
        .collect();
    (roots.into_iter().map(|(p, _)| p).collect(), nested)
}

/// Is `entry` one of the `nested` roots (walked on its own)? Its inode, known from the
/// directory listing, rules out almost every entry without a `stat`.
fn is_nested_root(entry: &ignore::DirEntry, nested: &[(u64, u64)]) -> bool {
    if nested.is_empty() {
        return false;
    }
    let maybe = entry.path_is_symlink()
        || listed_ino(entry).is_none_or(|ino| nested.iter().any(|(_, i)| *i == ino));
    maybe
        && std::fs::metadata(entry.path())
            .ok()
            .as_ref()
            .and_then(identity)
            .is_some_and(|id| nested.contains(&id))
}

#[cfg(unix)]
fn listed_ino(entry: &ignore::DirEntry) -> Option<u64> {
    entry.ino()
}

#[cfg(not(unix))]
fn listed_ino(_: &ignore::DirEntry) -> Option<u64> {
    None
}

/// Was `entry` reached through a symlink? The walker follows a link named on the command
/// line without saying so.
fn is_link(entry: &ignore::DirEntry) -> bool {
    entry.path_is_symlink()
        || (entry.depth() == 0
            && std::fs::symlink_metadata(entry.path()).is_ok_and(|m| m.is_symlink()))
}

/// Reads one walked file. `links`: the policy its real path is checked against, when a
/// link may be involved.
fn read_entry(
    path: &Path,
    file_type: Option<std::fs::FileType>,
    max: u64,
    links: Option<&LinkPolicy>,
) -> Option<Item> {
    let display = display_path(path);
    let ft = file_type?;
    if ft.is_dir() {
        return None;
    }
    if ft.is_symlink() {
        // A symlink reaches here only without --follow: skipped, as ripgrep does, but said,
        // naming the link and nothing of where it leads.
        return Some(Err(Warning::new(display, SKIPPED_LINK)));
    }
    let through_link = match links.map(|l| l.check(path)) {
        Some(Err(why)) => return Some(Err(Warning::new(display, why))),
        Some(Ok(checked)) => checked,
        None => None,
    };
    if !ft.is_file() {
        return Some(Err(Warning::new(
            display,
            "skipped: not a regular file (FIFO, socket or device)",
        )));
    }
    let (file, size) = match &through_link {
        Some(checked) => match std::fs::metadata(path) {
            Ok(meta) => (checked.open(), meta.len()),
            Err(e) => return Some(Err(Warning::new(display, format!("cannot read: {e}")))),
        },
        // Opened first, its size from its own handle: one path lookup, where a `stat` of the
        // path before the open took two (a tenth of the system time on a tree of small files).
        None => match File::open(path).and_then(|f| Ok((f.metadata()?.len(), f))) {
            Ok((size, file)) => (Ok(file), size),
            Err(e) => return Some(Err(unopened(display, path, &e, max))),
        },
    };
    if size > max {
        return Some(Err(over_max(display, &size.to_string(), max)));
    }
    // The size checked above is only what the file said: read no more than the limit.
    Some(match file.and_then(|f| read_file(f, size, max)) {
        Ok((bytes, false)) => Ok(Blob {
            origin: Origin::file(display),
            bytes,
        }),
        Ok((_, true)) => Err(over_max(display, &format!("more than {max}"), max)),
        Err(e) => Err(Warning::new(display, format!("cannot read: {e}"))),
    })
}

/// The warning for a file that could not be opened or `fstat`ed: what a `stat` of its path
/// says first (a file over `--max-filesize` is skipped as such even when unreadable), else
/// `error`.
fn unopened(display: String, path: &Path, error: &std::io::Error, max: u64) -> Warning {
    match std::fs::metadata(path) {
        Err(e) => Warning::new(display, format!("cannot read: {e}")),
        Ok(meta) if meta.len() > max => over_max(display, &meta.len().to_string(), max),
        Ok(_) => Warning::new(display, format!("cannot read: {error}")),
    }
}

fn over_max(display: String, size: &str, max: u64) -> Warning {
    Warning::new(
        display,
        format!("skipped: {size} bytes is over --max-filesize ({max} bytes)"),
    )
}

/// The path as reported: `./` removed, `/` separators, lossy if not UTF-8.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    if cfg!(windows) {
        s.replace('\\', "/")
    } else {
        s.to_string()
    }
}

fn walk_warning(err: &ignore::Error) -> Warning {
    match err {
        ignore::Error::WithPath { path, err } => Warning::new(display_path(path), err.to_string()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_warning(err)
        }
        ignore::Error::Loop { ancestor, child } => Warning::new(
            display_path(child),
            format!("skipped: symlink loop back to {}", display_path(ancestor)),
        ),
        ignore::Error::Io(e) => Warning::new("walk", e.to_string()),
        other => Warning::new("walk", other.to_string()),
    }
}
