//! Git plumbing shared by the history and staged sources: opening a repository, reading one
//! blob within `--max-filesize`, HEAD's tree, and a commit's provenance ([`CommitInfo`]).
//!
//! Owns the rule that a repository handle is per thread: `git2::Repository` is `Send`, not
//! `Sync`, so parallel workers each call [`reopen`] on the path [`open`] resolved. Owns which
//! repository a run means: `GIT_DIR` (and `GIT_WORK_TREE`, `GIT_OBJECT_DIRECTORY`, ...) when
//! set, as git does, else the one at or above the path; and a repository libgit2 cannot read
//! (SHA-256 object format) is told apart from no repository ([`Opened`]). It must not print;
//! an unreadable object is an [`Unread`] for the caller to judge, never fatal here.

use std::path::{Path, PathBuf};

use git2::{Commit, ObjectType, Oid, Repository, Tree};

use crate::error::{Error, Warning};
use crate::model::commit::CommitInfo;

/// Opens the repository a run on `path` means, as `git` would find it: the one `GIT_DIR`
/// names when it is set (with `GIT_WORK_TREE`, `GIT_OBJECT_DIRECTORY`, `GIT_NAMESPACE`, ...;
/// `path` is then not searched, as `git -C path` would not), else the one at or above `path`
/// (a work tree, a subdirectory of one, or a bare repository).
///
/// Also turns off libgit2's SHA-1 re-check of every object read (process-wide): it was a
/// seventh of a full-history scan, and zlib's own checksum still catches a damaged object.
/// A scanner needs the bytes, not proof that they hash to their name.
///
/// And turns off libgit2's object cache (process-wide too): a history walk reads each tree
/// and commit about once, so the cache (up to 256 MiB per handle, one handle per worker) only
/// grew with history — on the 20,100-commit bench repository it was half of the anonymous
/// memory (57 → 29 MB peak) and saved no time. Packs keep their own bounded delta-base cache.
///
/// And caps the pack memory libgit2 maps (`cap_pack_windows`).
///
/// A repository in another object format (SHA-256), which libgit2 cannot read, is an error
/// that says so and what to do instead.
pub fn open(path: &Path) -> Result<Repository, Error> {
    match open_any(path)? {
        Opened::Repo(repo) => Ok(repo),
        Opened::ObjectFormat { format, source, .. } => Err(Error::Git {
            context: format!(
                "{path}: a {} repository (extensions.objectformat = {format}): keyleak's git \
                 reader (libgit2) reads SHA-1 repositories only; scan the work tree with \
                 `keyleak scan {path}` instead (`--staged` works, through the git command)",
                format.to_uppercase().replace("SHA", "SHA-"),
                path = path.display(),
            ),
            source,
        }),
    }
}

/// What [`open_any`] found.
pub enum Opened {
    Repo(Repository),
    /// A repository whose object format libgit2 cannot read (`extensions.objectformat`).
    ObjectFormat {
        /// Its git directory, absolute.
        git_dir: PathBuf,
        /// `sha256`, lower case as configured.
        format: String,
        /// libgit2's refusal.
        source: git2::Error,
    },
}

/// [`open`], but a SHA-256 repository is an [`Opened::ObjectFormat`] for the caller to handle.
pub fn open_any(path: &Path) -> Result<Opened, Error> {
    if std::fs::symlink_metadata(path).is_err() {
        return Err(Error::PathNotFound(path.to_path_buf()));
    }
    git2::opts::strict_hash_verification(false);
    git2::opts::enable_caching(false);
    cap_pack_windows();
    let opened = if git_dir_from_env() {
        Repository::open_from_env()
    } else {
        Repository::discover(path)
    };
    let source = match opened {
        Ok(repo) => return Ok(Opened::Repo(repo)),
        Err(source) => source,
    };
    let format = find_git_dir(path).and_then(|dir| Some((object_format(&dir)?, dir)));
    match format {
        Some((format, git_dir)) if !format.eq_ignore_ascii_case("sha1") => {
            Ok(Opened::ObjectFormat {
                git_dir,
                format: format.to_ascii_lowercase(),
                source,
            })
        }
        _ => Err(Error::NotARepo {
            path: match std::env::var_os("GIT_DIR") {
                Some(dir) if git_dir_from_env() => {
                    format!("GIT_DIR={}", Path::new(&dir).display())
                }
                _ => path.display().to_string(),
            },
            source,
        }),
    }
}

