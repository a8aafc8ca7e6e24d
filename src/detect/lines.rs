//! Byte offsets to line and column numbers, computed only for hits.
//!
//! The scanner never splits a blob into lines: it finds hits on raw bytes, then asks this
//! module where they are. Lines end at `\n`; columns count Unicode scalar values from 1 when
//! the line prefix is valid UTF-8, bytes otherwise.

use memchr::{memchr, memchr_iter, memrchr};

/// Where a byte offset sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column (characters when valid UTF-8, else bytes).
    pub column: u32,
    /// Byte range of the whole line, without its `\n`.
    pub line_start: usize,
    pub line_end: usize,
}

/// Newlines counted ahead over a whole blob, at every [`LineMarks::EVERY`] bytes: a
/// [`LineIndex`] given them jumps to the mark below an offset instead of counting from the
/// last one. Counted on a thread of their own beside detection (see `scan`), they take the
/// count off the path from detection to report for a large blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineMarks {
    /// `newlines[k]`: the newlines in the blob's first `k * EVERY` bytes.
    newlines: Vec<usize>,
}

impl LineMarks {
    /// Bytes between two marks.
    pub const EVERY: usize = 1 << 20;

    /// The marks of `hay`: one pass (what [`LineCounter`] gives, counted in one go).
    #[cfg(test)]
    pub fn count(hay: &[u8]) -> LineMarks {
        LineCounter::default().finish(hay)
    }

    /// The last mark at or before `offset`: (its offset, newlines before it).
    fn below(&self, offset: usize) -> (usize, usize) {
        let k = (offset / Self::EVERY).min(self.newlines.len() - 1);
        (k * Self::EVERY, self.newlines[k])
    }
}

/// [`LineMarks`] counted piece by piece, as another pass goes over the same bytes: each
/// piece counted while it is in the cache.
#[derive(Debug)]
pub struct LineCounter {
    /// Newlines before each mark passed (none before the first, at 0).
    newlines: Vec<usize>,
    total: usize,
    /// Bytes counted.
    at: usize,
}

impl Default for LineCounter {
    fn default() -> LineCounter {
        LineCounter {
            newlines: vec![0],
            total: 0,
            at: 0,
        }
    }
}

impl LineCounter {
    /// Counts `hay` on up to `to` (clipped to `hay`); `hay` must be the same each time.
    pub fn count_to(&mut self, hay: &[u8], to: usize) {
        let to = to.min(hay.len());
        while self.at < to {
            let mark = self.newlines.len() * LineMarks::EVERY;
            let end = to.min(mark);
            self.total += memchr_iter(b'\n', &hay[self.at..end]).count();
            self.at = end;
            if end == mark {
                self.newlines.push(self.total);
            }
        }
    }

    /// The marks of `hay`, what is left of it counted.
    pub fn finish(mut self, hay: &[u8]) -> LineMarks {
        self.count_to(hay, hay.len());
        LineMarks {
            newlines: self.newlines,
        }
    }
}

/// A cursor that counts newlines incrementally: asking for offsets in increasing order costs
/// one pass over the blob in all, however many offsets share a line (a minified bundle with
/// thousands of keys on its one line is read once, not once per key); with [`LineMarks`], at
/// most [`LineMarks::EVERY`] bytes per offset.
pub struct LineIndex<'a> {
    hay: &'a [u8],
    marks: Option<&'a LineMarks>,
    offset: usize,
    line: u32,
    /// The line holding `offset`, once asked for: its byte range.
    current: Option<(usize, usize)>,
    /// Characters from the line's start to `offset`, while that prefix is valid UTF-8.
    chars: Option<usize>,
    /// The line holds a byte that is never valid UTF-8 before `offset`: columns count bytes
    /// from here to its end.
    invalid: bool,
}

