//! Redaction by shape over one stretch of a line: the credential-character runs read in it,
//! which of them are hidden, and the window cut from the result. Owns the walk over the bytes;
//! which spans are hidden by detection or by name comes in from `snippet`.

use std::ops::Range;

use super::super::units::{is_credential_byte, unit_at};
use super::super::{SHOWN, redact};
use super::{MIN_HIDDEN_RUN, printable};
/// The part of a line that is read: `text[start..]`, with whether the line goes on past
/// either end.
pub(super) struct Stretch<'a> {
    pub(super) text: &'a [u8],
    pub(super) start: usize,
    pub(super) cut_left: bool,
    pub(super) cut_right: bool,
    /// `Masks::decoded` from the first range that ends at or after `start`.
    pub(super) decoded: &'a [Range<usize>],
}

/// A run of credential characters being read: from `start`, `units` characters so far.
struct Run {
    start: usize,
    units: usize,
    /// Its first [`SHOWN`] characters, decoded.
    head: String,
    /// It touches a hidden value: the rest of that value as the detector missed it (a token
    /// read up to a `%` that goes on as `%2B…`), hidden whatever its length.
    touches_hidden: bool,
    /// It holds bytes decoded from base64, and characters as written.
    decoded: bool,
    plain: bool,
}

/// Redacted text as characters, with where the anchor landed (a character range), and the
/// bytes read since the last hidden piece, not yet converted.
#[derive(Default)]
pub(super) struct Rendered {
    chars: Vec<char>,
    anchor: Option<(usize, usize)>,
    plain: Vec<u8>,
}

