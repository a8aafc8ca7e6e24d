//! Writes one report to a file (`--output FORMAT=PATH`) so that the file is either the old one
//! or the whole new report, never a part: the report goes to a temporary file in the same
//! directory, which is then renamed over PATH (a rename within a directory is atomic). A CI
//! job that dies mid-write or a disk that fills up leaves no half SARIF for the next step to
//! upload. What the report says is the reporter's business; this module only places bytes.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes what `report` produces to `path`, replacing the file whole; on any error the
/// temporary file is removed and `path` is untouched.
pub fn write_atomically(
    path: &Path,
    report: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let (temp, file) = create_temp_beside(path)?;
    let written = (|| {
        let mut out = BufWriter::new(file);
        report(&mut out)?;
        // No fsync: the rename is there against a half-written file, not against power loss.
        out.into_inner().map_err(io::IntoInnerError::into_error)?;
        fs::rename(&temp, path)
    })();
    if written.is_err() {
        // Best effort: the error that matters is the one returned.
        let _ = fs::remove_file(&temp);
    }
    written
}

/// A new file `.NAME.keyleak-PID-N.tmp` in `path`'s directory (never an existing one).
fn create_temp_beside(path: &Path) -> io::Result<(PathBuf, File)> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, "names a directory, not a file")
    })?;
    let pid = std::process::id();
    let mut attempt = 0u32;
    loop {
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".keyleak-{pid}-{attempt}.tmp"));
        let temp = dir.join(temp_name);
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::write_atomically;
    use std::io;

    fn leftovers(dir: &std::path::Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.sarif");
        std::fs::write(&path, "old").unwrap();
        write_atomically(&path, |w| w.write_all(b"new report")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new report");
        assert_eq!(leftovers(dir.path()), ["out.sarif"]);
    }

    #[test]
    fn a_failing_report_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.sarif");
        std::fs::write(&path, "old").unwrap();
        let err = write_atomically(&path, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("reporter failed"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "reporter failed");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(leftovers(dir.path()), ["out.sarif"]);
    }

    #[test]
    fn a_missing_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/dir/out.sarif");
        let err = write_atomically(&path, |w| w.write_all(b"x")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn a_directory_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("out")).unwrap();
        std::fs::write(dir.path().join("out/keep"), "x").unwrap();
        assert!(write_atomically(&dir.path().join("out"), |w| w.write_all(b"x")).is_err());
        assert_eq!(leftovers(dir.path()), ["out"]);
        assert_eq!(leftovers(&dir.path().join("out")), ["keep"]);
    }
}
