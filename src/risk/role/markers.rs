//! Which of the fixed strings a file's role reading looks for its content holds: the
//! contexts' `Content` tests ([`advice::content_needles`]) and the SDK markers and literals of
//! [`services`] ([`services::markers`]), found in one pass over the content instead of one
//! search per string (a large file paid a dozen full passes); the shortest strings, on demand
//! (see [`AUTOMATON_MIN_LEN`]). Owns no meaning: callers ask by
//! string and decide what a hit says.

use std::cell::OnceCell;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, Input, MatchKind, Span, packed};

use super::services;
use crate::risk::advice;

/// Strings shorter than this stay out of the automaton and are looked for one by one, when
/// asked (`s3` is asked only in a file that holds `duplicity`). A two-byte string makes the
/// automaton's vectorised search (Teddy) filter on two bytes, letting far more positions
/// through; and a frequent one (`s3` in bucket code) stopped the pass at each occurrence: 337 M
/// instructions on a 40 MB file of code words, 8 a byte.
const AUTOMATON_MIN_LEN: usize = 4;

/// The strings, each once, and one automaton over the long ones (pattern id = index among
/// them).
struct Needles {
    list: Vec<&'static str>,
    long: Vec<usize>,
    automaton: AhoCorasick,
}

static NEEDLES: LazyLock<Needles> = LazyLock::new(|| {
    let mut list: Vec<&'static str> = advice::content_needles()
        .chain(services::markers())
        .collect();
    list.sort_unstable();
    list.dedup();
    let long: Vec<usize> = (0..list.len())
        .filter(|&i| list[i].len() >= AUTOMATON_MIN_LEN)
        .collect();
    // Leftmost-longest keeps the automaton's prefilter (an overlapping search has none and
    // costs ~16 instructions a byte); `in_content` restarts after each hit's start.
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(long.iter().map(|&i| list[i]))
        .expect("marker strings build an automaton");
    Needles {
        list,
        long,
        automaton,
    }
});

/// The strings of [`NEEDLES`] one content holds.
#[derive(Debug)]
pub struct Present<'c> {
    content: &'c [u8],
    /// Per string: whether the content holds it, known for the long ones, found on demand
    /// for the short ones.
    found: Vec<OnceCell<bool>>,
}

