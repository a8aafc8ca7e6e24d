//! The repositories of a multi-repository scan (`--repos FILE`, `--repos-under DIR`) and the
//! shard of them a run takes (`--shard K/N`).
//!
//! Owns reading the list, finding repositories below a directory and the stable shard hash.
//! It must not open, clone or scan a repository: it only names them ([`RepoSpec`]); the scan
//! driver opens each, and `git::mirror` clones URLs.
//!
//! A shard is chosen by the SHA-256 of the repository's shard key (its line in the list with
//! a trailing `/` and `.git` dropped, or its path relative to `--repos-under`'s DIR), never by
//! its position, so adding or removing a repository moves no other one between shards, and
//! machines that mount DIR at different places still agree.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::Warning;

/// One repository to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoSpec {
    /// As reports name it (`repository`): the path, or the URL without its user and password.
    pub name: String,
    /// What the shard is chosen by.
    pub shard_key: String,
    pub source: RepoSource,
}

/// Where a repository is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoSource {
    /// A repository on this machine: a work tree, or a bare repository.
    Local(PathBuf),
    /// A git URL (`https://`, `ssh://`, `git://`, `file://`, scp-like `git@host:org/repo`),
    /// as written: cloned as a mirror before the scan.
    Remote(String),
}

/// `--shard K/N`: the K-th (1-based) of N shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Parses `K/N` with `1 ≤ K ≤ N`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("`{text}`: expected K/N with 1 ≤ K ≤ N (e.g. 1/4)");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether this shard takes the repository with `key`.
    pub fn holds(&self, key: &str) -> bool {
        let digest = Sha256::digest(key.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % self.count == self.index - 1
    }
}

/// The repositories a `--repos` list names, in its order: one per line, blank lines and `#`
/// comments skipped, surrounding spaces trimmed. A path is taken as written (relative to the
/// current directory).
pub fn parse_list(text: &str) -> Vec<RepoSpec> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let (name, source) = match is_url(line) {
                true => (without_userinfo(line), RepoSource::Remote(line.to_string())),
                false => (line.to_string(), RepoSource::Local(PathBuf::from(line))),
            };
            // By the name: a token rotated in the URL moves nothing.
            let shard_key = name.trim_end_matches('/');
            let shard_key = shard_key
                .strip_suffix(".git")
                .unwrap_or(shard_key)
                .to_string();
            RepoSpec {
                name,
                shard_key,
                source,
            }
        })
        .collect()
}

/// A git URL rather than a path: `scheme://…`, or scp-like `host:path` (a `:` before any
/// `/`, and more than one character before it, so `C:\repo` stays a path).
pub fn is_url(line: &str) -> bool {
    if line.contains("://") {
        return true;
    }
    match line.split_once(':') {
        Some((before, _)) => before.len() > 1 && !before.contains('/') && !before.contains('\\'),
        None => false,
    }
}

/// The URL without `user:password@`: what reports and warnings show, so a token written in
/// the list never reaches a report.
pub fn without_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{scheme}://{host}{path}")
}

/// Every git repository below `dir`, sorted by path: a directory holding `.git` (a work
/// tree), or a bare repository (`HEAD`, `objects/` and `refs/`). A repository's own tree is
/// not searched further (vendored or nested repositories are its content, scanned as its
/// history has them). Symbolic links are not followed. Unreadable directories are warnings.
pub fn find_under(dir: &Path) -> (Vec<RepoSpec>, Vec<Warning>) {
    let mut found = Vec::new();
    let mut warnings = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(here) = pending.pop() {
        if is_repository(&here) {
            let relative = here.strip_prefix(dir).unwrap_or(&here);
            let key = relative.to_string_lossy().replace('\\', "/");
            found.push(RepoSpec {
                name: here.display().to_string(),
                shard_key: if key.is_empty() { ".".into() } else { key },
                source: RepoSource::Local(here.clone()),
            });
            continue;
        }
        let entries = match std::fs::read_dir(&here) {
            Ok(e) => e,
            Err(e) => {
                warnings.push(Warning::new(here.display().to_string(), e.to_string()));
                continue;
            }
        };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                pending.push(entry.path());
            }
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    (found, warnings)
}

/// A work tree (`.git` here, a directory or a `gitdir:` file) or a bare repository.
fn is_repository(dir: &Path) -> bool {
    dir.join(".git").exists()
        || (dir.join("HEAD").is_file() && dir.join("objects").is_dir() && dir.join("refs").is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards() {
        assert_eq!(Shard::parse("1/4"), Ok(Shard { index: 1, count: 4 }));
        assert_eq!(Shard::parse("4/4"), Ok(Shard { index: 4, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "1", "a/b", "", "-1/4"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        // Every key lands in exactly one shard, and the same one every time.
        let shards: Vec<Shard> = (1..=4).map(|k| Shard { index: k, count: 4 }).collect();
        for i in 0..200 {
            let key = format!("github.com/org/repo-{i}");
            assert_eq!(shards.iter().filter(|s| s.holds(&key)).count(), 1, "{key}");
        }
        // Pinned (the first 8 bytes of SHA-256, big-endian, modulo N): a change of hash would
        // move every repository of a running audit to another shard.
        let at = |key: &str| shards.iter().position(|s| s.holds(key)).unwrap() + 1;
        let keys: Vec<String> = (0..12).map(|i| format!("repo-{i}")).collect();
        let placed: Vec<usize> = keys.iter().map(|k| at(k)).collect();
        assert_eq!(placed, PINNED);
    }
    const PINNED: [usize; 12] = [2, 3, 2, 2, 3, 3, 1, 2, 4, 1, 4, 4];

    #[test]
    fn list_lines() {
        let list = parse_list(
            "# org\n\n  repos/app  \nhttps://x:tok@github.com/org/api.git\ngit@github.com:org/web.git/\nC:\\r\n",
        );
        let names: Vec<(&str, &str)> = list
            .iter()
            .map(|r| (r.name.as_str(), r.shard_key.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("repos/app", "repos/app"),
                (
                    "https://github.com/org/api.git",
                    "https://github.com/org/api"
                ),
                ("git@github.com:org/web.git/", "git@github.com:org/web"),
                ("C:\\r", "C:\\r"),
            ]
        );
        assert_eq!(list[0].source, RepoSource::Local("repos/app".into()));
        assert_eq!(
            list[1].source,
            RepoSource::Remote("https://x:tok@github.com/org/api.git".into())
        );
        assert!(matches!(list[2].source, RepoSource::Remote(_)));
        assert!(matches!(list[3].source, RepoSource::Local(_)));
    }
}
