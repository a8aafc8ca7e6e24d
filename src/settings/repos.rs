//! `--repos FILE`, `--repos-under DIR`, `--clone-dir` and `--shard K/N` into a [`RepoList`]:
//! the repositories this run scans, in order, and where URLs are cloned. Reading the list
//! file or DIR happens here, so a list that cannot be read ends the run before any scan
//! (exit 2); a repository in it that cannot be scanned is the scan's warning, later.

use std::path::{Path, PathBuf};

use crate::cli::ScanArgs;
use crate::error::{Error, Warning};
use crate::source::repos::{self, RepoSpec, Shard};

/// The repositories of a multi-repository scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoList {
    /// This shard's repositories (all of them without `--shard`), in list order, or sorted
    /// by path for `--repos-under`.
    pub repos: Vec<RepoSpec>,
    /// Where URLs are cloned.
    pub clone_dir: PathBuf,
    /// Directories below `--repos-under` that could not be read.
    pub warnings: Vec<Warning>,
    /// `--shard K/N`.
    pub shard: Option<Shard>,
}

/// The list the flags ask for; `None` without `--repos` and `--repos-under`.
pub fn resolve(args: &ScanArgs) -> Result<Option<RepoList>, Error> {
    let shard = match &args.shard {
        Some(text) => Some(Shard::parse(text).map_err(|message| Error::Usage {
            flag: "--shard",
            message,
        })?),
        None => None,
    };
    let (all, warnings) = match (&args.repos, &args.repos_under) {
        (Some(file), _) => {
            let text = std::fs::read_to_string(file).map_err(|e| Error::Usage {
                flag: "--repos",
                message: format!("cannot read {}: {e}", file.display()),
            })?;
            (repos::parse_list(&text), Vec::new())
        }
        (None, Some(dir)) => {
            if !dir.is_dir() {
                return Err(Error::PathNotFound(dir.clone()));
            }
            repos::find_under(dir)
        }
        (None, None) => {
            let flag = if shard.is_some() {
                "--shard"
            } else if args.clone_dir.is_some() {
                "--clone-dir"
            } else {
                return Ok(None);
            };
            return Err(Error::Usage {
                flag,
                message: "applies to --repos FILE or --repos-under DIR".into(),
            });
        }
    };
    let repos = all
        .into_iter()
        .filter(|r| shard.is_none_or(|s| s.holds(&r.shard_key)))
        .collect();
    Ok(Some(RepoList {
        repos,
        clone_dir: args.clone_dir.clone().unwrap_or_else(default_clone_dir),
        warnings,
        shard,
    }))
}

/// `$XDG_CACHE_HOME/keyleak/clones`, else `$HOME/.cache/keyleak/clones`, else
/// `.keyleak-clones` in the current directory.
fn default_clone_dir() -> PathBuf {
    let non_empty = |v: &str| std::env::var_os(v).filter(|s| !s.is_empty());
    let cache = non_empty("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| non_empty("HOME").map(|h| Path::new(&h).join(".cache")));
    match cache {
        Some(dir) => dir.join("keyleak").join("clones"),
        None => PathBuf::from(".keyleak-clones"),
    }
}
