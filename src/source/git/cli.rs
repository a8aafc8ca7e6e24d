//! The `git` command as the staged source for a repository libgit2 cannot read: one in the
//! SHA-256 object format (`extensions.objectformat`). A pre-commit hook runs under git, so
//! git is there whenever the hook is; without this, keyleak's hook would block every commit in
//! such a repository.
//!
//! Owns two git invocations and nothing else: `git diff-index --cached` for what is staged
//! (the same entries as `staged`: those that differ from HEAD, or every entry before the
//! first commit; unmerged entries and submodules skipped), and one long-lived
//! `git cat-file --batch` for blob contents. Object ids stay hexadecimal strings (a SHA-256 id
//! does not fit a `git2::Oid`). Git itself honours `GIT_INDEX_FILE` and the rest of its
//! environment. It must not print; what it cannot read is an [`Unread`] or an [`Error`].

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use super::repo::Unread;
use crate::error::{Error, Warning};

/// One staged file, as git names its objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliEntry {
    /// Path in the repository, lossy UTF-8.
    pub path: String,
    /// The blob in the index, hexadecimal.
    pub staged: String,
    /// HEAD's blob at the same path, when there is one.
    pub head: Option<String>,
}

/// The git command, run against one git directory.
pub struct Git {
    git_dir: PathBuf,
}

/// File modes of blobs: regular, executable, symbolic link.
const BLOB_MODES: [&str; 3] = ["100644", "100755", "120000"];

impl Git {
    pub fn new(git_dir: &Path) -> Git {
        Git {
            git_dir: git_dir.to_path_buf(),
        }
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new("git");
        cmd.arg("--git-dir").arg(&self.git_dir);
        cmd
    }

    /// Runs git with `args`: its standard output; `Ok(Err(..))` with what git said when it
    /// failed; `Err` when git cannot run at all.
    fn run(&self, args: &[&str]) -> Result<Result<Vec<u8>, Error>, Error> {
        let out = self
            .command()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| cannot_run(&e))?;
        if !out.status.success() {
            let said = String::from_utf8_lossy(&out.stderr);
            return Ok(Err(Error::Git {
                context: format!("`git {}` failed", args.join(" ")),
                source: git2::Error::from_str(said.trim()),
            }));
        }
        Ok(Ok(out.stdout))
    }

    /// [`Git::run`], any failure an error.
    fn output(&self, args: &[&str]) -> Result<Vec<u8>, Error> {
        self.run(args)?
    }

    /// Index entries that differ from HEAD's tree (every entry when HEAD is unborn), in
    /// path order, and problems met.
    pub fn staged(&self) -> Result<(Vec<CliEntry>, Vec<Warning>), Error> {
        let base = match self.run(&["rev-parse", "--verify", "--quiet", "HEAD^{tree}"])? {
            Ok(tree) => String::from_utf8_lossy(&tree).trim().to_string(),
            // Unborn HEAD: compare with the empty tree, which git knows in every format.
            Err(_) => {
                let empty = self.output(&["hash-object", "-t", "tree", "/dev/null"])?;
                String::from_utf8_lossy(&empty).trim().to_string()
            }
        };
        let raw = self.output(&["diff-index", "--cached", "-z", "--no-renames", &base])?;
        parse_raw(&raw)
    }

    /// Starts `git cat-file --batch` for reading blobs one by one.
    pub fn cat_file(&self) -> Result<CatFile, Error> {
        let mut child = self
            .command()
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| cannot_run(&e))?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        Ok(CatFile {
            child,
            stdin: Some(stdin),
            stdout,
        })
    }
}

/// Git is not there (or cannot start): nothing can read this repository.
fn cannot_run(e: &std::io::Error) -> Error {
    Error::Git {
        context: "a SHA-256 repository, which keyleak's git reader (libgit2) cannot read; \
                  --staged reads it through the git command, which cannot run"
            .into(),
        source: git2::Error::from_str(&e.to_string()),
    }
}

