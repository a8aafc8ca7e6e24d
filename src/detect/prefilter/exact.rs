//! The one pass's literal check: a position the buckets let through, against the literals of
//! one search that start with its byte, in that search's order.
//!
//! Owns only that comparison; which positions are tried is the buckets' (`buckets`), and the
//! order of the literals the searches' (`literal_sets`). It must give the hit the search's
//! leftmost-first automaton gives at that position (test `buckets_find_what_the_searches_find`).

use super::Anchor;

/// One search's literals, in its order, listed by first byte: the leftmost-first search's
/// hit at a position is the first literal of the list that starts there.
pub struct Exact {
    literals: Vec<Literal>,
    by_first: Vec<Vec<u8>>,
}

/// A literal, with its first eight bytes as one word (and which of them it has): most
/// positions the buckets let through differ from each literal there, which one comparison
/// of words tells, and a literal of eight bytes or fewer needs no call to `memcmp` at all
/// (dense tree: 4% of the time in `memcmp` with no word, 1.7% with a word of four bytes).
struct Literal {
    bytes: Vec<u8>,
    anchor: Anchor,
    head: u64,
    mask: u64,
}

/// Bytes of a literal compared as one word.
const HEAD: usize = 8;

impl Literal {
    fn new(bytes: &[u8], anchor: Anchor) -> Literal {
        let mut head = [0u8; HEAD];
        let mut mask = [0u8; HEAD];
        for (i, &b) in bytes.iter().take(HEAD).enumerate() {
            head[i] = b;
            mask[i] = 0xFF;
        }
        Literal {
            bytes: bytes.to_vec(),
            anchor,
            head: u64::from_le_bytes(head),
            mask: u64::from_le_bytes(mask),
        }
    }

    /// Whether `hay[at..]` starts with this literal.
    fn starts(&self, hay: &[u8], at: usize) -> bool {
        match hay.get(at..at + HEAD) {
            Some(word) => {
                let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
                word & self.mask == self.head
                    && (self.bytes.len() <= HEAD
                        || hay[at + HEAD..].starts_with(&self.bytes[HEAD..]))
            }
            None => hay[at..].starts_with(&self.bytes),
        }
    }
}

impl Exact {
    pub fn new(set: &[(String, Anchor)]) -> Exact {
        let mut by_first = vec![Vec::new(); 256];
        for (i, (literal, _)) in set.iter().enumerate() {
            let i = u8::try_from(i).expect("a search holds under 256 literals");
            by_first[usize::from(literal.as_bytes()[0])].push(i);
        }
        Exact {
            literals: set
                .iter()
                .map(|(l, a)| Literal::new(l.as_bytes(), *a))
                .collect(),
            by_first,
        }
    }

    /// The first literal of this search starting at `at`: its length and anchor.
    pub fn at(&self, hay: &[u8], at: usize) -> Option<(usize, Anchor)> {
        self.by_first[usize::from(hay[at])].iter().find_map(|&i| {
            let literal = &self.literals[usize::from(i)];
            literal
                .starts(hay, at)
                .then_some((literal.bytes.len(), literal.anchor))
        })
    }
}
