//! Files and directories, walked in parallel with the `ignore` crate (ripgrep's walker).
//!
//! Owns which files are read: `.gitignore`/`.ignore` honoured unless `--no-ignore`, hidden
//! files included (`.env`, `.aws/credentials` and `.github/` are where keys leak), `.git/`
//! never walked, symlinks followed only with `--follow` (loops reported), files over
//! `--max-filesize` and non-regular files (FIFOs, devices) skipped with a warning. Every
//! regular file is read whole, text or binary. It must not print: problems are `Warning`s.

use std::path::{Path, PathBuf};

use ignore::{WalkBuilder, WalkState};

use super::{Blob, Origin};
use crate::error::Warning;
use crate::settings::WalkSettings;

/// What the walk hands to its consumer for each entry worth reporting.
pub type Item = Result<Blob, Warning>;

/// Walks `paths` on `settings.threads` threads, calling `visit` for every file read and every
/// problem met. `visit` runs on the walker's threads.
pub fn walk(paths: &[PathBuf], settings: &WalkSettings, visit: &(dyn Fn(Item) + Sync)) {
    let Some((first, rest)) = paths.split_first() else {
        return;
    };
    let mut builder = WalkBuilder::new(first);
    for p in rest {
        builder.add(p);
    }
    let respect = settings.respect_ignore_files;
    builder
        .hidden(false)
        .ignore(respect)
        .git_ignore(respect)
        .git_global(respect)
        .git_exclude(respect)
        .parents(respect)
        .follow_links(settings.follow_links)
        .threads(settings.threads)
        .filter_entry(|e| e.file_name() != ".git");
    let max = settings.max_filesize;
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
                    if let Some(item) = read_entry(entry.path(), entry.file_type(), max) {
                        visit(item);
                    }
                }
                Err(err) => visit(Err(walk_warning(&err))),
            }
            WalkState::Continue
        })
    });
}

fn read_entry(path: &Path, file_type: Option<std::fs::FileType>, max: u64) -> Option<Item> {
    let display = display_path(path);
    let ft = file_type?;
    if ft.is_dir() || ft.is_symlink() {
        // A symlink reaches here only without --follow: skipped, as ripgrep does.
        return None;
    }
    if !ft.is_file() {
        return Some(Err(Warning::new(
            display,
            "skipped: not a regular file (FIFO, socket or device)",
        )));
    }
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return Some(Err(Warning::new(display, format!("cannot read: {e}")))),
    };
    if meta.len() > max {
        return Some(Err(Warning::new(
            display,
            format!(
                "skipped: {} bytes is over --max-filesize ({max} bytes)",
                meta.len()
            ),
        )));
    }
    Some(match std::fs::read(path) {
        Ok(bytes) => Ok(Blob {
            origin: Origin::file(display),
            bytes,
        }),
        Err(e) => Err(Warning::new(display, format!("cannot read: {e}"))),
    })
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
