//! Progress on stderr for long scans: commits walked, then blobs and bytes scanned; in a
//! multi-repository scan, after which repository of how many (`repository 3/20 NAME: `).
//!
//! Workers only bump the atomic [`Counters`]; a single reporter thread reads them and draws an
//! `indicatif` bar (it owns terminal detection and redraw rate limiting). Shown only when
//! stderr is a terminal, so logs, pipes and tests never see it. Nothing here touches stdout.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// What a scan has done so far; bumped by workers with relaxed atomics.
#[derive(Debug, Default)]
pub struct Counters {
    pub commits: AtomicU64,
    pub blobs: AtomicU64,
    pub bytes: AtomicU64,
    /// Blobs to scan, once known (0 while the history is still being walked).
    pub blobs_total: AtomicU64,
}

/// A running progress display; [`Progress::finish`] clears it.
pub struct Progress {
    counters: Arc<Counters>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts drawing when stderr is a terminal; otherwise only counts.
    pub fn start() -> Progress {
        Progress::start_in(String::new())
    }

    /// [`Progress::start`], every line after `prefix` (printable text, the caller's).
    pub fn start_in(prefix: String) -> Progress {
        Progress::spawn(move |counters, stop| draw(counters, stop, prefix))
    }

    /// A spinner and `text` (printable, the caller's), for a wait that counts nothing (a
    /// clone or fetch).
    pub fn waiting(text: String) -> Progress {
        Progress::spawn(move |_, stop| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("valid template"));
            bar.set_message(text);
            while !stop.load(Ordering::Relaxed) {
                bar.tick();
                std::thread::sleep(Duration::from_millis(100));
            }
            bar.finish_and_clear();
        })
    }

    fn spawn(draw: impl FnOnce(&Counters, &AtomicBool) + Send + 'static) -> Progress {
        let counters = Arc::new(Counters::default());
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::io::stderr().is_terminal().then(|| {
            let counters = Arc::clone(&counters);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || draw(&counters, &stop))
        });
        Progress {
            counters,
            stop,
            thread,
        }
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            // A panicked progress thread lost only the display.
            let _ = t.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn draw(counters: &Counters, stop: &AtomicBool, prefix: String) {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(ProgressStyle::with_template("{prefix}{spinner} {msg}").expect("valid template"));
    bar.set_prefix(prefix);
    let mut scanning = false;
    while !stop.load(Ordering::Relaxed) {
        let commits = counters.commits.load(Ordering::Relaxed);
        let total = counters.blobs_total.load(Ordering::Relaxed);
        if total > 0 && !scanning {
            scanning = true;
            bar.set_length(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix}{bar:20} {pos}/{len} blobs, {msg}, {elapsed}",
                )
                .expect("valid template"),
            );
        }
        if scanning {
            bar.set_position(counters.blobs.load(Ordering::Relaxed));
            let bytes = counters.bytes.load(Ordering::Relaxed);
            bar.set_message(format!(
                "{}, {commits} commits",
                indicatif::HumanBytes(bytes)
            ));
        } else {
            bar.set_message(format!("walking history: {commits} commits"));
            bar.tick();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bar.finish_and_clear();
}
