//! Which of the fixed strings a file's role reading looks for its content holds: the
//! contexts' `Content` tests ([`advice::content_needles`]) and the SDK markers and literals of
//! [`services`] ([`services::markers`]), found in one pass over the content instead of one
//! search per string (a large file paid a dozen full passes). Owns no meaning: callers ask by
//! string and decide what a hit says.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, Input, MatchKind};

use super::services;
use crate::risk::advice;

/// The strings, each once, and one automaton over them (pattern id = index in the list).
static NEEDLES: LazyLock<(Vec<&'static str>, AhoCorasick)> = LazyLock::new(|| {
    let mut list: Vec<&'static str> = advice::content_needles()
        .chain(services::markers())
        .collect();
    list.sort_unstable();
    list.dedup();
    // Leftmost-longest keeps the automaton's prefilter (an overlapping search has none and
    // costs ~16 instructions a byte); `in_content` restarts after each hit's start.
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&list)
        .expect("marker strings build an automaton");
    (list, automaton)
});

/// The strings of [`NEEDLES`] one content holds.
#[derive(Debug)]
pub struct Present {
    found: Vec<bool>,
}

impl Present {
    /// One pass, stopped once every string has been seen. Each hit is the longest string
    /// starting at the leftmost place any does; the strings that are its prefixes start
    /// there too, and the search goes on from the next byte, so a string inside or across
    /// another's occurrence still counts.
    pub fn in_content(content: &[u8]) -> Present {
        let (list, automaton) = &*NEEDLES;
        let mut found = vec![false; list.len()];
        let mut left = list.len();
        let mut from = 0;
        while left > 0 {
            let Some(hit) = automaton.find(Input::new(content).range(from..)) else {
                break;
            };
            let longest = list[hit.pattern().as_usize()];
            for (i, needle) in list.iter().enumerate() {
                if !found[i] && longest.starts_with(needle) {
                    found[i] = true;
                    left -= 1;
                }
            }
            from = hit.start() + 1;
        }
        Present { found }
    }

    /// Whether the content holds `needle`, which must be one of the listed strings.
    pub fn has(&self, needle: &str) -> bool {
        let (list, _) = &*NEEDLES;
        let at = list.iter().position(|n| *n == needle);
        self.found[at.expect("needle is one of advice's or services' strings")]
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
            "AWS::Serverless AWS::Lambda::Function #cloud-config aws-cdk-lib resource \"aws_vpc\"",
        ];
        let (list, _) = &*NEEDLES;
        for content in contents {
            let present = Present::in_content(content.as_bytes());
            for needle in list {
                assert_eq!(
                    present.has(needle),
                    content.contains(needle),
                    "{needle:?} in {content:?}"
                );
            }
        }
    }
}
