//! The line of context printed with a finding, redacted before it is cut.
//!
//! Three rules hide credential values, applied to the whole stretch of line around the anchor
//! before the [`CONTEXT`]-character window is cut from it, so that no cut can leave a piece of
//! a value outside what was hidden (two windows on one line once showed the two halves of one
//! secret):
//!
//! 1. **By detection**: every secret and token the detector found in the blob (`masks`),
//!    wherever decoding found it, shows its first characters and `…`.
//! 2. **By name**: the values of a presigned URL's `Signature` and `Security-Token`
//!    parameters ([`SECRET_PARAMS`](super::SECRET_PARAMS)), however many times the URL was encoded.
//! 3. **By shape**: every run of [`MIN_HIDDEN_RUN`] or more credential characters, counting
//!    an escape that stands for one (`\/`, `\u002B`, `&#43;`, `%2F`) as one character and
//!    stepping over the zero bytes of UTF-16 text, whether or not the detector paired it: a
//!    line in a CI log must not carry a secret the detector missed.
//!
//! A run or value cut by the edge of the stretch read is hidden whatever its length. The
//! anchor itself (a key ID) is never hidden. Control characters become U+FFFD.
//!
//! Owns the snippet's text only; which spans are credentials is the detector's business.

use std::ops::Range;

mod stretch;

use super::units::{is_credential_byte, secret_param_values};
use stretch::Stretch;

/// Characters of context kept each side of the anchor.
pub const CONTEXT: usize = 120;

/// Shortest run of credential characters hidden by shape. Key IDs (20) stay readable; secret
/// access keys (40) and tokens (hundreds) do not.
pub const MIN_HIDDEN_RUN: usize = 32;

/// Bytes of the line read each side of the anchor. The window shown is cut from what these
/// give after redaction, so this only needs to be wide enough to fill it; correctness does
/// not depend on it (runs cut by this edge are hidden).
const READ: usize = 1024;

/// Credential spans in a text, sorted, for finding those near an offset in `O(log n)`: a
/// minified bundle can hold tens of thousands on one line.
#[derive(Debug, Default, Clone)]
pub struct Masks {
    ranges: Vec<Range<usize>>,
    /// `reach[i]`: the furthest end among `ranges[..=i]`.
    reach: Vec<usize>,
    /// Bytes decoded from base64 in the text (a decoded view), sorted, not overlapping:
    /// every one counts as a credential character. A base64 run can swallow the start of a
    /// plain secret written right after it (`…K3hD` + `AAAA…`), leaving in the view only a
    /// tail too short to hide by shape; counted with the decoded bytes before it, it is not.
    decoded: Vec<Range<usize>>,
}

impl Masks {
    pub fn new(mut ranges: Vec<Range<usize>>) -> Masks {
        ranges.sort_by_key(|r| (r.start, r.end));
        let reach = ranges
            .iter()
            .scan(0, |far, r| {
                *far = r.end.max(*far);
                Some(*far)
            })
            .collect();
        Masks {
            ranges,
            reach,
            decoded: Vec::new(),
        }
    }

