//! Which files the walker may read through a symbolic link.
//!
//! A symlink in a scanned tree is content an author chose, as much as a file is: one pointing
//! at `/proc/self/environ` would make keyleak read (and print) the CI runner's own
//! environment, one pointing at `~/.aws/credentials` the runner's keys. So a file or directory
//! reached through a link is read only if its real path (every link resolved):
//!
//! - is not on a special file system (`/proc`, `/sys`, `/dev`, or the same device as one of
//!   them, wherever it is mounted), whatever the flags;
//! - is a regular file or a directory, not a FIFO, socket or device;
//! - is inside one of the scanned paths (as resolved), unless `--follow-outside`.
//!
//! A refusal is a reason for a `Warning` naming the link, never its target's content. The
//! file then read is the one checked: its device and inode are compared after opening, so a
//! link swapped between the check and the read is refused too. It must not print.

use std::fs::{self, File, Metadata};
use std::path::{Path, PathBuf};

/// Special file systems: never read through a link.
const SPECIAL_ROOTS: [&str; 3] = ["/proc", "/sys", "/dev"];

/// The rules for one walk.
#[derive(Debug, Clone)]
pub struct LinkPolicy {
    /// The scanned paths, resolved.
    roots: Vec<PathBuf>,
    /// `--follow-outside`: targets outside `roots` are read too.
    outside: bool,
    /// Devices of [`SPECIAL_ROOTS`], to catch them mounted elsewhere.
    special_devices: Vec<u64>,
}

/// A file the policy let through: where it really is and what it was when checked.
#[derive(Debug)]
pub struct Checked {
    real: PathBuf,
    meta: Metadata,
}

impl LinkPolicy {
    /// The policy for `-L` over `paths`; `outside` is `--follow-outside`.
    pub fn new(paths: &[PathBuf], outside: bool) -> LinkPolicy {
        LinkPolicy {
            roots: paths
                .iter()
                .filter_map(|p| fs::canonicalize(p).ok())
                .collect(),
            outside,
            special_devices: special_devices(),
        }
    }

    /// For a path named on the command line without `-L`: only the special-file rules apply
    /// (what the user named is, by definition, inside the scan).
    pub fn named(paths: &[PathBuf]) -> LinkPolicy {
        LinkPolicy::new(paths, true)
    }

    /// Checks what `path` leads to. `Ok(None)`: no link is involved (the real path is the
    /// path), read it as any file. `Ok(Some(_))`: read through the link, with
    /// [`Checked::open`]. `Err`: why it is not read.
    pub fn check(&self, path: &Path) -> Result<Option<Checked>, String> {
        let real = fs::canonicalize(path).map_err(|e| format!("cannot resolve symlink: {e}"))?;
        if std::path::absolute(path).is_ok_and(|abs| abs == real) {
            return Ok(None);
        }
        let meta = fs::metadata(&real).map_err(|e| format!("cannot read symlink target: {e}"))?;
        if self.is_special(&real, &meta) {
            return Err(
                "skipped: symlink into /proc, /sys or /dev (special files are never read \
                 through a link)"
                    .into(),
            );
        }
        if !meta.is_file() && !meta.is_dir() {
            return Err("skipped: symlink to a FIFO, socket or device".into());
        }
        if !self.outside && !self.roots.iter().any(|r| real.starts_with(r)) {
            return Err(
                "skipped: symlink leads outside the scanned paths (--follow-outside follows it)"
                    .into(),
            );
        }
        Ok(Some(Checked { real, meta }))
    }

    fn is_special(&self, real: &Path, meta: &Metadata) -> bool {
        SPECIAL_ROOTS.iter().any(|r| real.starts_with(r))
            || device(meta).is_some_and(|d| self.special_devices.contains(&d))
    }
}

impl Checked {
    /// The checked file, opened, if it is still the file that was checked.
    pub fn open(&self) -> std::io::Result<File> {
        let file = File::open(&self.real)?;
        let now = file.metadata()?;
        if !now.is_file() || identity(&now) != identity(&self.meta) {
            return Err(std::io::Error::other(
                "symlink target changed while being read: skipped",
            ));
        }
        Ok(file)
    }
}

#[cfg(unix)]
fn device(meta: &Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(meta.dev())
}

#[cfg(not(unix))]
fn device(_: &Metadata) -> Option<u64> {
    None
}

/// Device and inode: which file this is, whatever its name.
#[cfg(unix)]
pub fn identity(meta: &Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
pub fn identity(_: &Metadata) -> Option<(u64, u64)> {
    None
}

/// The devices `/proc`, `/sys` and `/dev` are on, where they exist and are not the root
/// file system's (in a container `/dev` can be a plain directory).
fn special_devices() -> Vec<u64> {
    let root = fs::metadata("/").ok().as_ref().and_then(device);
    SPECIAL_ROOTS
        .iter()
        .filter_map(|r| fs::metadata(r).ok().as_ref().and_then(device))
        .filter(|d| Some(*d) != root)
        .collect()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::Read;
    use std::os::unix::fs::symlink;

    fn read(checked: &Checked) -> std::io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        checked.open()?.read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    #[test]
    fn links_are_checked_by_where_they_lead() {
        let inside = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = inside.path();
        fs::write(root.join("real.env"), "x").unwrap();
        fs::write(outside.path().join("secret.env"), "y").unwrap();
        symlink(root.join("real.env"), root.join("inner")).unwrap();
        symlink(outside.path().join("secret.env"), root.join("outer")).unwrap();
        symlink("/proc/self/environ", root.join("environ")).unwrap();
        symlink("/dev/null", root.join("null")).unwrap();

        let policy = LinkPolicy::new(&[root.to_path_buf()], false);
        assert!(policy.check(&root.join("real.env")).unwrap().is_none());
        let inner = policy.check(&root.join("inner")).unwrap().unwrap();
        assert_eq!(read(&inner).unwrap(), b"x");
        assert!(
            policy
                .check(&root.join("outer"))
                .unwrap_err()
                .contains("outside")
        );
        assert!(
            policy
                .check(&root.join("environ"))
                .unwrap_err()
                .contains("/proc")
        );
        assert!(
            policy
                .check(&root.join("null"))
                .unwrap_err()
                .contains("/dev")
        );

        let outside_ok = LinkPolicy::new(&[root.to_path_buf()], true);
        let outer = outside_ok.check(&root.join("outer")).unwrap().unwrap();
        assert_eq!(read(&outer).unwrap(), b"y");
        assert!(outside_ok.check(&root.join("environ")).is_err());
    }

    #[test]
    fn a_target_swapped_after_the_check_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("a"), "first").unwrap();
        symlink(root.join("a"), root.join("link")).unwrap();
        let policy = LinkPolicy::new(&[root.to_path_buf()], false);
        let checked = policy.check(&root.join("link")).unwrap().unwrap();
        // Keep the first inode alive so the new file cannot reuse its number.
        fs::hard_link(root.join("a"), root.join("keep")).unwrap();
        fs::write(root.join("b"), "other").unwrap();
        fs::rename(root.join("b"), root.join("a")).unwrap();
        assert!(checked.open().is_err());
    }
}
