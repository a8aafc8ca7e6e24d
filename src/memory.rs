//! The process's heap between stages: how freed memory goes back to the system, and the peak
//! resident set that `--stats` reports (issue 18); and each thread's spare buffers, reused
//! from one blob to the next ([`take_spare`], [`keep_spare`]).
//!
//! Owns glibc malloc's two thresholds and the points where freed memory is handed back; it
//! changes when memory is returned, never what is allocated or found. Elsewhere than glibc
//! (musl, macOS, Windows) [`bound_heap`] and [`release`] do nothing.
//!
//! Why (measured on git/git's full history, `mallinfo2` at each stage): of a 190 MB peak, the
//! heap in use was 40–70 MB, and 60–95 MB more was freed memory glibc kept. Two causes. The
//! history walk frees its 30 MB of commit nodes and the tree diffs churn through trees of
//! every size, leaving free holes below memory still in use, which glibc never returns on its
//! own; and once a large block (the plan's tables) is freed, glibc raises its mmap threshold
//! to that block's size and its trim threshold to twice that (up to 64 MB), so each worker's
//! arena then keeps tens of MB of freed blob buffers.

/// Allocations of this size and above get their own mapping, returned to the system when
/// freed. A fixed value also turns off glibc's raising of both thresholds. Blobs of git/git
/// and botocore above it are a few dozen and a few thousand: the extra mapping and page
/// faults per such blob are noise beside inflating it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 1 << 20;

/// Free memory above this at the top of an arena is returned at once.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD: libc::c_int = 8 << 20;

/// Fixes glibc's mmap and trim thresholds (once per process; see the module doc).
#[allow(unsafe_code)]
pub fn bound_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // SAFETY: mallopt only sets two of malloc's parameters, under malloc's own lock;
            // a refusal (it returns 0) leaves glibc's defaults: more memory, same findings.
            unsafe {
                libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
                libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
            }
        });
    }
}

/// Hands the free memory of every arena back to the system (glibc's `malloc_trim`): the pages
/// of free blocks are dropped, the blocks stay free. Cheap (a few milliseconds on a
/// 100 MB heap); called between stages and every few thousand commits or blobs.
#[allow(unsafe_code)]
pub fn release() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes each arena's lock in turn and only releases pages of free
    // blocks; other threads may allocate meanwhile.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The process's peak resident set so far, in bytes (`getrusage`), where the system says.
#[allow(unsafe_code)]
pub fn peak_rss() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: getrusage writes the struct it is given and nothing else.
        let usage = unsafe {
            if libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) != 0 {
                return None;
            }
            usage.assume_init()
        };
        let max = u64::try_from(usage.ru_maxrss).ok()?;
        // Kilobytes on Linux and the BSDs, bytes on macOS.
        Some(if cfg!(target_os = "macos") {
            max
        } else {
            max * 1024
        })
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// A thread's spare buffer: a `Vec` freed by one use and taken by the next on the same
/// thread, so that a walk of small blobs does not allocate and free one per blob (see
/// `model::blob` and `detect::prefilter`, which keep one each).
pub type Spare<T> = std::thread::LocalKey<std::cell::Cell<Vec<T>>>;

/// The spare buffer of this thread, emptied (a new one when there is none).
pub fn take_spare<T: 'static>(spare: &'static Spare<T>) -> Vec<T> {
    let mut kept = spare.take();
    kept.clear();
    kept
}

/// Keeps `buffer` as this thread's spare when it holds at most `at_most` elements and more
/// than the spare kept already; else it is freed. A thread that is ending keeps nothing.
pub fn keep_spare<T: 'static>(spare: &'static Spare<T>, buffer: Vec<T>, at_most: usize) {
    if buffer.capacity() > at_most {
        return;
    }
    let _ = spare.try_with(|spare| {
        let kept = spare.take();
        spare.set(if kept.capacity() >= buffer.capacity() {
            kept
        } else {
            buffer
        });
    });
}