impl Stretch<'_> {
    /// Byte `at` of the text was decoded from base64.
    fn is_decoded(&self, at: usize) -> bool {
        let i = self.decoded.partition_point(|r| r.end <= at);
        self.decoded.get(i).is_some_and(|r| r.start <= at)
    }

    /// Walks the stretch once: hidden spans and the kept anchor are written as decided;
    /// between them, runs of credential characters are measured and hidden by shape.
    pub(super) fn render(
        &self,
        hidden: &[Range<usize>],
        keep: Option<Range<usize>>,
        anchor_at: usize,
    ) -> Rendered {
        let mut next_decoded = self.decoded.iter().peekable();
        let mut hidden: Vec<Range<usize>> = hidden.to_vec();
        hidden.sort_by_key(|r| r.start);
        let mut next_hidden = hidden.iter().peekable();
        let mut out = Rendered::default();
        let mut run: Option<Run> = None;
        // The last thing written was a hidden value, with nothing between it and `at`.
        let mut after_hidden = false;
        let end = self.text.len();
        let mut at = self.start;
        while at < end {
            while next_hidden.peek().is_some_and(|h| h.end <= at) {
                next_hidden.next();
            }
            if let Some(k) = keep.as_ref().filter(|k| k.start == at) {
                self.end_run(run.take(), at, false, &mut out);
                out.flush_plain();
                let from = out.chars.len();
                out.push_str(&String::from_utf8_lossy(&self.text[k.clone()]));
                out.anchor = Some((from, out.chars.len()));
                at = k.end.max(at + 1);
                continue;
            }
            if let Some(h) = next_hidden.peek().filter(|h| h.start <= at) {
                // A run going on up to this value is glued to it.
                self.end_run(run.take(), at, true, &mut out);
                out.flush_plain();
                let from = out.chars.len();
                let stop = match &keep {
                    Some(k) if k.start > at && k.start < h.end => k.start,
                    _ => h.end,
                };
                if h.start < at || (at == self.start && self.cut_left) {
                    // Its beginning is not shown here: nothing of it is.
                    out.push_str("…");
                } else {
                    out.push_str(&redact(&String::from_utf8_lossy(&self.text[at..stop])));
                }
                if out.anchor.is_none() && at <= anchor_at && anchor_at < stop {
                    out.anchor = Some((from, out.chars.len()));
                }
                at = stop;
                after_hidden = true;
                continue;
            }
            // A unit never swallows the first byte of the kept anchor (`%4` before `AKIA…`).
            let crosses_anchor = |len: usize| {
                keep.as_ref()
                    .is_some_and(|k| at < k.start && at + len > k.start)
            };
            while next_decoded.peek().is_some_and(|d| d.end <= at) {
                next_decoded.next();
            }
            let from_base64 = next_decoded.peek().is_some_and(|d| d.start <= at);
            let unit = match from_base64 {
                true => Some((b'?', 1)),
                false => unit_at(self.text, at),
            };
            if let Some((byte, len)) = unit.filter(|&(_, len)| !crosses_anchor(len)) {
                let r = run.get_or_insert_with(|| Run {
                    start: at,
                    units: 0,
                    head: String::new(),
                    touches_hidden: after_hidden,
                    decoded: false,
                    plain: false,
                });
                r.units += 1;
                match from_base64 {
                    true => r.decoded = true,
                    false => r.plain = true,
                }
                if r.head.len() < SHOWN && is_credential_byte(byte) {
                    r.head.push(char::from(byte));
                }
                at += len;
            } else if self.text[at] == 0
                && run.is_some()
                && self
                    .text
                    .get(at + 1)
                    .is_some_and(|&b| is_credential_byte(b))
            {
                // A zero byte of UTF-16 text between two characters: the run goes on.
                at += 1;
            } else {
                self.end_run(run.take(), at, false, &mut out);
                out.plain.push(self.text[at]);
                at += 1;
            }
            after_hidden = false;
        }
        self.end_run(run.take(), end, self.cut_right, &mut out);
        out.flush_plain();
        out
    }

    /// Ends a run at `end`: a short one is text like any other; a long one, one cut by
    /// either edge of the stretch or one glued to a hidden value (`touching`: the edge or a
    /// value follows it) is written hidden. So is a run of characters as written glued to
    /// bytes decoded from base64, on this line or across its edge: the base64 text swallowed
    /// the rest of it, so its length here says nothing of the value's.
    fn end_run(&self, run: Option<Run>, end: usize, touching: bool, out: &mut Rendered) {
        let Some(run) = run else {
            return;
        };
        let cut_left = self.cut_left && run.start == self.start;
        let glued_to_decoded = run.plain
            && (run.decoded
                || run.start.checked_sub(1).is_some_and(|b| self.is_decoded(b))
                || self.is_decoded(end));
        if run.units < MIN_HIDDEN_RUN
            && !cut_left
            && !touching
            && !run.touches_hidden
            && !glued_to_decoded
        {
            out.plain.extend_from_slice(&self.text[run.start..end]);
            return;
        }
        out.flush_plain();
        if !cut_left {
            let shown = SHOWN.min(run.units / 4);
            out.push_str(&run.head.chars().take(shown).collect::<String>());
        }
        out.push_str("…");
    }
}

impl Rendered {
    fn push_str(&mut self, s: &str) {
        self.chars.extend(s.chars());
    }

    fn flush_plain(&mut self) {
        if !self.plain.is_empty() {
            let text = printable(&String::from_utf8_lossy(&self.plain));
            self.chars.extend(text.chars());
            self.plain.clear();
        }
    }

    /// Cuts `context` characters each side of the anchor, trims, and marks each end where
    /// the line goes on with `…` (`cut_left`, `cut_right`: the stretch itself was cut).
    pub(super) fn window(self, context: usize, cut_left: bool, cut_right: bool) -> String {
        let (a, b) = self.anchor.unwrap_or((0, 0));
        let lo = a.saturating_sub(context);
        let hi = (b + context).min(self.chars.len());
        let body: String = self.chars[lo..hi].iter().collect();
        let mut out = String::new();
        let body = body.trim();
        if (lo > 0 || cut_left) && !body.starts_with('…') {
            out.push('…');
        }
        out.push_str(body);
        if (hi < self.chars.len() || cut_right) && !body.ends_with('…') {
            out.push('…');
        }
        out
    }

    pub(super) fn into_string(self) -> String {
        self.chars.into_iter().collect()
    }
}
