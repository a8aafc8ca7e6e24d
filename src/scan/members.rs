//! Archive members detected in parallel with their expansion, so that one large archive (a
//! jar, a wheel, a tarball) does not leave the other cores idle.
//!
//! Owns the decision (a file or standard input of at least [`PARALLEL_FROM`] bytes that is an
//! archive, archives opened, more than one worker), the scan's member pool (`-j` threads, built
//! once per scan, the first time it pays) and the bound on what is in flight. Inflation stays
//! on the thread that read the archive, in order (`source::archive` caps and warns by order):
//! that thread gathers the members it reads into batches and hands each batch to the pool,
//! then inflates the next members while pool threads detect and classify the batches before.
//! At most [`IN_FLIGHT_BYTES`] of members (a bigger batch goes alone) in 2 × `-j` batches are
//! in flight; a batch that would pass the bound is detected by the expanding thread itself, so
//! it helps rather than waits, and memory stays bounded. It must not change what is found:
//! every member reaches the same `Collector` calls as on one thread (counts, warnings,
//! findings), and the collector sorts findings and warnings once at the end.

use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::stages::Clocks;
use super::{Collector, detect, settle_all, unsettled, unsettled_by, whole};
use crate::detect::Detector;
use crate::settings::Settings;
use crate::source::{Blob, archive};

/// Archive bytes from which members are detected in parallel. Inflating dominates (detection
/// is a tenth of a deflated zip's time or less), so the gain is small and the pool's wake-ups
/// must not cost more: measured on 2 cores, a 2 MB pip wheel took 1 ms longer with `-j2` in
/// parallel (26.6 ms against 25.5 ms), a 13.6 MB zip of keyword-dense text 5% less.
const PARALLEL_FROM: usize = 4 << 20;

/// A batch is handed to the pool once it holds this many bytes or [`BATCH_MEMBERS`] members.
const BATCH_BYTES: u64 = 256 << 10;
const BATCH_MEMBERS: usize = 64;

/// Bytes of members handed to the pool and not yet detected, at most (a bigger member goes
/// alone): what the parallel expansion adds to memory.
const IN_FLIGHT_BYTES: u64 = 64 << 20;

/// The scan's member pool: `workers` threads, built the first time a large archive is met.
#[derive(Default)]
pub(super) struct Pool {
    workers: usize,
    pool: OnceLock<Option<rayon::ThreadPool>>,
}

impl Pool {
    pub(super) fn new(workers: usize) -> Pool {
        Pool {
            workers,
            pool: OnceLock::new(),
        }
    }

    /// The pool to detect `blob`'s members on, when it pays: an archive of at least
    /// [`PARALLEL_FROM`] bytes, archives opened, and more than one worker. None if the pool
    /// cannot be built (the members are then detected on the reading thread, as before).
    fn for_blob(&self, settings: &Settings, blob: &Blob) -> Option<&rayon::ThreadPool> {
        let pays = self.workers > 1
            && settings.archives.is_some()
            && blob.bytes.len() >= PARALLEL_FROM
            && archive::is_archive(&blob.bytes);
        if !pays {
            return None;
        }
        self.pool
            .get_or_init(|| super::pool(self.workers).ok())
            .as_ref()
    }
}

/// Hands `visit` each blob to scan for `blob`: its archive members when archives are opened
/// (see [`archive`]), else `blob` itself; and the warnings met on the way. The expansion's own
/// time (inflating, extracting, blanking), without `visit`'s, goes to the expand clock.
pub(super) fn expanded(
    settings: &Settings,
    clocks: &Clocks,
    blob: Blob,
    visit: &mut dyn FnMut(archive::Item),
) {
    match &settings.archives {
        Some(limits) if archive::is_archive(&blob.bytes) => {
            let start = Instant::now();
            let mut visiting = Duration::ZERO;
            archive::expand(blob, limits, &mut |item| {
                let at = Instant::now();
                visit(item);
                visiting += at.elapsed();
            });
            clocks.add_expand(start.elapsed().saturating_sub(visiting));
        }
        _ => visit(Ok(blob)),
    }
}

