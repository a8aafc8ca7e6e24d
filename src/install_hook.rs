//! `keyleak install-hook`: a plain git pre-commit hook for users without the pre-commit
//! framework. Writes `pre-commit` in the repository's hooks directory (`core.hooksPath` when
//! set, else `.git/hooks`), running `keyleak scan --staged`. An existing hook that keyleak did
//! not write is left alone unless `--force`.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// First line after the shebang of every hook keyleak writes: how it recognises its own.
pub const MARKER: &str = "# installed by `keyleak install-hook`";

/// The hook script. `keyleak` on PATH wins (so an upgrade is picked up); the binary that
/// installed the hook is the fallback.
pub fn script(fallback: &Path) -> String {
    let quoted = fallback.display().to_string().replace('\'', r"'\''");
    format!(
        "#!/bin/sh\n{MARKER}: blocks commits that add AWS keys.\n\
         if command -v keyleak >/dev/null 2>&1; then exec keyleak scan --staged; fi\n\
         exec '{quoted}' scan --staged\n"
    )
}

/// Where git looks for hooks in the repository containing `start`. A repository libgit2
/// cannot open (SHA-256 object names) asks the git command instead.
pub fn hooks_dir(start: &Path) -> Result<PathBuf, Error> {
    let repo = match git2::Repository::discover(start) {
        Ok(repo) => repo,
        Err(source) => {
            return git_hooks_dir(start).ok_or_else(|| Error::NotARepo {
                path: start.display().to_string(),
                source,
            });
        }
    };
    let configured = repo
        .config()
        .and_then(|c| c.get_path("core.hooksPath"))
        .ok();
    Ok(match configured {
        // A relative core.hooksPath is relative to the work tree (the repository for bare ones).
        Some(p) if p.is_relative() => repo.workdir().unwrap_or_else(|| repo.path()).join(p),
        Some(p) => p,
        None => repo.path().join("hooks"),
    })
}

/// `git rev-parse --git-path hooks`, which honours `core.hooksPath` as git itself does; `None`
/// where git is missing or `start` is in no repository.
fn git_hooks_dir(start: &Path) -> Option<PathBuf> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(start)
        .args(["rev-parse", "--path-format=absolute", "--git-path", "hooks"])
        .output()
        .ok()?;
    let path = String::from_utf8(out.stdout).ok()?;
    let path = path.trim_end_matches(['\n', '\r']);
    (out.status.success() && !path.is_empty()).then(|| PathBuf::from(path))
}

/// Installs the hook; returns its path.
pub fn install(start: &Path, force: bool) -> Result<PathBuf, Error> {
    let dir = hooks_dir(start)?;
    let hook = dir.join("pre-commit");
    let io = |e: std::io::Error| Error::Hook {
        path: hook.display().to_string(),
        message: e.to_string(),
    };
    if let Ok(existing) = std::fs::read_to_string(&hook)
        && !existing.contains(MARKER)
        && !force
    {
        return Err(Error::Hook {
            path: hook.display().to_string(),
            message: "another pre-commit hook is installed; rerun with --force to replace it"
                .into(),
        });
    }
    std::fs::create_dir_all(&dir).map_err(io)?;
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("keyleak"));
    std::fs::write(&hook, script(&exe)).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).map_err(io)?;
    }
    Ok(hook)
}