/// `git diff-index -z` raw output: `:OLDMODE NEWMODE OLDID NEWID STATUS\0PATH\0` per entry.
fn parse_raw(raw: &[u8]) -> Result<(Vec<CliEntry>, Vec<Warning>), Error> {
    let malformed = || Error::Git {
        context: "cannot read `git diff-index` output".into(),
        source: git2::Error::from_str("unexpected format"),
    };
    let mut entries = Vec::new();
    let mut warnings = Vec::new();
    let mut fields = raw.split(|&b| b == 0).filter(|f| !f.is_empty());
    while let Some(meta) = fields.next() {
        let path = String::from_utf8_lossy(fields.next().ok_or_else(malformed)?).into_owned();
        let meta = String::from_utf8_lossy(meta);
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let [old_mode, new_mode, old_id, new_id, status] = parts[..] else {
            return Err(malformed());
        };
        if status.starts_with('U') {
            warnings.push(Warning::new(path, "skipped: unmerged (conflicted) entry"));
            continue;
        }
        // Deleted (nothing staged) or a submodule: nothing to read.
        if !BLOB_MODES.contains(&new_mode) {
            continue;
        }
        entries.push(CliEntry {
            path,
            staged: new_id.to_string(),
            head: BLOB_MODES.contains(&old_mode).then(|| old_id.to_string()),
        });
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((entries, warnings))
}

/// A running `git cat-file --batch`: one request, one answer, in turn.
pub struct CatFile {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl CatFile {
    /// Reads blob `id` whole, unless it is larger than `max_size` or cannot be read.
    pub fn read(&mut self, id: &str, max_size: u64, path: &str) -> Result<Vec<u8>, Unread> {
        let subject = || format!("{path} (blob {id})");
        let broken = |message: String| Unread::Broken(Warning::new(subject(), message));
        let io = |e: std::io::Error| broken(format!("`git cat-file` failed: {e}"));
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| broken("`git cat-file` has stopped".into()))?;
        writeln!(stdin, "{id}")
            .and_then(|()| stdin.flush())
            .map_err(io)?;
        let mut header = String::new();
        self.stdout.read_line(&mut header).map_err(io)?;
        let parts: Vec<&str> = header.split_whitespace().collect();
        let size: u64 = match parts[..] {
            [_, "blob", size] => size
                .parse()
                .map_err(|_| broken(format!("`git cat-file` said {header:?}")))?,
            [_, kind, _] => {
                // Its content still follows: read past it.
                let size: u64 = parts[2].parse().unwrap_or(0);
                self.skip(size).map_err(io)?;
                return Err(broken(format!("expected a blob, found a {kind}")));
            }
            [_, "missing"] => return Err(broken("missing object".into())),
            _ => {
                self.stdin = None;
                return Err(broken(format!("`git cat-file` said {:?}", header.trim())));
            }
        };
        if size > max_size {
            self.skip(size).map_err(io)?;
            return Err(Unread::Skipped(Warning::new(
                subject(),
                format!("skipped: {size} bytes is over --max-filesize ({max_size} bytes)"),
            )));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        (&mut self.stdout)
            .take(size)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        let mut newline = [0u8; 1];
        self.stdout.read_exact(&mut newline).map_err(io)?;
        if bytes.len() as u64 != size {
            self.stdin = None;
            return Err(broken("`git cat-file` stopped mid-object".into()));
        }
        Ok(bytes)
    }

    /// Reads past `size` bytes of content and the newline after them.
    fn skip(&mut self, size: u64) -> std::io::Result<u64> {
        std::io::copy(&mut (&mut self.stdout).take(size + 1), &mut std::io::sink())
    }
}

impl Drop for CatFile {
    fn drop(&mut self) {
        // Closing its input ends it.
        self.stdin = None;
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_diff_entries() {
        let z = "0".repeat(64);
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        let raw = format!(
            ":100644 100644 {a} {b} M\0mod.env\0:000000 100755 {z} {b} A\0new.sh\0\
             :100644 000000 {a} {z} D\0gone\0:000000 160000 {z} {b} A\0sub\0\
             :000000 000000 {z} {z} U\0conflict\0:120000 100644 {a} {b} T\0link\0"
        );
        let (entries, warnings) = parse_raw(raw.as_bytes()).unwrap();
        let entry = |path: &str, head: Option<&str>| CliEntry {
            path: path.into(),
            staged: b.clone(),
            head: head.map(str::to_string),
        };
        assert_eq!(
            entries,
            vec![
                entry("link", Some(&a)),
                entry("mod.env", Some(&a)),
                entry("new.sh", None),
            ]
        );
        assert_eq!(
            warnings,
            vec![Warning::new(
                "conflict",
                "skipped: unmerged (conflicted) entry"
            )]
        );
        assert!(parse_raw(b":100644 100644 x\0p\0").is_err());
    }
}
