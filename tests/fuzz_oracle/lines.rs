//! Line and column arithmetic (`detect::lines`) against a direct count.
//!
//! `LineIndex` keeps a cursor and restarts when asked for an earlier offset, so it is asked for
//! every offset in order and then for offsets picked by the input's own bytes, backwards and
//! forwards. The window helpers pairing relies on stay inside their byte bounds and move by
//! whole lines.

use keyleak::detect::lines::{
    LineIndex, line_end, line_start, lines_back, lines_forward, newlines_between,
};

/// Runs every check on `hay`; the queries in random order come from `hay` itself.
pub fn check(hay: &[u8]) {
    let mut index = LineIndex::new(hay);
    // The direct count costs a pass per offset: a sample of at most ~256 offsets, in order.
    for at in (0..=hay.len()).step_by(1 + hay.len() / 256) {
        check_position(hay, &mut index, at);
    }
    for (i, &b) in hay.iter().enumerate().take(64) {
        let at = usize::from(b) * (hay.len() + 1) / 256;
        check_position(hay, &mut index, at);
        check_windows(
            hay,
            at,
            usize::from(b % 8),
            1 + usize::from(hay[hay.len() - 1 - i]) * 4,
        );
    }
}

fn check_position(hay: &[u8], index: &mut LineIndex<'_>, at: usize) {
    let pos = index.locate(at);
    let prefix = &hay[..at];
    let line = 1 + memchr::memchr_iter(b'\n', prefix).count();
    let start = prefix
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let end = hay[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(hay.len(), |i| at + i);
    let before = &hay[start..at];
    let column = 1 + std::str::from_utf8(before).map_or(before.len(), |s| s.chars().count());
    assert_eq!(pos.line as usize, line, "line of offset {at}");
    assert_eq!(pos.column as usize, column, "column of offset {at}");
    assert_eq!(
        (pos.line_start, pos.line_end),
        (start, end),
        "line of offset {at}"
    );
    assert_eq!((line_start(hay, at), line_end(hay, at)), (start, end));
}

fn check_windows(hay: &[u8], at: usize, lines: usize, max_bytes: usize) {
    let floor = at.saturating_sub(max_bytes);
    let back = lines_back(hay, at, lines, max_bytes);
    assert!(
        floor <= back && back <= at,
        "lines_back({at}, {lines}, {max_bytes}) = {back}"
    );
    let up = newlines_between(hay, back, at);
    assert!(up <= lines, "lines_back went {up} lines up, not {lines}");
    let at_line_start = back == 0 || hay[back - 1] == b'\n';
    assert!(
        back == floor || (at_line_start && (up == lines || back == 0)),
        "lines_back({at}, {lines}, {max_bytes}) = {back}: neither a bound nor {lines} lines up"
    );

    let ceiling = hay.len().min(at + max_bytes);
    let fwd = lines_forward(hay, at, lines, max_bytes);
    assert!(
        fwd <= ceiling,
        "lines_forward({at}, {lines}, {max_bytes}) = {fwd}"
    );
    assert!(fwd >= at, "lines_forward({at}) = {fwd} went back");
    let down = newlines_between(hay, at, fwd);
    assert!(
        down <= lines,
        "lines_forward went {down} lines down, not {lines}"
    );
    let at_line_end = fwd == hay.len() || hay[fwd] == b'\n';
    assert!(
        fwd == ceiling || (at_line_end && (down == lines || fwd == hay.len())),
        "lines_forward({at}, {lines}, {max_bytes}) = {fwd}: neither a bound nor {lines} lines down"
    );
}