impl<'a> LineIndex<'a> {
    pub fn new(hay: &'a [u8]) -> LineIndex<'a> {
        LineIndex::with_marks(hay, None)
    }

    /// A cursor over `hay` that jumps by `marks`, which must be `hay`'s.
    pub fn with_marks(hay: &'a [u8], marks: Option<&'a LineMarks>) -> LineIndex<'a> {
        LineIndex {
            hay,
            marks,
            offset: 0,
            line: 1,
            current: None,
            chars: None,
            invalid: false,
        }
    }

    pub fn locate(&mut self, offset: usize) -> Position {
        if offset < self.offset {
            *self = LineIndex::with_marks(self.hay, self.marks);
        }
        let (line_start, line_end) = match self.current {
            Some((start, end)) if offset <= end && self.offset >= start => {
                // Same line as the last offset: count on from there.
                self.chars = self.chars.and_then(|n| {
                    let more = std::str::from_utf8(&self.hay[self.offset..offset]).ok()?;
                    Some(n + more.chars().count())
                });
                (start, end)
            }
            _ => {
                if let Some((mark, before)) = self.marks.map(|m| m.below(offset))
                    && mark > self.offset
                {
                    self.offset = mark;
                    self.line = u32::try_from(before + 1).unwrap_or(u32::MAX);
                }
                let newlines = memchr_iter(b'\n', &self.hay[self.offset..offset]).count();
                self.line = self
                    .line
                    .saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
                let start = line_start(self.hay, offset);
                let prefix = &self.hay[start..offset];
                self.chars = std::str::from_utf8(prefix).ok().map(|s| s.chars().count());
                self.invalid = false;
                (start, line_end(self.hay, offset))
            }
        };
        self.offset = offset;
        self.current = Some((line_start, line_end));
        // A prefix that is not valid UTF-8 counts bytes; one that stopped being valid at the
        // last offset may be valid again (a character cut by that offset): count it whole.
        let column = match self.chars {
            Some(n) => n,
            None if self.invalid => offset - line_start,
            None => match std::str::from_utf8(&self.hay[line_start..offset]) {
                Ok(s) => {
                    let n = s.chars().count();
                    self.chars = Some(n);
                    n
                }
                Err(e) => {
                    self.invalid = e.error_len().is_some();
                    offset - line_start
                }
            },
        };
        Position {
            line: self.line,
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
            line_start,
            line_end,
        }
    }
}

pub fn line_start(hay: &[u8], offset: usize) -> usize {
    memrchr(b'\n', &hay[..offset]).map_or(0, |i| i + 1)
}

pub fn line_end(hay: &[u8], offset: usize) -> usize {
    memchr(b'\n', &hay[offset..]).map_or(hay.len(), |i| offset + i)
}

/// Start of the line `lines` lines above the one holding `offset`, but no further back than
/// `max_bytes`. Reads at most `max_bytes`, however long the lines.
pub fn lines_back(hay: &[u8], offset: usize, lines: usize, max_bytes: usize) -> usize {
    let floor = offset.saturating_sub(max_bytes);
    let start_from = |at: usize| memrchr(b'\n', &hay[floor..at]).map_or(floor, |i| floor + i + 1);
    let mut start = start_from(offset);
    for _ in 0..lines {
        if start <= floor {
            break;
        }
        start = start_from(start - 1);
    }
    start
}

/// End of the line `lines` lines below the one holding `offset`, but no further than
/// `max_bytes`. Reads at most `max_bytes`, however long the lines.
pub fn lines_forward(hay: &[u8], offset: usize, lines: usize, max_bytes: usize) -> usize {
    let ceiling = hay.len().min(offset + max_bytes);
    let end_from = |at: usize| memchr(b'\n', &hay[at..ceiling]).map_or(ceiling, |i| at + i);
    let mut end = end_from(offset.min(ceiling));
    for _ in 0..lines {
        if end >= ceiling {
            break;
        }
        end = end_from(end + 1);
    }
    end
}

/// Number of `\n` between two offsets.
pub fn newlines_between(hay: &[u8], a: usize, b: usize) -> usize {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    memchr_iter(b'\n', &hay[lo..hi]).count()
}

#[cfg(test)]
mod tests;
