//! Which of the fixed strings a file's role reading looks for its content holds: the
//! contexts' `Content` tests ([`advice::content_needles`]), the SDK markers and literals of
//! [`services`] ([`services::markers`]) and, in any ASCII case, the contexts' words
//! ([`advice::content_words`]), found in one pass over the content instead of one search per
//! string (a large file paid a dozen full passes); the shortest strings, on demand (see
//! [`AUTOMATON_MIN_LEN`]). Owns no meaning: callers ask by string and decide what a hit says.

use std::cell::OnceCell;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, Input, MatchKind, Span, packed};

use super::services;
use crate::risk::advice;

/// Strings shorter than this stay out of the search and are looked for one by one, when
/// asked (`s3` is asked only in a file that holds `duplicity`). A two-byte string makes the
/// vectorised search (Teddy) filter on two bytes, letting far more positions through; and a
/// frequent one (`s3` in bucket code) stopped the pass at each occurrence: 337 M instructions
/// on a 40 MB file of code words, 8 a byte.
const AUTOMATON_MIN_LEN: usize = 4;

/// Bytes of each word's start whose case variants the search looks for.
const WORD_PREFIX: usize = 4;

/// The strings, each once, the words, and one search for the long strings and every ASCII
/// case variant of the words' first [`WORD_PREFIX`] bytes (16 for `brea`): a search told to
/// ignore case gets no vectorised prefilter and stopped at every `b` or `k` of the text.
///
/// The search is Teddy, the vectorised searcher, directly ([`packed::Searcher`]), in its
/// 16-bucket form, which it picks for over 32 literals where AVX2 runs: Teddy sorts the literals into buckets and a position passes when each of
/// its first four bytes fits some literal of one bucket; with 8 buckets, two or three
/// unrelated literals share one and ordinary words pass (`type`, `kind`, `AWS:` together let
/// through much of a page of code), each a candidate to verify. On 40 MB of keyword-dense
/// code words, the strings with 8 buckets and the words in a second pass cost 13.5 ms; all
/// in one 16-bucket pass, 5.8 ms (4.5 ms on 40 MB of Rust sources, against 11). An automaton
/// stays for a machine without Teddy (no SSSE3).
struct Needles {
    list: Vec<&'static str>,
    long: Vec<usize>,
    words: Vec<&'static str>,
    teddy: Option<packed::Searcher>,
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
    let literals: Vec<&[u8]> = long
        .iter()
        .map(|&i| list[i].as_bytes())
        .chain(starts.iter().map(Vec::as_slice))
        .collect();
    // Leftmost: each hit is the first place at or after the search's start where any literal
    // does; `in_content` checks every string there and goes on from the next byte.
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(&literals)
        .expect("marker strings build an automaton");
    let teddy = packed::Config::new()
        .match_kind(packed::MatchKind::LeftmostFirst)
        .builder()
        .extend(&literals)
        .build();
    Needles {
        list,
        long,
        words,
        teddy,
        automaton,
    }
});

impl Needles {
    /// Where the first literal at or after `from` starts.
    fn next_start(&self, content: &[u8], from: usize) -> Option<usize> {
        match &self.teddy {
            Some(teddy) => teddy.find_in(content, Span::from(from..content.len())),
            None => self.automaton.find(Input::new(content).range(from..)),
        }
        .map(|hit| hit.start())
    }
}

/// The strings of [`NEEDLES`] one content holds.
#[derive(Debug)]
pub struct Present<'c> {
    content: &'c [u8],
    /// Per string: whether the content holds it, known for the long ones, found on demand
    /// for the short ones.
    found: Vec<OnceCell<bool>>,
    /// The words the content holds, in any ASCII case.
    words: Vec<&'static str>,
}

impl<'c> Present<'c> {
    /// One pass for the long strings and the words, stopped once every one has been seen:
    /// at each place a literal starts, every string and word not yet seen is checked.
    pub fn in_content(content: &'c [u8]) -> Present<'c> {
        let needles = &*NEEDLES;
        let mut seen = vec![false; needles.list.len()];
        let mut left = needles.long.len();
        let mut words: Vec<&'static str> = Vec::new();
        let mut from = 0;
        while left > 0 || words.len() < needles.words.len() {
            let Some(start) = needles.next_start(content, from) else {
                break;
            };
            let here = &content[start..];
            for &i in &needles.long {
                if !seen[i] && here.starts_with(needles.list[i].as_bytes()) {
                    seen[i] = true;
                    left -= 1;
                }
            }
            for word in &needles.words {
                let holds = here.len() >= word.len()
                    && here[..word.len()].eq_ignore_ascii_case(word.as_bytes());
                if holds && !words.contains(word) {
                    words.push(word);
                }
            }
            from = start + 1;
        }
        let found = (0..needles.list.len())
            .map(|i| match needles.list[i].len() >= AUTOMATON_MIN_LEN {
                true => OnceCell::from(seen[i]),
                false => OnceCell::new(),
            })
            .collect();
        Present {
            content,
            found,
            words,
        }
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
            // Strings beside and inside the words searched in the same pass.
            "break-glass kind: BREAKGLASS apiVersion: boto3",
            "kind:break_glass\"aws_breakglass",
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

    /// Teddy and the automaton (its fallback) find the same next start of a string or word
    /// from every offset, in texts shorter and longer than Teddy's minimum and in every case.
    #[test]
    fn teddy_finds_what_the_automaton_finds() {
        let mut long = b"bre brEA xbreak ".repeat(20);
        long.extend_from_slice(b"BREAK-glass brEAKGLASS bre break_Glas bReA");
        long.extend_from_slice(b" kind: AWS.S3 Client(Client. boto boto3 type = s3 ");
        let texts: [&[u8]; 6] = [b"", b"brea", b"xBrEaK", b"b r e a BREA", b"AWS::", &long];
        let search = &*NEEDLES;
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
        let words_in = |text: &[u8]| {
            let present = Present::in_content(text);
            let mut found: Vec<&str> = NEEDLES
                .words
                .iter()
                .copied()
                .filter(|w| present.has_word(w))
                .collect();
            found.sort_unstable();
            found
        };
        assert_eq!(words_in(&text), ["break-glass", "breakglass"]);
        assert_eq!(
            words_in(b"[BreakGlass-admin] break glass break_glass"),
            ["break glass", "break_glass", "breakglass"]
        );
        // Beside the strings, and inside one.
        assert_eq!(
            words_in(b"kind: break-glass boto3 \"aws_breakglass\""),
            ["break-glass", "breakglass"]
        );
        assert!(words_in(b"").is_empty());
        assert!(words_in(b"brea").is_empty());
    }
}
