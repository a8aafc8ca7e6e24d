//! What classifying a blob's findings reads of the whole blob, apart from the findings: its
//! role context ([`Place`]: markers anywhere in the file) and, read ahead, its newlines
//! ([`LineMarks`]). Both are passes over every byte, after detection's own.
//!
//! Owns when those passes run: after detection, only for a blob with findings; or, for a
//! large blob when a core would otherwise sit idle, on a thread of their own beside
//! detection, so that the blob is read by two cores at once instead of three times by one.
//! That is a bet: for a blob without findings the second core's pass is thrown away. It is
//! made only where that core had nothing else to do (one blob scanned: standard input or one
//! file named), never in a walk, where every worker has files of its own. It must not change
//! a finding: the reading is the same, made before detection ends or after.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::detect::Detections;
use crate::detect::lines::{LineCounter, LineMarks};
use crate::model::role::RepoIdentity;
use crate::risk::role::Place;
use crate::source::Blob;

/// Blobs at least this large are read beside detection when a core is spare: below it, the
/// thread costs more than the pass it saves (a pass over 8 MiB is about 1.5 ms here).
pub const BESIDE_AT: usize = 8 << 20;

/// What classification reads of a whole blob.
pub struct Reading<'b> {
    pub place: Place<'b>,
    /// Newlines counted ahead, when read beside detection.
    pub marks: Option<LineMarks>,
}

impl<'b> Reading<'b> {
    /// The role context of `blob` (at `repo`).
    pub fn of(blob: &'b Blob, repo: &'b RepoIdentity) -> Reading<'b> {
        Reading {
            place: Place::of(&blob.origin.path, &blob.bytes, repo),
            marks: None,
        }
    }

    /// [`Reading::of`] with the newlines counted too, unless `stop` is raised meanwhile
    /// (then None, soon after: the role search checks it before each range it reads).
    fn beside(blob: &'b Blob, repo: &'b RepoIdentity, stop: &AtomicBool) -> Option<Reading<'b>> {
        let (path, bytes) = (&blob.origin.path, &blob.bytes[..]);
        // Newlines counted as the role search is about to read each range: one read of
        // the blob from memory for both passes.
        let mut counter = LineCounter::default();
        let place = Place::of_reading(path, bytes, repo, &mut |_, hi| {
            if stop.load(Ordering::Relaxed) {
                return ControlFlow::Break(());
            }
            counter.count_to(bytes, hi);
            ControlFlow::Continue(())
        })?;
        Some(Reading {
            place,
            marks: Some(counter.finish(bytes)),
        })
    }
}

/// Runs `detect` on `blob` and, when `spare_core` and the blob is at least [`BESIDE_AT`]
/// bytes, its [`Reading`] on a second thread meanwhile, stopped as soon as detection ends
/// with nothing found (a blob without findings then costs detection's time, not the
/// reading's). The reading comes back only with detections to classify; without one made
/// beside, the caller makes one after detection, if the blob has findings.
pub fn detect_beside<'b>(
    blob: &'b Blob,
    repo: &'b RepoIdentity,
    spare_core: bool,
    detect: impl FnOnce() -> Detections,
) -> (Detections, Option<Reading<'b>>) {
    if !spare_core || blob.bytes.len() < BESIDE_AT {
        return (detect(), None);
    }
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let reading = s.spawn(|| Reading::beside(blob, repo, &stop));
        let detections = detect();
        // Nothing found: the reading is not needed, and not waited for either.
        let found = !detections.is_empty();
        stop.store(!found, Ordering::Relaxed);
        // A panic there is a bug in role reading: let it end the scan as it would have.
        let reading = reading
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (detections, reading.filter(|_| found))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{DetectOptions, Detector};
    use crate::source::Origin;

    /// Read beside detection or after it, a large workflow file gives the same role context,
    /// and newlines counted inside the role search are those counted on their own.
    #[test]
    fn read_beside_or_after_the_same() {
        let mut text = b"on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n".to_vec();
        while text.len() <= BESIDE_AT {
            text.extend_from_slice(b"      - run: aws s3 sync build s3://bucket --delete\n");
        }
        text.extend_from_slice(b"AWS_ACCESS_KEY_ID=AKIAQWERTYUIOPASDFGH\n");
        let blob = Blob {
            origin: Origin::file(".github/workflows/deploy.yml".to_string()),
            bytes: text.into(),
        };
        let repo = RepoIdentity::default();
        let detector = Detector::new(DetectOptions::default());
        let detect = || detector.detect_blob(&blob.bytes, crate::detect::BlobKind::Other);
        let (found, beside) = detect_beside(&blob, &repo, true, detect);
        let beside = beside.expect("a spare core and a large blob: read beside");
        assert_eq!(found.plain.len(), 1);
        let after = Reading::of(&blob, &repo);
        assert_eq!(format!("{:?}", beside.place), format!("{:?}", after.place));
        assert_eq!(beside.marks, Some(LineMarks::count(&blob.bytes)));
        // No spare core: nothing read beside. Nothing found: the reading stopped, unused.
        assert!(detect_beside(&blob, &repo, false, detect).1.is_none());
        let nothing = crate::detect::Detections::default;
        assert!(detect_beside(&blob, &repo, true, nothing).1.is_none());
        // Stopped before it starts: no reading, whatever the blob holds.
        assert!(Reading::beside(&blob, &repo, &AtomicBool::new(true)).is_none());
    }
}
