//! Which of the fixed strings a file's role reading looks for its content holds: the
//! contexts' `Content` tests ([`advice::content_needles`]), the SDK markers and literals of
//! [`services`] ([`services::markers`]) and, in any ASCII case, the contexts' words
//! ([`advice::content_words`]), found in one pass over the content instead of one search per
//! string (a large file paid a dozen full passes); the shortest strings, and those asked only
//! where another string was found, on demand (see [`Needles`]). Owns no meaning: callers ask
//! by string and decide what a hit says.

use std::cell::OnceCell;
use std::ops::ControlFlow;
use std::sync::LazyLock;

use super::services;
use crate::detect::leftmost::Leftmost;
use crate::detect::prefetch;
use crate::risk::advice;

/// Told of each range of the content before the search reads it; breaks to stop the search.
pub type Ahead<'a> = dyn FnMut(usize, usize) -> ControlFlow<()> + 'a;

/// What [`Present::in_content`] does with each range before the search reads it: asks its
/// bytes into the cache, and goes on.
pub fn warming(content: &[u8]) -> impl FnMut(usize, usize) -> ControlFlow<()> + '_ {
    |lo, hi| {
        prefetch::range(content, lo, hi);
        ControlFlow::Continue(())
    }
}

/// Strings shorter than this stay out of the search and are looked for one by one, when
/// asked (`s3` is asked only in a file that holds `duplicity`). A two-byte string makes the
/// vectorised search (Teddy) filter on two bytes, letting far more positions through; and a
/// frequent one (`s3` in bucket code) stopped the pass at each occurrence: 337 M instructions
/// on a 40 MB file of code words, 8 a byte.
const AUTOMATON_MIN_LEN: usize = 4;

/// Bytes of each word's start whose case variants the search looks for.
const WORD_PREFIX: usize = 4;

/// The strings, each once, the words, and one search for the strings asked first (`lead`)
/// and every ASCII case variant of the words' first [`WORD_PREFIX`] bytes (16 for `brea`): a
/// search told to ignore case gets no vectorised prefilter and stopped at every `b` or `k` of
/// the text.
///
/// Only the strings a caller asks for whatever the content are searched: the first string
/// of each `Content` test ([`advice::content_leads`]) and of each SDK call
/// ([`services::leads`]). The others (`kind:` after `apiVersion:`, `Client(` after
/// `@aws-sdk/`) are asked only where the one before them was found, and then looked for one
/// by one; asked anywhere, they are still answered right. Searched strings that share their
/// first four bytes are searched as the bytes they share (`AWS::` for `AWS::Serverless` and
/// `AWS::Lambda::Function`), and each is checked where those occur. That keeps the search
/// at 32 literals (21 strings and 16 word starts were 37): Teddy slim, 32 bytes a step, where
/// it sorts the literals into 8 buckets instead of 16, and a position passes when each of its
/// first four bytes fits some literal of one bucket. On 40 MB of keyword-dense code words the
/// pass took 90 M instructions and 7.9 ms fat, 46 M and 3.1 ms slim; on 40 MB of Rust sources
/// 110 M and 10.6 ms, 57 M and 4.7 ms. (With all 37 in 8 buckets, forced, two or three
/// unrelated literals shared a bucket and ordinary words passed: 11 ms.) Without Teddy (no
/// SSSE3), an automaton (`detect::leftmost`).
struct Needles {
    list: Vec<&'static str>,
    /// Indexes into `list` of the strings the search finds.
    searched: Vec<usize>,
    words: Vec<&'static str>,
    search: Leftmost,
    /// Per literal, what may start where it is found: indexes into `list` of the searched
    /// strings and into `words` of the words that agree with it on the bytes both have
    /// (the words in any case). Where the search stops at a literal, another literal can
    /// start at that byte only if one holds the other, so nothing else can be there.
    may_start: Vec<(Vec<usize>, Vec<usize>)>,
}

/// Bytes searched at a time (see [`Needles::next_start`]).
const SPAN: usize = 64 << 10;

/// What the search looks for: the searched strings, those sharing their first four bytes cut
/// to the bytes they share (`list` is sorted, so they are neighbours), then the word starts.
fn literals(list: &[&str], searched: &[usize], words: &[&str]) -> Vec<Vec<u8>> {
    let mut literals: Vec<Vec<u8>> = Vec::new();
    for s in searched.iter().map(|&i| list[i].as_bytes()) {
        match literals.last_mut() {
            Some(last) if last[..AUTOMATON_MIN_LEN] == s[..AUTOMATON_MIN_LEN] => {
                let shared = last.iter().zip(s).take_while(|(a, b)| a == b).count();
                last.truncate(shared);
            }
            _ => literals.push(s.to_vec()),
        }
    }
    let mut starts: Vec<Vec<u8>> = Vec::new();
    for word in words {
        let mut variants = vec![Vec::new()];
        for &b in &word.as_bytes()[..word.len().min(WORD_PREFIX)] {
            let cases = [b.to_ascii_lowercase(), b.to_ascii_uppercase()];
            let cases = &cases[..1 + usize::from(cases[0] != cases[1])];
            variants = variants
                .iter()
                .flat_map(|v| cases.iter().map(move |&c| [v.as_slice(), &[c]].concat()))
                .collect();
        }
        starts.extend(variants);
    }
    starts.sort_unstable();
    starts.dedup();
    literals.extend(starts);
    literals
}

