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

/// A cursor that counts newlines incrementally: asking for offsets in increasing order costs
/// one pass over the blob in all.
pub struct LineIndex<'a> {
    hay: &'a [u8],
    offset: usize,
    line: u32,
}

impl<'a> LineIndex<'a> {
    pub fn new(hay: &'a [u8]) -> LineIndex<'a> {
        LineIndex {
            hay,
            offset: 0,
            line: 1,
        }
    }

    pub fn locate(&mut self, offset: usize) -> Position {
        if offset < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        let newlines = memchr_iter(b'\n', &self.hay[self.offset..offset]).count();
        self.line += u32::try_from(newlines).unwrap_or(u32::MAX);
        self.offset = offset;
        let line_start = line_start(self.hay, offset);
        let line_end = line_end(self.hay, offset);
        let prefix = &self.hay[line_start..offset];
        let column = match std::str::from_utf8(prefix) {
            Ok(s) => s.chars().count(),
            Err(_) => prefix.len(),
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
/// `max_bytes`.
pub fn lines_back(hay: &[u8], offset: usize, lines: usize, max_bytes: usize) -> usize {
    let floor = offset.saturating_sub(max_bytes);
    let mut start = line_start(hay, offset);
    for _ in 0..lines {
        if start <= floor || start == 0 {
            break;
        }
        start = line_start(hay, start - 1);
    }
    start.max(floor)
}

/// End of the line `lines` lines below the one holding `offset`, but no further than
/// `max_bytes`.
pub fn lines_forward(hay: &[u8], offset: usize, lines: usize, max_bytes: usize) -> usize {
    let ceiling = hay.len().min(offset + max_bytes);
    let mut end = line_end(hay, offset);
    for _ in 0..lines {
        if end >= ceiling {
            break;
        }
        end = line_end(hay, end + 1);
    }
    end.min(ceiling)
}

/// Number of `\n` between two offsets.
pub fn newlines_between(hay: &[u8], a: usize, b: usize) -> usize {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    memchr_iter(b'\n', &hay[lo..hi]).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let hay = "ab\ncdé f\n\nxyz".as_bytes();
        let mut idx = LineIndex::new(hay);
        let p = idx.locate(0);
        assert_eq!((p.line, p.column), (1, 1));
        let f = hay.iter().position(|&b| b == b'f').unwrap();
        let p = idx.locate(f);
        assert_eq!((p.line, p.column), (2, 5));
        assert_eq!(&hay[p.line_start..p.line_end], "cdé f".as_bytes());
        let p = idx.locate(hay.len() - 1);
        assert_eq!((p.line, p.column), (4, 3));
        // Going backwards restarts the count.
        assert_eq!(idx.locate(1).line, 1);
    }

    #[test]
    fn windows() {
        let hay = b"l1\nl2\nl3\nl4\nl5";
        let l3 = 6;
        assert_eq!(lines_back(hay, l3, 1, 100), 3);
        assert_eq!(lines_back(hay, l3, 9, 100), 0);
        assert_eq!(lines_forward(hay, l3, 1, 100), 11);
        assert_eq!(lines_forward(hay, l3, 9, 100), hay.len());
        assert_eq!(lines_back(hay, l3, 9, 4), 2);
        assert_eq!(newlines_between(hay, 0, hay.len()), 4);
    }
}
