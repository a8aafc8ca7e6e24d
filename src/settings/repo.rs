//! The scanned repository's identity for role setups ([`RepoIdentity`]): its `origin`
//! remote as a forge project, and HEAD's branch. Read once per run, before the scan; a path
//! outside any repository, an unreadable repository or an `origin` that is not a forge URL
//! gives `None` in its place, which the role setups show as a placeholder, never a guess.
//!
//! Only the host and the project path are kept from the URL: a user, a password or token in
//! it (`https://user:token@host/...`), a port and anything that is not a plain name are left
//! out, so nothing from the remote's credentials can reach a report.

use std::path::{Path, PathBuf};

use super::Input;
use crate::model::role::{Remote, RepoIdentity};

/// The identity of the repository `input` reads: the one git scans open, the one all the
/// given paths are in (none when they are in different ones), or the current directory's
/// for standard input.
pub fn identity(input: &Input) -> RepoIdentity {
    let dirs: Vec<PathBuf> = match input {
        Input::Git { repo, .. } => vec![repo.clone()],
        Input::Paths(paths) if paths.is_empty() => vec![PathBuf::from(".")],
        Input::Paths(paths) => paths.clone(),
        Input::Stdin => vec![PathBuf::from(".")],
        // Each repository has its own: the scan reads it with `identity_of`.
        Input::Repos { .. } => return RepoIdentity::default(),
    };
    let mut repos = dirs.iter().map(|d| discover(d));
    let Some(Some(first)) = repos.next() else {
        return RepoIdentity::default();
    };
    let first_dir = first.path().to_path_buf();
    if !repos.all(|r| r.is_some_and(|r| r.path() == first_dir)) {
        return RepoIdentity::default();
    }
    read(&first)
}

/// The identity of the repository at `path`, for a multi-repository scan.
pub fn identity_of(path: &Path) -> RepoIdentity {
    discover(path).map_or_else(RepoIdentity::default, |r| read(&r))
}