static NEEDLES: LazyLock<Needles> = LazyLock::new(|| {
    let mut list: Vec<&'static str> = advice::content_needles()
        .chain(services::markers())
        .collect();
    list.sort_unstable();
    list.dedup();
    let leads: Vec<&'static str> = advice::content_leads().chain(services::leads()).collect();
    let searched: Vec<usize> = (0..list.len())
        .filter(|&i| list[i].len() >= AUTOMATON_MIN_LEN && leads.contains(&list[i]))
        .collect();
    let words: Vec<&'static str> = advice::content_words().collect();
    let literals = literals(&list, &searched, &words);
    // Leftmost: each hit is the first place at or after the search's start where any literal
    // does; `in_content` checks every string there and goes on from the next byte.
    let search = Leftmost::new(&literals);
    let may_start = literals
        .iter()
        .map(|literal| {
            let agree = |s: &[u8]| {
                let n = s.len().min(literal.len());
                s[..n] == literal[..n]
            };
            let agree_any_case = |w: &[u8]| {
                let n = w.len().min(literal.len()).min(WORD_PREFIX);
                w[..n].eq_ignore_ascii_case(&literal[..n])
            };
            let strings = searched.iter().copied();
            let strings = strings.filter(|&i| agree(list[i].as_bytes())).collect();
            let words = (0..words.len()).filter(|&w| agree_any_case(words[w].as_bytes()));
            (strings, words.collect())
        })
        .collect();
    Needles {
        list,
        searched,
        words,
        search,
        may_start,
    }
});

impl Needles {
    /// Where the first literal at or after `from` starts. The search goes a [`SPAN`] at a
    /// time, the next span's bytes asked into the cache first (from `*warm` on, where the
    /// asking stopped): over a large mapped file, the one search from `from` to the end
    /// waited on memory for each block (40 MB of keyword-dense text: 18 ms, 10 with the
    /// hints).
    fn next_start(
        &self,
        content: &[u8],
        from: usize,
        warm: &mut usize,
        ahead: &mut Ahead,
    ) -> ControlFlow<(), Option<(usize, usize)>> {
        let mut lo = from;
        while lo < content.len() {
            let hi = (lo + SPAN).min(content.len());
            if *warm < hi + SPAN && *warm < content.len() {
                let end = (hi + SPAN).min(content.len());
                ahead(*warm, end)?;
                *warm = end;
            }
            match self.search.find_starting_before(content, lo, hi) {
                Some((start, _, literal)) => return ControlFlow::Continue(Some((start, literal))),
                None => lo = hi,
            }
        }
        ControlFlow::Continue(None)
    }
}

/// The strings of [`NEEDLES`] one content holds.
#[derive(Debug)]
pub struct Present<'c> {
    content: &'c [u8],
    /// Per string: whether the content holds it, known for the searched ones, found on demand
    /// for the short ones.
    found: Vec<OnceCell<bool>>,
    /// The words the content holds, in any ASCII case.
    words: Vec<&'static str>,
}

impl<'c> Present<'c> {
    /// One pass for the searched strings and the words, stopped once every one has been seen:
    /// at each place a literal starts, every string and word not yet seen is checked.
    pub fn in_content(content: &'c [u8]) -> Present<'c> {
        Present::in_content_reading(content, &mut warming(content))
            .expect("asking bytes into the cache goes on")
    }

    /// [`Present::in_content`], telling `ahead` of each range of the content before the
    /// search reads it (instead of asking the bytes into the cache): in order, one after the
    /// other from the start, a span or two ahead of the search, up to where it stops (the
    /// end, or where every string and word has been seen). A caller with a pass of its own
    /// to make over the content makes it there, and the search then finds the bytes in the
    /// cache: one read from memory for both. None when `ahead` breaks: the search stops
    /// there, and what it saw so far is no answer.
    pub fn in_content_reading(content: &'c [u8], ahead: &mut Ahead) -> Option<Present<'c>> {
        let needles = &*NEEDLES;
        let mut seen = vec![false; needles.list.len()];
        let mut left = needles.searched.len();
        let mut words: Vec<&'static str> = Vec::new();
        let (mut from, mut warm) = (0, 0);
        while left > 0 || words.len() < needles.words.len() {
            let found = match needles.next_start(content, from, &mut warm, ahead) {
                ControlFlow::Continue(found) => found,
                ControlFlow::Break(()) => return None,
            };
            let Some((start, literal)) = found else {
                break;
            };
            let here = &content[start..];
            let (strings, may_words) = &needles.may_start[literal];
            for &i in strings {
                if !seen[i] && here.starts_with(needles.list[i].as_bytes()) {
                    seen[i] = true;
                    left -= 1;
                }
            }
            for word in may_words.iter().map(|&w| &needles.words[w]) {
                let holds = here.len() >= word.len()
                    && here[..word.len()].eq_ignore_ascii_case(word.as_bytes());
                if holds && !words.contains(word) {
                    words.push(word);
                }
            }
            from = start + 1;
        }
        let mut found: Vec<OnceCell<bool>> =
            (0..needles.list.len()).map(|_| OnceCell::new()).collect();
        for &i in &needles.searched {
            found[i] = OnceCell::from(seen[i]);
        }
        Some(Present {
            content,
            found,
            words,
        })
    }

    /// Whether the content holds `needle`, which must be one of the listed strings.
    pub fn has(&self, needle: &str) -> bool {
        let at = NEEDLES.list.iter().position(|n| *n == needle);
        let at = at.expect("needle is one of advice's or services' strings");
        *self.found[at]
            .get_or_init(|| memchr::memmem::find(self.content, needle.as_bytes()).is_some())
    }

    /// Whether the content holds `word`, one of [`advice::content_words`], in any ASCII case.
    pub fn has_word(&self, word: &str) -> bool {
        self.words.contains(&word)
    }
}

#[cfg(test)]
mod tests;
