//! Mirrors of the URLs a `--repos` list names: `git clone --mirror` into the clone
//! directory the first time, `git fetch --prune` into the same mirror on later runs.
//!
//! The `git` command does the network part, not libgit2: it is what users have already set up
//! for their organisation (credential helpers, SSH agents and `~/.ssh/config`, `insteadOf`
//! rewrites, proxies, `http.extraHeader`), and it speaks every protocol and server version.
//! A prompt for a password would hang an unattended audit, so `GIT_TERMINAL_PROMPT=0` turns it
//! into a failure. Owns those two invocations; it must not scan, and what fails is returned as
//! a message for the caller's warning, never printed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

/// The mirror of `url` in `clone_dir`, cloned or brought up to date. `Err` says what git said,
/// with the URL's user and password taken out should git have repeated them.
pub fn update(url: &str, clone_dir: &Path) -> Result<PathBuf, String> {
    let userinfo = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split('/').next())
        .and_then(|authority| authority.rsplit_once('@'))
        .map(|(info, _)| format!("{info}@"));
    update_as_is(url, clone_dir).map_err(|e| match &userinfo {
        Some(info) => e.replace(info.as_str(), ""),
        None => e,
    })
}

fn update_as_is(url: &str, clone_dir: &Path) -> Result<PathBuf, String> {
    let mirror = clone_dir.join(dir_name(url));
    if mirror.join("HEAD").is_file() {
        git(Command::new("git")
            .arg("--git-dir")
            .arg(&mirror)
            .args(["fetch", "--prune", "--quiet", "origin"]))?;
        return Ok(mirror);
    }
    std::fs::create_dir_all(clone_dir)
        .map_err(|e| format!("cannot create {}: {e}", clone_dir.display()))?;
    // Cloned beside, then renamed: a clone killed halfway is never taken for a mirror.
    let partial = clone_dir.join(format!(".{}.partial-{}", dir_name(url), std::process::id()));
    let _ = std::fs::remove_dir_all(&partial);
    let cloned = git(Command::new("git")
        .args(["clone", "--mirror", "--quiet", "--"])
        .arg(url)
        .arg(&partial));
    if let Err(e) = cloned {
        let _ = std::fs::remove_dir_all(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, &mirror).map_err(|e| {
        let _ = std::fs::remove_dir_all(&partial);
        format!("cannot move the clone to {}: {e}", mirror.display())
    })?;
    Ok(mirror)
}

/// Runs one git command without a terminal prompt; `Err` with its last lines of stderr.
fn git(cmd: &mut Command) -> Result<(), String> {
    let out = cmd
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = said.lines().filter(|l| !l.trim().is_empty()).collect();
    let last = lines[lines.len().saturating_sub(3)..].join(" / ");
    Err(match last.is_empty() {
        true => format!("git failed ({})", out.status),
        false => last,
    })
}

/// The mirror's directory name: readable (host and path, other characters as `_`) and unique
/// (12 hex digits of the SHA-256 of the URL), ending in `.git`.
fn dir_name(url: &str) -> String {
    let shown = super::super::repos::without_userinfo(url);
    let tail = shown.split_once("://").map_or(shown.as_str(), |(_, t)| t);
    let mut readable: String = tail
        .trim_end_matches('/')
        .trim_end_matches(".git")
        .chars()
        .map(
            |c| match c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                true => c,
                false => '_',
            },
        )
        .collect();
    readable.truncate(80);
    // Of the URL without its password: a rotated token keeps the mirror.
    let digest = Sha256::digest(shown.as_bytes());
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}.git", readable.trim_start_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::dir_name;

    #[test]
    fn mirror_names_are_readable_and_distinct() {
        let a = dir_name("https://github.com/org/app.git");
        assert!(
            a.starts_with("github.com_org_app-") && a.ends_with(".git"),
            "{a}"
        );
        assert_ne!(a, dir_name("https://github.com/org/app2.git"));
        assert_ne!(a, dir_name("git@github.com:org/app.git"));
        let tokened = dir_name("https://x:secret@github.com/org/app.git");
        assert_eq!(tokened, a);
        assert!(!dir_name("file:///../x").contains('/'));
    }
}
