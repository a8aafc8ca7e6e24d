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

use super::units::{is_credential_byte, secret_param_values, unit_at};
use super::{SHOWN, redact};

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

fn printable(s: &str) -> String {
    s.replace(|c: char| c.is_control() && c != '\t', "\u{fffd}")
}

/// The part of a line that is read: `text[start..]`, with whether the line goes on past
/// either end.
struct Stretch<'a> {
    text: &'a [u8],
    start: usize,
    cut_left: bool,
    cut_right: bool,
    /// [`Masks::decoded`] from the first range that ends at or after `start`.
    decoded: &'a [Range<usize>],
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
struct Rendered {
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
    fn render(
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
    fn window(self, context: usize, cut_left: bool, cut_right: bool) -> String {
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

    fn into_string(self) -> String {
        self.chars.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AKIARZPUZDIKGB2VALC4";
    const SECRET: &str = "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";

    /// The snippet of the key ID at its first occurrence in `line`.
    fn of_key(line: &str, masks: &[Range<usize>]) -> String {
        let masks = &Masks::new(masks.to_vec());
        let at = line.find(KEY).unwrap();
        redacted(
            line.as_bytes(),
            0..line.len(),
            at..at + KEY.len(),
            true,
            masks,
        )
    }

    /// Longest piece of `secret` (decoded) that `shown` contains.
    fn longest_piece(shown: &str, secret: &str) -> usize {
        (0..secret.len())
            .flat_map(|i| (i + 1..=secret.len()).map(move |j| (i, j)))
            .filter(|&(i, j)| shown.contains(&secret[i..j]))
            .map(|(i, j)| j - i)
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn key_ids_stay_and_secrets_go() {
        let line = format!("k={KEY} s=\"{SECRET}\"");
        assert_eq!(of_key(&line, &[]), format!("k={KEY} s=\"q8Lr…\""));
        let line = format!("AccessKeyId={KEY}");
        assert_eq!(of_key(&line, &[]), line);
    }

    /// A key ID glued inside a longer run (a secret or token that holds `AKIA…`, a binary
    /// record) stays readable; the rest of the run does not, though the key splits it into
    /// pieces too short to hide by shape. A credential scope after a key stays readable.
    #[test]
    fn a_key_glued_inside_a_secret_hides_the_rest() {
        let line = format!("x = q8Lr2Zx/Kd7PwYm3VfT{KEY}s_ac");
        assert_eq!(of_key(&line, &[]), format!("x = q8Lr…{KEY}…_ac"));
        let line = format!("t={KEY}{}", &SECRET[..20]);
        assert_eq!(of_key(&line, &[]), format!("t={KEY}…"));
        let line = format!("X-Amz-Credential={KEY}/20230101/us-east-1/s3/aws4_request");
        assert_eq!(of_key(&line, &[]), line);
        let line = format!("id={KEY}x");
        assert_eq!(of_key(&line, &[]), line);
    }

    #[test]
    fn one_escape_does_not_split_a_secret() {
        for escaped in [
            SECRET.replace('/', r"\/"),
            SECRET.replace('/', r"\\/"),
            SECRET.replace('+', r"\u002B").replace('/', r"\u002F"),
            SECRET.replace('+', "&#43;").replace('/', "&#x2F;"),
            SECRET.replace('+', "&plus;").replace('/', "&sol;"),
            SECRET.replace('+', "%2B").replace('/', "%2F"),
            SECRET.replace('+', "%252B").replace('/', "%252F"),
            SECRET.replace('/', r"\x2f"),
        ] {
            let line = format!(r#"{{"AccessKeyId":"{KEY}","SecretAccessKey":"{escaped}"}}"#);
            let shown = of_key(&line, &[]);
            assert!(shown.contains("q8Lr…"), "{shown}");
            assert!(longest_piece(&shown, SECRET) <= 4, "{escaped}: {shown}");
        }
    }

    #[test]
    fn utf16_secret_beside_an_ascii_key() {
        let mut text = format!("key={KEY}\0\0").into_bytes();
        for b in SECRET.bytes() {
            text.extend([b, 0]);
        }
        let at = 4;
        let shown = redacted(&text, 0..text.len(), at..at + 20, true, &Masks::default());
        let readable: String = shown.chars().filter(|&c| c != '\u{fffd}').collect();
        assert!(longest_piece(&readable, SECRET) <= 4, "{shown}");
        assert!(shown.starts_with(&format!("key={KEY}")), "{shown}");
    }

    /// Two key IDs on one long line with a secret between them, placed so that each window
    /// ends inside it: the windows together must not show it.
    #[test]
    fn windows_never_cut_inside_a_secret() {
        let second = "AKIAQ3T7WZKXM5RDPV2N";
        let mut line = format!("a={KEY}");
        let secret_at = 2 + 20 + CONTEXT - 31;
        line.push_str(&" ".repeat(secret_at - line.len()));
        line.push_str(SECRET);
        line.push_str(&" ".repeat(secret_at + 9 + CONTEXT - line.len()));
        line.push_str(second);
        let at2 = line.find(second).unwrap();
        let one = of_key(&line, &[]);
        let none = Masks::default();
        let two = redacted(line.as_bytes(), 0..line.len(), at2..at2 + 20, true, &none);
        for shown in [&one, &two] {
            assert!(longest_piece(shown, SECRET) <= 4, "{shown}");
        }
        assert!(one.contains(KEY) && two.contains(second));
    }

    #[test]
    fn detected_spans_are_hidden_whatever_their_shape() {
        // A short value the shape rule would let through, hidden because it was detected.
        let line = format!("{KEY} token=abcdefghijklmnop end");
        let at = line.find("abcd").unwrap();
        let mask = at..at + 16;
        let shown = of_key(&line, std::slice::from_ref(&mask));
        assert_eq!(shown, format!("{KEY} token=abcd… end"));
    }

    #[test]
    fn lone_secret_anchor_is_hidden() {
        let line = format!("aws_secret_access_key = {SECRET}");
        let at = line.find(SECRET).unwrap();
        let shown = redacted(
            line.as_bytes(),
            0..line.len(),
            at..at + 40,
            false,
            &Masks::default(),
        );
        assert_eq!(shown, "aws_secret_access_key = q8Lr…");
    }

    #[test]
    fn presigned_values_are_hidden_by_name_nested_or_not() {
        let line = format!(
            "https://h/k?X-Amz-Credential={KEY}%2F20250101&X-Amz-Security-Token=IQoJb3JpZ2luX2Vj%2Fab%2Bc&X-Amz-Signature=0a1b2c3d\""
        );
        assert_eq!(
            of_key(&line, &[]),
            format!(
                "https://h/k?X-Amz-Credential={KEY}%2F20250101&X-Amz-Security-Token=IQoJ…&X-Amz-Signature=0a…\""
            )
        );
        let token = "IQoJb3JpZ2luX2Vj%252Fabc%252Bdefghijklmn%252Fopqrstuv%252Bwxyz0123456789";
        let line = format!(
            "next=https%3A%2F%2Fh%2Fk%3FX-Amz-Security-Token%3D{token}%26X-Amz-Credential%3D{KEY}%252F2025"
        );
        let shown = of_key(&line, &[]);
        assert!(!shown.contains("Fabc"), "{shown}");
        assert!(shown.contains(KEY), "{shown}");
    }

    #[test]
    fn a_run_cut_by_the_edge_of_what_is_read_is_hidden() {
        // A long run of credential characters from far before the key: whatever is left of
        // it after the stretch read is cut shows nothing.
        let line = format!("{} {} x={KEY}", "Ab1/".repeat(2000), "Zz9+".repeat(3));
        let shown = of_key(&line, &[]);
        assert!(shown.starts_with('…'), "{shown}");
        assert!(shown.contains(&format!("x={KEY}")), "{shown}");
    }

    #[test]
    fn an_escape_never_swallows_the_key() {
        let line = format!("v=%4{KEY} s={SECRET}");
        assert_eq!(of_key(&line, &[]), format!("v=%4{KEY} s=q8Lr…"));
    }

    /// A base64 run that swallowed the start of a plain secret leaves its tail in the view:
    /// counted with the decoded bytes before it, it is hidden.
    #[test]
    fn a_tail_after_base64_decoded_bytes_is_hidden() {
        let tail = &SECRET[18..];
        let line = format!("{KEY} s = \u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}\u{e}\u{f}{tail}");
        let decoded_at = line.find('\u{1}').unwrap();
        let masks =
            Masks::default().with_decoded(std::iter::once(decoded_at..decoded_at + 10).collect());
        let shown = redacted(line.as_bytes(), 0..line.len(), 0..20, true, &masks);
        // The run's first credential characters, as for any hidden run.
        assert_eq!(shown, format!("{KEY} s = {}…", &tail[..4]));
        let plain = of_key(&line, &[]);
        assert!(plain.contains(tail), "{plain}");
    }

    /// However few bytes base64 left on the line, or none (the decoded text ended with a
    /// line break), a tail glued to them is hidden: its length here says nothing.
    #[test]
    fn a_tail_glued_to_decoded_bytes_is_hidden_at_any_length() {
        let tail = &SECRET[30..];
        let same_line = format!("{KEY} s = \u{1}\u{2}{tail}\" x");
        let at = same_line.find('\u{1}').unwrap();
        let masks = Masks::default().with_decoded(std::iter::once(at..at + 2).collect());
        let shown = redacted(
            same_line.as_bytes(),
            0..same_line.len(),
            0..20,
            true,
            &masks,
        );
        assert_eq!(shown, format!("{KEY} s = {}…\" x", &tail[..3]));
        // The decoded text ends with its line break: the tail starts the next line.
        let two_lines = format!("\u{1}\u{2}\n{tail}\" {KEY}");
        let masks = Masks::default().with_decoded(std::iter::once(0..3).collect());
        let line = 3..two_lines.len();
        let anchor = two_lines.len() - 20..two_lines.len();
        let shown = redacted(two_lines.as_bytes(), line, anchor, true, &masks);
        assert_eq!(shown, format!("{}…\" {KEY}", &tail[..2]));
        // Not glued: a space between.
        let apart = format!("\u{1}\u{2} {tail}\" {KEY}");
        let masks = Masks::default().with_decoded(std::iter::once(0..2).collect());
        let anchor = apart.len() - 20..apart.len();
        let shown = redacted(apart.as_bytes(), 0..apart.len(), anchor, true, &masks);
        assert!(shown.contains(tail), "{shown}");
    }

    /// A detected value read up to a byte its alphabet lacks (`%`) may go on past it: what
    /// is glued to it, on either side, is hidden with it.
    #[test]
    fn runs_glued_to_a_hidden_value_are_hidden() {
        let line = format!("{KEY} t=IQoJb3JpZ2lu%252BAAAAAAAAAAAAA x");
        let at = line.find("IQoJ").unwrap();
        let token = at..at + 12;
        let shown = of_key(&line, std::slice::from_ref(&token));
        assert_eq!(shown, format!("{KEY} t=IQo…+AA… x"));
        let before = format!("{KEY} t=AAAAAAAAAA%2BIQoJb3JpZ2lu x");
        let at = before.find("IQoJ").unwrap();
        let token = at..at + 12;
        let shown = of_key(&before, std::slice::from_ref(&token));
        assert!(!shown.contains("AAAAAAAA"), "{shown}");
    }

    #[test]
    fn masks_near_an_offset() {
        let masks = Masks::new(vec![50..60, 0..100, 10..12, 200..210, 205..300]);
        let near = |lo, hi| {
            masks
                .overlapping(lo, hi)
                .map(|r| (r.start, r.end))
                .collect::<Vec<_>>()
        };
        assert_eq!(near(20, 30), [(0, 100)]);
        assert_eq!(near(55, 56), [(0, 100), (50, 60)]);
        assert!(near(100, 200).is_empty());
        assert_eq!(near(206, 207), [(200, 210), (205, 300)]);
        assert!(near(400, 500).is_empty());
    }

    #[test]
    fn raw_is_the_line_as_written() {
        let line = format!("k={KEY} s=\"{SECRET}\"\u{1b}");
        let at = 2;
        assert_eq!(
            raw(line.as_bytes(), 0..line.len(), at..at + 20),
            format!("k={KEY} s=\"{SECRET}\"\u{fffd}")
        );
    }

    #[test]
    fn names_keep_short_parts() {
        assert_eq!(
            redact_text(format!("creds-{SECRET}.env").as_bytes()),
            "creds-q8Lr….env"
        );
        assert_eq!(redact_text(b"src/app.py"), "src/app.py");
    }
}