    /// The same, for a decoded view whose bytes in `decoded` came from base64 (ranges in any
    /// order, overlapping or not).
    pub fn with_decoded(self, mut decoded: Vec<Range<usize>>) -> Masks {
        decoded.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(decoded.len());
        for r in decoded.into_iter().filter(|r| r.start < r.end) {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        Masks {
            decoded: merged,
            ..self
        }
    }

    /// The spans that overlap `lo..hi`.
    fn overlapping(&self, lo: usize, hi: usize) -> impl Iterator<Item = &Range<usize>> {
        let first = self.reach.partition_point(|&end| end <= lo);
        let last = self.ranges.partition_point(|r| r.start < hi).max(first);
        self.ranges[first..last].iter().filter(move |r| r.end > lo)
    }
}

/// The snippet for a finding whose anchor is `anchor` in `text`, on the line `line`:
/// redacted by `masks` (credential spans in `text`), by name and by shape, then cut
/// to [`CONTEXT`] characters each side of the anchor. `keep_anchor` shows the anchor as
/// written (a key ID); otherwise it is hidden like any credential.
pub fn redacted(
    text: &[u8],
    line: Range<usize>,
    anchor: Range<usize>,
    keep_anchor: bool,
    masks: &Masks,
) -> String {
    let line = without_cr(text, line, &anchor);
    let lo = anchor.start.saturating_sub(READ).max(line.start);
    let hi = (anchor.end + READ).min(line.end);
    // A decoded range ending right at `lo` is kept: a run starting there is glued to it.
    let first = masks.decoded.partition_point(|r| r.end < lo);
    let read = Stretch {
        text: &text[..hi],
        start: lo,
        cut_left: lo > line.start,
        cut_right: hi < line.end,
        decoded: &masks.decoded[first..],
    };
    let mut hidden: Vec<Range<usize>> = masks
        .overlapping(lo, hi)
        .map(|m| m.start.max(lo)..m.end.min(hi))
        .chain(
            secret_param_values(&text[lo..hi])
                .into_iter()
                .map(|(s, e)| lo + s..lo + e),
        )
        .collect();
    if keep_anchor {
        hidden.extend(glued_to_anchor(text, lo..hi, &anchor));
    } else {
        hidden.push(anchor.clone());
    }
    let keep = keep_anchor.then(|| anchor.clone());
    let out = read.render(&hidden, keep, anchor.start);
    out.window(CONTEXT, read.cut_left, read.cut_right)
}

/// Shortest run of credential characters, a kept anchor included, whose other characters are
/// hidden: a secret access key's length. A key ID glued inside a secret or token (a binary
/// record, a value that happens to hold `AKIA…`) splits the run around it into pieces too
/// short to hide by shape, and the anchor is shown.
const GLUED_RUN: usize = 40;

/// The credential characters glued to either side of the kept anchor, when with it they make
/// a run of [`GLUED_RUN`] or more: the part before (shown as its first characters and `…`, as
/// any hidden value) and the part after, which starts inside the anchor so that nothing of it
/// is shown but `…`.
fn glued_to_anchor(text: &[u8], read: Range<usize>, anchor: &Range<usize>) -> Vec<Range<usize>> {
    let before = text[read.start..anchor.start]
        .iter()
        .rev()
        .take_while(|&&b| is_credential_byte(b))
        .count();
    let after = text[anchor.end..read.end]
        .iter()
        .take_while(|&&b| is_credential_byte(b))
        .count();
    let mut out = Vec::new();
    if before + after == 0 || before + anchor.len() + after < GLUED_RUN {
        return out;
    }
    if before > 0 {
        out.push(anchor.start - before..anchor.start);
    }
    if after > 0 {
        out.push(anchor.end - 1..anchor.end + after);
    }
    out
}

/// [`redacted`] for a whole piece of text with nothing detected in it (a name, a message):
/// redacted by name and by shape, not cut.
pub fn redact_text(text: &[u8]) -> String {
    let read = Stretch {
        text,
        start: 0,
        cut_left: false,
        cut_right: false,
        decoded: &[],
    };
    let hidden: Vec<Range<usize>> = secret_param_values(text)
        .into_iter()
        .map(|(s, e)| s..e)
        .collect();
    read.render(&hidden, None, 0).into_string()
}

/// The snippet as written, for `--show-secrets`: the anchor's line cut to [`CONTEXT`] bytes
/// each side (on character boundaries when it is UTF-8), control characters as U+FFFD.
pub fn raw(text: &[u8], line: Range<usize>, anchor: Range<usize>) -> String {
    let line = without_cr(text, line, &anchor);
    let mut lo = anchor.start.saturating_sub(CONTEXT).max(line.start);
    let mut hi = (anchor.end + CONTEXT).min(line.end);
    while lo < anchor.start && (text[lo] & 0xC0) == 0x80 {
        lo += 1;
    }
    while hi > anchor.end && hi < text.len() && (text[hi] & 0xC0) == 0x80 {
        hi -= 1;
    }
    let mut out = String::new();
    if lo > line.start {
        out.push('…');
    }
    out.push_str(printable(&String::from_utf8_lossy(&text[lo..hi])).trim());
    if hi < line.end {
        out.push('…');
    }
    out
}

/// The line without the `\r` of a Windows line ending.
fn without_cr(text: &[u8], line: Range<usize>, anchor: &Range<usize>) -> Range<usize> {
    match line.end > anchor.end && text[line.end - 1] == b'\r' {
        true => line.start..line.end - 1,
        false => line,
    }
}

pub(super) fn printable(s: &str) -> String {
    s.replace(|c: char| c.is_control() && c != '\t', "\u{fffd}")
}

#[cfg(test)]
mod tests;
