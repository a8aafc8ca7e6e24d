//! Which blobs a git history holds, and where each was first introduced (`scan --git`).
//!
//! Owns the walk and the attribution rules; reads no blob contents and knows nothing about
//! keys. [`plan`] walks the chosen commits oldest first (topological, then commit time) and
//! diffs each commit's tree against all its parents, descending only into subtrees whose id
//! differs: a blob is *introduced* at a path by a commit when no parent has that blob at that
//! path. The result maps each unique blob id to the `(path, commit)` pairs that introduced it,
//! keeping the oldest commit per pair, so the scanner reads each blob once however many
//! branches, tags and paths hold it.
//!
//! Rules, documented in docs/git.md:
//! - Refs: every reference (branches, tags, remote-tracking, notes, stash) plus HEAD, even
//!   detached; `--ref` limits the tips; `--since REV` hides what REV reaches (`base`: an
//!   all-zero REV hides the other remote-tracking branches; a missing one is a fatal error).
//! - What no commit reaches is planned too (`tags`): a blob a ref points at (directly or
//!   through tags) is introduced at `<ref NAME>`, a tree's blobs at `<ref NAME>:dir/file` —
//!   with no commit, and only when no walked commit introduced the same blob.
//! - Commit and annotated-tag objects are texts to scan ([`Text`]): `<commit ID>` (the commit
//!   as `git cat-file commit` prints it: headers, author, message), read by the same walk that
//!   diffs the commit, so only commits in the range; `<tag NAME>` for each tag object the refs
//!   lead through, unless it ends at a commit the walk left out. A [`TextFilter`] from the
//!   driver drops texts with nothing worth scanning as they are read, so they never pile up.
//! - Exact renames and moves keep their attribution: a blob that appears at a new path in the
//!   same commit that removed it from another path (compared with the first parent) is
//!   attributed to the commit that introduced it at the old path; when that commit is outside
//!   the walk (`--since`), the move adds nothing new and is skipped. A rename with edits is a
//!   new blob, attributed to the commit that made it.
//! - Submodules (gitlinks) are not entered. Symlinks are blobs (their target) and are scanned.
//! - A missing or corrupt commit or tree is a `Warning`; the walk goes on without it (when
//!   libgit2's revwalk gives up on one, `tolerant_walk` walks around it).

mod base;
mod diff;
mod fold;
mod pack_order;
mod raw_tree;
mod tags;
mod tolerant_walk;

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::Ordering;

use git2::{Oid, Repository, Sort};
use rayon::prelude::*;

use crate::error::{Error, Warning};
use crate::progress::Counters;
use crate::source::git::pack::{self, Place};
use crate::source::git::repo::reopen;
use diff::CommitDiff;
use fold::{Fold, PathTable};
use tags::End;

/// Which commits to walk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Revisions whose history is walked; empty means every reference and HEAD.
    pub tips: Vec<String>,
    /// Commits reachable from this revision are left out (`--since`, the `A` of `A..B`); all
    /// zeros means no base (see `base`).
    pub since: Option<String>,
    /// The tips and the base came from `--range BASE..HEAD`: errors name that flag.
    pub range: bool,
}

impl Selection {
    /// The flag that named the base, for messages.
    fn base_flag(&self) -> &'static str {
        if self.range { "--range" } else { "--since" }
    }

    /// The flag that named the tips, for messages.
    fn tip_flag(&self) -> &'static str {
        if self.range { "--range" } else { "--ref" }
    }
}

/// One place a blob was introduced: indexes into [`History::paths`] and [`History::commits`];
/// no commit for a blob only a ref reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occurrence {
    pub path: u32,
    pub commit: Option<u32>,
}

/// A commit's or annotated tag's own text, to scan like a blob.
#[derive(Debug, Clone)]
pub struct Text {
    /// `<commit ID>` or `<tag NAME>`.
    pub path: String,
    /// The commit (walk index) for a commit's text; none for a tag's.
    pub commit: Option<u32>,
    pub bytes: Vec<u8>,
}

/// Which commit and tag texts are kept for scanning.
pub struct TextFilter<'a> {
    /// The driver's test: true for a text worth scanning.
    pub keep: &'a (dyn Fn(&[u8]) -> bool + Sync),
    /// `--max-filesize`: a longer text is skipped with a warning.
    pub max_size: u64,
}

impl TextFilter<'_> {
    /// `len` bytes named `subject` are within `--max-filesize`; else a warning.
    fn fits(&self, subject: &str, len: usize, warnings: &mut Vec<Warning>) -> bool {
        let fits = len as u64 <= self.max_size;
        if !fits {
            let message = format!(
                "skipped: {len} bytes is over --max-filesize ({} bytes)",
                self.max_size
            );
            warnings.push(Warning::new(subject, message));
        }
        fits
    }
}