/// How much of its pack files libgit2 keeps mapped at once (process-wide, every handle), and
/// in windows of what size. Its defaults (8 GiB in 1 GiB windows) map a whole pack and keep
/// it mapped: every page read stays in the process's resident set, so peak RSS grew with the
/// pack (git/git's 500 MB pack: 639 MB peak). Least recently used windows beyond the limit
/// are unmapped; the pages stay in the page cache, so mapping one again costs a system call
/// and page faults, which reading blobs in pack order keeps rare. Measured on git/git with
/// pack order (issue 18): 639 → 174 MB peak RSS, user+sys 70 → 57 s, findings identical.
/// Windows of 1 MiB rather than 16: the plan reads trees and commits scattered over the pack,
/// and four large windows were re-mapped (and their pages faulted in) over and over; 64 small
/// ones keep the hot spots mapped (plan system time on git/git 3.1 → 1.0 s). Since trees and
/// blobs are read by `source::git::pack`, libgit2 reads commits (and what that reader
/// declines): 32 MB then kept the same speed as 64 and 37 MB less peak RSS (with the reader's
/// cache sizes, git/git 175 → 138 MB, botocore 190 → 154 MB).
const PACK_WINDOW: usize = 1 << 20;
const PACK_MAPPED_LIMIT: usize = 32 << 20;

/// Sets [`PACK_WINDOW`] and [`PACK_MAPPED_LIMIT`], once, before any pack is read.
#[allow(unsafe_code)]
fn cap_pack_windows() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: git2 marks these unsafe because libgit2 reads the two values without a lock
        // while it maps pack windows. They are set once, by the first `open`, before this
        // process opens any repository, so no other thread is reading a pack yet. A refusal
        // (libgit2 never refuses these two) would leave its defaults: more memory, same
        // findings.
        unsafe {
            let _ = git2::opts::set_mwindow_size(PACK_WINDOW);
            let _ = git2::opts::set_mwindow_mapped_limit(PACK_MAPPED_LIMIT);
        }
    });
}

/// `GIT_DIR` is set (and not empty): it names the repository, as it does for git.
fn git_dir_from_env() -> bool {
    std::env::var_os("GIT_DIR").is_some_and(|d| !d.is_empty())
}

/// The git directory git would use for `path`, found without libgit2 (which refuses to open
/// a SHA-256 repository at all): `GIT_DIR` when set, else the first of `path` and its
/// ancestors that has a `.git` directory or `gitdir:` file, or is a git directory itself.
fn find_git_dir(path: &Path) -> Option<PathBuf> {
    if git_dir_from_env() {
        return std::path::absolute(std::env::var_os("GIT_DIR")?).ok();
    }
    let start = std::fs::canonicalize(path).ok()?;
    for dir in start.ancestors() {
        let dot_git = dir.join(".git");
        if dot_git.is_dir() {
            return Some(dot_git);
        }
        if let Ok(text) = std::fs::read_to_string(&dot_git) {
            let target = text.strip_prefix("gitdir:")?.trim();
            return Some(dir.join(target));
        }
        if dir.join("HEAD").is_file() && dir.join("objects").is_dir() {
            return Some(dir.to_path_buf());
        }
    }
    None
}

/// `extensions.objectformat` of the repository at `git_dir` (a linked worktree's is in the
/// common directory), when it is set.
fn object_format(git_dir: &Path) -> Option<String> {
    let common = match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(rel) => git_dir.join(rel.trim()),
        Err(_) => git_dir.to_path_buf(),
    };
    let config = git2::Config::open(&common.join("config")).ok()?;
    config.get_string("extensions.objectformat").ok()
}