impl Collector {
    /// Scans a file or standard input: its archive members, or itself.
    pub(super) fn blob(&self, settings: &Settings, detector: &Detector, blob: Blob) {
        let Some(pool) = self.member_pool.for_blob(settings, &blob) else {
            // The one blob of a scan, not an archive's member: a core may be spare for it.
            let spare_core = self.spare_core && !archive::is_archive(&blob.bytes);
            return expanded(settings, &self.clocks, blob, &mut |item| match item {
                Ok(member) => self.member(settings, detector, &member, spare_core),
                Err(w) => self.warn(w),
            });
        };
        let flight = InFlight::new(2 * self.member_pool.workers);
        // In place: the reading thread expands (its allocator arena and caches stay warm),
        // the pool's threads detect.
        pool.in_place_scope(|s| {
            let mut batch = Batch::default();
            expanded(settings, &self.clocks, blob, &mut |item| match item {
                Ok(member) => {
                    batch.bytes += member.bytes.len() as u64;
                    batch.blobs.push(member);
                    if batch.bytes >= BATCH_BYTES || batch.blobs.len() >= BATCH_MEMBERS {
                        let batch = std::mem::take(&mut batch);
                        if !flight.enter(batch.bytes) {
                            // The flight is full: this thread helps rather than waits.
                            return self.batch(settings, detector, batch);
                        }
                        let flight = &flight;
                        s.spawn(move |_| {
                            let bytes = batch.bytes;
                            self.batch(settings, detector, batch);
                            flight.leave(bytes);
                        });
                    }
                }
                Err(w) => self.warn(w),
            });
            // The last members (always the archive's own bytes) on this thread, while the pool
            // finishes the others.
            self.batch(settings, detector, batch);
        });
    }

    /// Detects and classifies one file, standard input or archive member; with
    /// `spare_core`, a large one's whole reading beside its detection (`whole`).
    fn member(&self, settings: &Settings, detector: &Detector, blob: &Blob, spare_core: bool) {
        self.clocks.detect(|| {
            self.count(blob.bytes.len());
            let repo = &settings.repo;
            let (detections, reading) =
                whole::detect_beside(blob, repo, spare_core, || detect(detector, blob));
            self.notes(&detections, &blob.origin.path);
            let found = match reading {
                Some(r) => unsettled_by(&detections, blob, &r),
                None => unsettled(&detections, blob, repo),
            };
            self.found(settle_all(found, blob, settings.now));
        });
    }

    /// Detects a batch of members; they are dropped before the caller leaves the flight.
    fn batch(&self, settings: &Settings, detector: &Detector, batch: Batch) {
        for member in batch.blobs {
            self.member(settings, detector, &member, false);
        }
    }
}

/// Members handed to the pool together: one task (one wake-up of a pool thread) for many
/// small members, for the hand-off costs more than detecting a small member.
#[derive(Default)]
struct Batch {
    blobs: Vec<Blob>,
    bytes: u64,
}

/// Batches handed to the pool and not yet done: how many, and their bytes.
struct InFlight {
    state: Mutex<(usize, u64)>,
    max_batches: usize,
}

impl InFlight {
    fn new(max_batches: usize) -> InFlight {
        InFlight {
            state: Mutex::new((0, 0)),
            max_batches,
        }
    }

    /// Counts a batch of `bytes` in if it fits the bound; false (nothing counted) when not.
    fn enter(&self, bytes: u64) -> bool {
        let mut state = self.state.lock().expect("no panic while holding it");
        let fits = self.fits(*state, bytes);
        if fits {
            state.0 += 1;
            state.1 += bytes;
        }
        fits
    }

    fn leave(&self, bytes: u64) {
        let mut state = self.state.lock().expect("no panic while holding it");
        state.0 -= 1;
        state.1 -= bytes;
    }

    /// Nothing in flight, or room for `bytes` more within both bounds.
    fn fits(&self, (batches, held): (usize, u64), bytes: u64) -> bool {
        batches == 0 || (batches < self.max_batches && held + bytes <= IN_FLIGHT_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_member_always_fits_and_the_bounds_hold_after() {
        let flight = InFlight::new(2);
        assert!(flight.fits((0, 0), IN_FLIGHT_BYTES * 2));
        assert!(flight.fits((1, 10), IN_FLIGHT_BYTES - 10));
        assert!(!flight.fits((1, 10), IN_FLIGHT_BYTES - 9));
        assert!(!flight.fits((2, 0), 1));
    }

    #[test]
    fn a_full_flight_takes_nothing_until_a_batch_leaves() {
        let flight = InFlight::new(2);
        assert!(flight.enter(IN_FLIGHT_BYTES - 5));
        assert!(!flight.enter(6));
        assert!(flight.enter(5));
        assert!(!flight.enter(0));
        flight.leave(IN_FLIGHT_BYTES - 5);
        assert!(flight.enter(7));
        flight.leave(5);
        flight.leave(7);
        assert_eq!(*flight.state.lock().unwrap(), (0, 0));
        // Alone, a batch over the bound goes all the same.
        assert!(flight.enter(IN_FLIGHT_BYTES * 2));
    }
}