impl<'c> Present<'c> {
    /// One pass for the long strings, stopped once every one has been seen. Each hit is the
    /// longest string starting at the leftmost place any does; the strings that are its
    /// prefixes start there too, and the search goes on from the next byte, so a string
    /// inside or across another's occurrence still counts.
    pub fn in_content(content: &'c [u8]) -> Present<'c> {
        let needles = &*NEEDLES;
        let mut seen = vec![false; needles.list.len()];
        let mut left = needles.long.len();
        let mut from = 0;
        while left > 0 {
            let Some(hit) = needles.automaton.find(Input::new(content).range(from..)) else {
                break;
            };
            let longest = needles.list[needles.long[hit.pattern().as_usize()]];
            for &i in &needles.long {
                if !seen[i] && longest.starts_with(needles.list[i]) {
                    seen[i] = true;
                    left -= 1;
                }
            }
            from = hit.start() + 1;
        }
        let found = (0..needles.list.len())
            .map(|i| match needles.list[i].len() >= AUTOMATON_MIN_LEN {
                true => OnceCell::from(seen[i]),
                false => OnceCell::new(),
            })
            .collect();
        Present { content, found }
    }

    /// Whether the content holds `needle`, which must be one of the listed strings.
    pub fn has(&self, needle: &str) -> bool {
        let at = NEEDLES.list.iter().position(|n| *n == needle);
        let at = at.expect("needle is one of advice's or services' strings");
        *self.found[at]
            .get_or_init(|| memchr::memmem::find(self.content, needle.as_bytes()).is_some())
    }
}

/// Bytes of each word's start whose case variants the word search looks for.
const WORD_PREFIX: usize = 4;

/// The advice contexts' words ([`advice::content_words`]) and a search for every ASCII case
/// variant of their first [`WORD_PREFIX`] bytes (16 for `brea`). An automaton told to ignore
/// case gets no vectorised prefilter for these words and stopped at every `b` or `k` of the
/// text (174 M instructions on a 40 MB file). Given the variants, the automaton picks a
/// `memchr2` of their two first bytes (`b`, `B`) as its prefilter and still stopped at every
/// `b` (82 M); so the variants go to Teddy, the vectorised searcher, directly
/// ([`packed::Searcher`]), which filters on several bytes a position. The automaton stays for a
/// machine without Teddy (no SSSE3).
static WORDS: LazyLock<Words> = LazyLock::new(|| {
    let words: Vec<&'static str> = advice::content_words().collect();
    let mut starts: Vec<Vec<u8>> = Vec::new();
    for word in &words {
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
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(&starts)
        .expect("word starts build an automaton");
    let teddy = packed::Config::new()
        .match_kind(packed::MatchKind::LeftmostFirst)
        .builder()
        .extend(&starts)
        .build();
    Words {
        words,
        teddy,
        automaton,
    }
});

/// The words and the two searches for their starts (see [`WORDS`]).
struct Words {
    words: Vec<&'static str>,
    /// `None` where Teddy cannot run.
    teddy: Option<packed::Searcher>,
    automaton: AhoCorasick,
}

impl Words {
    /// Where the first word start at or after `from` occurs.
    fn next_start(&self, content: &[u8], from: usize) -> Option<usize> {
        match &self.teddy {
            Some(teddy) => teddy.find_in(content, Span::from(from..content.len())),
            None => self.automaton.find(Input::new(content).range(from..)),
        }
        .map(|hit| hit.start())
    }
}

/// The advice contexts' words `content` holds, in any ASCII case: each place one of their
/// starts occurs is checked against every word not yet seen; the pass stops once all are.
pub fn words_in(content: &[u8]) -> Vec<&'static str> {
    let search = &*WORDS;
    let words = &search.words;
    let mut found: Vec<&'static str> = Vec::new();
    let mut from = 0;
    while found.len() < words.len() {
        let Some(start) = search.next_start(content, from) else {
            break;
        };
        let here = &content[start..];
        for word in words {
            let holds = here.len() >= word.len()
                && here[..word.len()].eq_ignore_ascii_case(word.as_bytes());
            if holds && !found.contains(word) {
                found.push(word);
            }
        }
        from = start + 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_answer_as_one_search_per_string() {
        let contents: &[&str] = &[
            "",
            "apiVersion: v1\nkind: Pod",
            // Overlapping strings: "Client." does not hide "ClientBuilder" in
            // "Client.ClientBuilder", nor "AWS::Serverless" hide "AWS." after it.
            "AmazonS3Client.ClientBuilder boto3 @aws-sdk/ software.amazon.awssdk",
            "AWS::ServerlessAWS.S3(",
            "kinkind:d:",
            // A short string, found on demand, beside the long one that holds it.
            "duplicity --s3-use-new-style type = s3",
            "s3",
            "AWS::Serverless AWS::Lambda::Function #cloud-config aws-cdk-lib resource \"aws_vpc\"",
        ];
        for content in contents {
            let present = Present::in_content(content.as_bytes());
            for needle in &NEEDLES.list {
                assert_eq!(
                    present.has(needle),
                    content.contains(needle),
                    "{needle:?} in {content:?}"
                );
            }
        }
    }

    /// Teddy and the automaton (its fallback) find the same next word start from every
    /// offset, in texts shorter and longer than Teddy's minimum and in every case.
    #[test]
    fn teddy_finds_what_the_automaton_finds() {
        let mut long = b"bre brEA xbreak ".repeat(20);
        long.extend_from_slice(b"BREAK-glass brEAKGLASS bre break_Glas bReA");
        let texts: [&[u8]; 5] = [b"", b"brea", b"xBrEaK", b"b r e a BREA", &long];
        let search = &*WORDS;
        for text in texts {
            for from in 0..=text.len() {
                let by_automaton = search
                    .automaton
                    .find(Input::new(text).range(from..))
                    .map(|m| m.start());
                assert_eq!(search.next_start(text, from), by_automaton, "{from}");
            }
        }
    }

    #[test]
    fn words_in_any_case() {
        let mut text = b"x ".repeat(50).to_vec();
        text.extend_from_slice(b"BREAK-glass brEAKGLASS bre break_Glas");
        let mut found = words_in(&text);
        found.sort_unstable();
        assert_eq!(found, ["break-glass", "breakglass"]);
        assert_eq!(
            words_in(b"[BreakGlass-admin] break glass break_glass"),
            ["breakglass", "break glass", "break_glass"]
        );
        assert!(words_in(b"").is_empty());
        assert!(words_in(b"brea").is_empty());
    }
}