/// A unique blob and every `(path, oldest introducing commit)` pair it has.
#[derive(Debug, Clone)]
pub struct BlobJob {
    pub oid: Oid,
    /// Sorted by path.
    pub occurrences: Vec<Occurrence>,
    /// Where [`History::packs`] store it; `None` when no pack index lists it.
    pub place: Option<Place>,
}

/// What [`plan`] found.
#[derive(Debug, Default)]
pub struct History {
    /// Walk order, oldest first; an [`Occurrence::commit`] indexes here.
    pub commits: Vec<Oid>,
    /// Display paths (lossy UTF-8, `/` separators); an [`Occurrence::path`] indexes here.
    pub paths: Vec<String>,
    /// In the order the packs store them (`pack_order`), so reading follows the packs.
    pub blobs: Vec<BlobJob>,
    /// The pack index files that [`BlobJob::place`]s number (`pack::indexes`).
    pub packs: Vec<PathBuf>,
    /// Commit texts in walk order, then tag texts by name.
    pub texts: Vec<Text>,
    pub warnings: Vec<Warning>,
    /// What the walk chose that was not asked for in so many words (an all-zero base), for
    /// `keyleak: note: …`.
    pub notes: Vec<String>,
}

impl History {
    /// The heap bytes the plan holds while blobs are read (`--stats`): blob ids with their
    /// occurrences, interned paths, commit ids and kept texts, by capacity.
    pub fn heap_bytes(&self) -> u64 {
        use std::mem::size_of;
        let paths: usize = self
            .paths
            .iter()
            .map(|p| size_of::<String>() + p.capacity())
            .sum();
        let blobs: usize = self
            .blobs
            .iter()
            .map(|b| b.occurrences.capacity() * size_of::<Occurrence>())
            .sum::<usize>()
            + self.blobs.capacity() * size_of::<BlobJob>();
        let texts: usize = self
            .texts
            .iter()
            .map(|t| size_of::<Text>() + t.path.capacity() + t.bytes.capacity())
            .sum();
        let commits = self.commits.capacity() * size_of::<Oid>();
        (paths + blobs + texts + commits) as u64
    }
}

