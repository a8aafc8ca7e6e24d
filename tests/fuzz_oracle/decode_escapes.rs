//! The escape decoder (`detect::decode`, escapes): runs and views built from any bytes.
//!
//! Properties: every run decodes one printable ASCII byte per escape, from where its origins
//! say, and stops at the first byte that is not an escape; decoding is bounded (each escape
//! is at least two bytes: `\/`); every view offset maps inside the original, in order, to the
//! byte or escape it came from, on the same line.

use keyleak::detect::decode::{Encoding, MIN_RUN_CHARS, Run, escape_at};

pub fn check(hay: &[u8]) {
    let runs = super::escape_runs(hay);
    let mut last_end = 0;
    for run in &runs {
        check_run(hay, run);
        assert!(run.start >= last_end, "runs overlap: {runs:?}");
        last_end = run.end;
    }
    super::check_view(hay, Encoding::Escaped, &runs, true);
}

fn check_run(hay: &[u8], run: &Run) {
    super::check_run_shape(hay, run);
    assert!(run.decoded.len() >= MIN_RUN_CHARS, "{run:?}");
    assert!(
        run.end - run.start >= 2 * run.decoded.len(),
        "unbounded: {run:?}"
    );
    let mut at = run.start;
    for (&origin, &byte) in run.origins.iter().zip(&run.decoded) {
        assert_eq!(origin, at, "escapes are consecutive: {run:?}");
        let (decoded, len) = escape_at(hay, origin).expect("an origin is an escape");
        assert_eq!(decoded, byte, "{run:?}");
        assert!((0x20..0x7f).contains(&byte), "not printable ASCII: {run:?}");
        at += len;
    }
    assert_eq!(at, run.end, "{run:?}");
    assert!(
        escape_at(hay, run.end).is_none(),
        "run stops early: {run:?}"
    );
}