/// Another handle on the repository `repo` is: one per worker thread. Under `GIT_DIR` it is
/// opened from the environment again, so alternates and object directories set there apply.
pub fn reopen(git_dir: &Path) -> Result<Repository, git2::Error> {
    if git_dir_from_env() {
        Repository::open_from_env()
    } else {
        Repository::open(git_dir)
    }
}

/// The `.git` directory (or the bare repository) to reopen in workers.
pub fn git_dir(repo: &Repository) -> PathBuf {
    repo.path().to_path_buf()
}

/// HEAD's tree, or `None` when HEAD is unborn (a repository without commits).
pub fn head_tree(repo: &Repository) -> Option<Tree<'_>> {
    repo.head().ok()?.peel_to_tree().ok()
}

/// How a blob is named in warnings: its path where known, and its object id.
pub fn blob_subject(path: &str, oid: Oid) -> String {
    format!("{path} (blob {oid})")
}

/// Why a blob was not read.
#[derive(Debug)]
pub enum Unread {
    /// Left out on purpose: larger than `--max-filesize`.
    Skipped(Warning),
    /// Missing, corrupt, or not a blob: what it holds is unknown.
    Broken(Warning),
}

impl Unread {
    pub fn into_warning(self) -> Warning {
        match self {
            Unread::Skipped(w) | Unread::Broken(w) => w,
        }
    }
}

/// Reads one blob whole, unless it is larger than `max_size` or cannot be read.
pub fn read_blob(
    repo: &Repository,
    oid: Oid,
    max_size: u64,
    path: &str,
) -> Result<Vec<u8>, Unread> {
    let broken = |message: String| Unread::Broken(Warning::new(blob_subject(path, oid), message));
    let odb = repo
        .odb()
        .map_err(|e| broken(format!("cannot open the object database: {e}")))?;
    let header =
        without_panic(|| odb.read_header(oid)).ok_or_else(|| broken(CORRUPT_TYPE.to_string()))?;
    let (size, kind) =
        header.map_err(|e| broken(format!("missing or corrupt object: {}", e.message())))?;
    if kind != ObjectType::Blob {
        return Err(broken(format!("expected a blob, found a {kind}")));
    }
    if size as u64 > max_size {
        return Err(too_large(path, oid, size as u64, max_size));
    }
    let object = odb
        .read(oid)
        .map_err(|e| broken(format!("missing or corrupt object: {}", e.message())))?;
    Ok(object.data().to_vec())
}

/// The blob `oid` at `path` was left out: `size` bytes, over `--max-filesize`.
pub fn too_large(path: &str, oid: Oid, size: u64, max_size: u64) -> Unread {
    Unread::Skipped(Warning::new(
        blob_subject(path, oid),
        format!("skipped: {size} bytes is over --max-filesize ({max_size} bytes)"),
    ))
}

/// What a damaged object whose type is none of git's is called in warnings.
pub const CORRUPT_TYPE: &str = "corrupt object: its type is none of git's";

/// Runs `f`, which calls a git2 function that panics on an object type it does not know
/// (`Odb::read_header` and `OdbObject::kind` unwrap it; a damaged pack entry can hold one):
/// `None` instead of a panic, and without the panic's message on stderr. A scanner must read
/// a damaged repository, not crash on it.
pub fn without_panic<T>(f: impl FnOnce() -> T) -> Option<T> {
    thread_local! {
        static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result.ok()
}

/// The blob at `path` in `tree`, if there is one (a file, not a directory or submodule).
pub fn blob_at(tree: &Tree<'_>, path: &str) -> Option<Oid> {
    let entry = tree.get_path(Path::new(path)).ok()?;
    (entry.kind() == Some(ObjectType::Blob)).then(|| entry.id())
}

/// The provenance of `commit`, `walk_index` in the oldest-first walk.
pub fn commit_info(commit: &Commit<'_>, walk_index: u32) -> CommitInfo {
    let author = commit.author();
    CommitInfo {
        id: commit.id().to_string(),
        author_name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        author_email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        author_time: author.when().seconds(),
        author_offset_minutes: author.when().offset_minutes(),
        committer_time: commit.time().seconds(),
        walk_index,
    }
}