/// The repository `path` (a file or a directory) is in.
fn discover(path: &Path) -> Option<git2::Repository> {
    let dir = match path.is_dir() {
        true => path,
        false => path.parent().unwrap_or(Path::new("")),
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    git2::Repository::discover(dir).ok()
}

fn read(repo: &git2::Repository) -> RepoIdentity {
    let remote = repo
        .find_remote("origin")
        .ok()
        .and_then(|r| r.url().and_then(parse_remote));
    let head_branch = repo
        .find_reference("HEAD")
        .ok()
        .and_then(|h| h.symbolic_target().map(str::to_string))
        .and_then(|t| t.strip_prefix("refs/heads/").map(str::to_string))
        .filter(|b| plain_branch(b));
    RepoIdentity {
        remote,
        head_branch,
    }
}

/// A branch name written into a trust policy as is: letters, digits and `._/-+@`.
fn plain_branch(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._/-+@".contains(&b))
}

/// A forge project from a remote URL: `https://host/o/r(.git)`, `ssh://git@host[:port]/o/r.git`,
/// scp-like `git@host:o/r.git`, `git://host/o/r`; GitLab groups may nest
/// (`group/sub/project`). Local paths and `file://` are no forge: `None`.
pub fn parse_remote(url: &str) -> Option<Remote> {
    let url = url.trim();
    let (authority, path) = match url.split_once("://") {
        Some((scheme, rest)) => {
            let scheme = scheme.to_ascii_lowercase();
            if !["https", "http", "ssh", "git", "git+ssh", "ssh+git"].contains(&scheme.as_str()) {
                return None;
            }
            rest.split_once('/')?
        }
        None => {
            let (before, path) = url.split_once(':')?;
            // `dir/x:y` is a local path; so is a Windows drive (`C:\...`, refused below).
            if before.contains('/') || before.contains('\\') {
                return None;
            }
            (before, path)
        }
    };
    let host_port = authority.rsplit('@').next()?;
    let host = host_port.split(':').next()?.to_ascii_lowercase();
    let host_ok = host.len() > 1
        && host.contains('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if !host_ok {
        return None;
    }
    let path = path.trim_matches('/');
    let path = path
        .strip_suffix(".git")
        .unwrap_or(path)
        .trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    let segment_ok = |s: &&str| {
        !s.is_empty()
            && *s != "."
            && *s != ".."
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    };
    (segments.len() >= 2 && segments.iter().all(segment_ok)).then(|| Remote {
        host,
        path: path.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str) -> Option<(String, String)> {
        parse_remote(url).map(|r| (r.host, r.path))
    }

    fn some(host: &str, path: &str) -> Option<(String, String)> {
        Some((host.to_string(), path.to_string()))
    }

    #[test]
    fn every_remote_form() {
        let gh = some("github.com", "octo/app");
        assert_eq!(parsed("https://github.com/octo/app"), gh);
        assert_eq!(parsed("https://github.com/octo/app.git"), gh);
        assert_eq!(parsed("https://github.com/octo/app/"), gh);
        assert_eq!(parsed("ssh://git@github.com/octo/app.git"), gh);
        assert_eq!(parsed("git@github.com:octo/app.git"), gh);
        assert_eq!(parsed("github.com:octo/app"), gh);
        assert_eq!(parsed("git://github.com/octo/app.git"), gh);
        assert_eq!(parsed("HTTPS://GitHub.com/octo/app.git"), gh);
        // Enterprise hosts, with a port.
        assert_eq!(
            parsed("ssh://git@github.acme.example:2222/platform/api.git"),
            some("github.acme.example", "platform/api")
        );
        assert_eq!(
            parsed("https://octo.ghe.com/team/svc"),
            some("octo.ghe.com", "team/svc")
        );
        // GitLab groups with subgroups.
        assert_eq!(
            parsed("git@gitlab.com:group/sub/project.git"),
            some("gitlab.com", "group/sub/project")
        );
        assert_eq!(
            parsed("https://gitlab.acme.example/a/b/c/d"),
            some("gitlab.acme.example", "a/b/c/d")
        );
    }

    #[test]
    fn credentials_in_the_url_are_dropped() {
        assert_eq!(
            parsed("https://x-access-token:ghp_abcdefghijklmnop@github.com/octo/app.git"),
            some("github.com", "octo/app")
        );
    }

    #[test]
    fn no_forge_project() {
        for url in [
            "",
            "/srv/git/app.git",
            "../app",
            "file:///srv/git/app.git",
            "C:\\repos\\app",
            "https://github.com/octo",
            "https://github.com/",
            "git@github.com:octo/../app.git",
            "https://github.com/octo/app name",
            "https://github.com/octo/app\u{1b}[31m",
            "ftp://github.com/octo/app",
            "git@localhost:octo/app",
        ] {
            assert_eq!(parsed(url), None, "{url:?}");
        }
    }

    #[test]
    fn no_repository_is_no_identity() {
        let dir = std::env::temp_dir().join(format!("keyleak-no-repo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // The temporary directory may sit in a repository on a developer's machine: only
        // check when it does not.
        if git2::Repository::discover(&dir).is_err() {
            assert_eq!(
                identity(&Input::Paths(vec![dir.clone()])),
                RepoIdentity::default()
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn remote_and_head_branch_of_a_repository() {
        let dir = std::env::temp_dir().join(format!("keyleak-repo-id-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let repo = git2::Repository::init(&dir).unwrap();
        repo.set_head("refs/heads/trunk").unwrap();
        repo.remote("origin", "git@github.com:octo/app.git")
            .unwrap();
        let file = dir.join("a.env");
        std::fs::write(&file, "x").unwrap();
        let id = identity(&Input::Paths(vec![file]));
        assert_eq!(
            id.remote,
            Some(Remote {
                host: "github.com".into(),
                path: "octo/app".into()
            })
        );
        assert_eq!(id.head_branch.as_deref(), Some("trunk"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
