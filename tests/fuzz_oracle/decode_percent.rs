//! The URL decoder (`detect::decode::percent`): `%2F`, `%2B`, `%3D` in any bytes.
//!
//! Properties: a run is one `%XX` of the three, either hex case, decoded to `/`, `+` or `=`;
//! every one of them in the searched range is found, none outside it; the view maps back
//! like any other, on the same lines.

use keyleak::detect::decode::{Encoding, percent};

pub fn check(hay: &[u8]) {
    // The range comes from the input too, so edges are fuzzed: its first two bytes.
    let lo = usize::from(hay.first().copied().unwrap_or(0)) % (hay.len() + 1);
    let hi = lo + usize::from(hay.get(1).copied().unwrap_or(255)) * 8;
    let runs = percent::runs_in(hay, lo, hi);
    for run in &runs {
        super::check_run_shape(hay, run);
        let text = hay[run.start..run.end].to_ascii_uppercase();
        let want = match &text[..] {
            b"%2F" => b'/',
            b"%2B" => b'+',
            b"%3D" => b'=',
            _ => panic!("not a decoded escape: {run:?}"),
        };
        assert_eq!(run.decoded, [want], "{run:?}");
        assert!(
            run.start >= lo && run.start < hi,
            "{run:?} outside {lo}..{hi}"
        );
    }
    let expected = (lo..hi.min(hay.len()))
        .filter(|&at| {
            let text = hay.get(at..at + 3).map(<[u8]>::to_ascii_uppercase);
            matches!(text.as_deref(), Some(b"%2F" | b"%2B" | b"%3D"))
        })
        .count();
    assert_eq!(runs.len(), expected, "escapes found in {lo}..{hi}");
    super::check_view(hay, Encoding::Percent, &runs, true);
}