/// Walks the selected history and maps every introduced blob to where it came in. Commits are
/// diffed in parallel on `pool` (one repository handle per worker), in chunks so memory stays
/// bounded, then folded in walk order.
pub fn plan(
    repo: &Repository,
    selection: &Selection,
    texts: &TextFilter<'_>,
    pool: &rayon::ThreadPool,
    counters: &Counters,
) -> Result<History, Error> {
    let git = |context: &str| {
        let context = context.to_string();
        move |source| Error::Git { context, source }
    };
    let mut warnings = Vec::new();
    let mut walk = repo.revwalk().map_err(git("cannot walk history"))?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME | Sort::REVERSE)
        .map_err(git("cannot sort history"))?;
    let mut pushed = Vec::new();
    let tips = tags::tips(repo, selection, &mut warnings)?;
    for &tip in &tips.commits {
        match walk.push(tip) {
            Ok(()) => pushed.push(tip),
            Err(e) => warnings.push(Warning::new(
                format!("commit {tip}"),
                format!("cannot walk from it: {}", e.message()),
            )),
        }
    }
    let hidden = base::hidden(repo, selection, &tips.commits)?;
    for &commit in &hidden.commits {
        walk.hide(commit)
            .map_err(git(&format!("cannot hide {}", selection.base_flag())))?;
    }
    let shallow = repo.is_shallow();
    if shallow {
        warnings.push(Warning::new(
            "repository",
            "shallow clone: history before the shallow boundary is not here and was not scanned; \
             what the boundary commits hold is attributed to them",
        ));
    }
    let mut commits = Vec::new();
    for next in walk {
        match next {
            Ok(oid) => commits.push(oid),
            Err(e) => {
                // One damaged commit ends libgit2's sorted walk before it yields anything:
                // walk again, commit by commit, around what cannot be read.
                warnings.push(Warning::new(
                    "history walk",
                    format!(
                        "{}: walked again commit by commit, skipping what cannot be read",
                        e.message()
                    ),
                ));
                commits =
                    tolerant_walk::walk(repo, &pushed, &hidden.commits, shallow, &mut warnings);
                break;
            }
        }
    }
    // The revwalk's commit nodes (30 MB on git/git) are freed now, below what comes next.
    crate::memory::release();
    let git_dir = repo.path().to_path_buf();
    // One repository handle and tree cache per pool thread, kept across chunks: a commit's
    // parent is often one the same thread diffed shortly before.
    let packs = pack::indexes(&repo.commondir().join("objects"));
    let readable = pack::Packs::open(&packs);
    let workers: Vec<Mutex<Option<Worker>>> = (0..pool.current_num_threads().max(1))
        .map(|_| Mutex::new(None))
        .collect();
    let mut fold = Fold::default();
    for (chunk_no, chunk) in commits.chunks(DIFF_CHUNK).enumerate() {
        let diffs: Vec<CommitDiff> = pool.install(|| {
            chunk
                .par_iter()
                .map(|&oid| {
                    let slot = rayon::current_thread_index().unwrap_or(0) % workers.len();
                    let mut worker = workers[slot].lock().unwrap_or_else(|e| e.into_inner());
                    let (repo, recent, reader) = worker.get_or_insert_with(|| {
                        (
                            reopen(&git_dir),
                            diff::Recent::default(),
                            readable.reader(TREE_CACHE),
                        )
                    });
                    let diff = match repo {
                        Ok(repo) => diff::commit(repo, recent, reader, oid, shallow, texts),
                        Err(e) => CommitDiff::failed(oid, e),
                    };
                    counters.commits.fetch_add(1, Ordering::Relaxed);
                    diff
                })
                .collect()
        });
        for (i, diff) in diffs.into_iter().enumerate() {
            let index = u32::try_from(chunk_no * DIFF_CHUNK + i).expect("fewer than 2^32 commits");
            fold.add(index, diff);
        }
        // Trees of every size come and go in the workers' arenas: hand back the holes.
        crate::memory::release();
    }
    // The workers' repository handles and tree caches are not needed for what follows.
    drop(workers);
    warnings.extend(fold.warnings);
    let mut paths = fold.paths;
    let mut pairs: Vec<(Oid, Occurrence)> = fold
        .first
        .into_iter()
        .map(|((oid, path), commit)| {
            let commit = Some(commit);
            (oid, Occurrence { path, commit })
        })
        .collect();
    let by_blob_and_path = |pairs: &mut Vec<(Oid, Occurrence)>, paths: &PathTable| {
        pairs.sort_unstable_by(|a, b| {
            let name = |o: &Occurrence| paths.names[o.path as usize].as_str();
            (a.0, name(&a.1)).cmp(&(b.0, name(&b.1)))
        });
    };
    by_blob_and_path(&mut pairs, &paths);
    // Blobs only a ref reaches, each once; what a walked commit introduced is scanned already.
    let mut only_refs = Vec::new();
    for (name, end) in &tips.targets {
        let found = match *end {
            End::Blob(oid) => vec![(oid, format!("<ref {name}>").into_bytes())],
            End::Tree(oid) => {
                let (found, problems) = tags::blobs(repo, oid, name);
                warnings.extend(problems);
                let at = |path: Vec<u8>| [format!("<ref {name}>:").into_bytes(), path].concat();
                found.into_iter().map(|(b, p)| (b, at(p))).collect()
            }
            End::Commit(_) => Vec::new(),
        };
        for (oid, path) in found {
            if pairs.binary_search_by(|p| p.0.cmp(&oid)).is_err() {
                let path = paths.id(&path);
                only_refs.push((oid, Occurrence { path, commit: None }));
            }
        }
    }
    if !only_refs.is_empty() {
        pairs.extend(only_refs);
        by_blob_and_path(&mut pairs, &paths);
        pairs.dedup();
    }
    let mut blobs: Vec<BlobJob> = Vec::new();
    for (oid, occ) in pairs {
        match blobs.last_mut() {
            Some(last) if last.oid == oid => last.occurrences.push(occ),
            _ => blobs.push(BlobJob {
                oid,
                occurrences: vec![occ],
                place: None,
            }),
        }
    }
    let blobs = pack_order::sort(&readable, blobs);
    let mut texts_found = fold.texts;
    texts_found.extend(tags::texts(repo, &tips, &commits, texts, &mut warnings));
    Ok(History {
        commits,
        paths: paths.names,
        blobs,
        packs,
        texts: texts_found,
        warnings,
        notes: hidden.note.into_iter().collect(),
    })
}

/// The hasher for the plan's maps: object ids are random already, and paths are short;
/// SipHash's resistance to chosen keys is not worth its cost here.
type FastHash = foldhash::fast::RandomState;

/// A diff worker's repository handle, recently read trees, and pack reader.
type Worker<'p> = (
    Result<Repository, git2::Error>,
    diff::Recent,
    pack::Reader<'p>,
);

/// The bytes of trees each diff worker's pack reader keeps for the deltas that follow them.
/// 16 MiB saved no measurable time on git/git and added 20 MB to its peak RSS.
const TREE_CACHE: usize = 8 << 20;

/// Commits diffed in parallel before their results are folded: bounds what is held at once.
const DIFF_CHUNK: usize = 4096;

/// The error for a revision that names no commit here.
fn not_found(rev: &str, flag: &'static str) -> impl FnOnce(git2::Error) -> Error {
    let context = format!("{flag} {rev}: not a commit in this repository");
    move |source| Error::Git { context, source }
}
