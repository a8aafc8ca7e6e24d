//! The literal prefilter: one Aho-Corasick pass over the raw bytes for every literal that can
//! start or announce a credential.
//!
//! Why it never drops a match: every key ID begins with one of the prefix literals, every
//! keyword secret or token has its anchor word (`secret`, `session`, `security` in the three
//! case forms the keyword rules accept) inside the keyword, and every prefixed token begins
//! with its prefix, every escaped key begins with an escape literal and every base64-written
//! key holds its prefix's encoding at one of three alignments (`decode`), and every hex-written key
//! holds a piece of its prefix's hex that no line break of a dump splits (`decode::hex`). Secrets
//! paired by proximity alone are searched for only around a key-ID hit. So the rest of the detector only looks near a hit, and a file without hits costs one
//! vectorised (Teddy) scan. The test `prefilter_sees_every_key` in `detect` checks it.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::decode::{base64, escape_literals, hex};
use super::key_id::{KeyClass, PREFIXES};
use super::token::TOKEN_PREFIXES;

/// What a literal hit may be the start of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// `AKIA`, `ASIA`, ...: the first four bytes of a key ID.
    KeyPrefix,
    /// `secret`: inside a secret-key keyword.
    SecretWord,
    /// `session` / `security` (with its length): inside a session-token keyword.
    TokenWord(usize),
    /// `IQoJb3JpZ2luX2Vj`, ...: the first bytes of a session token.
    TokenPrefix,
    /// `\u0`, `\x4`, `&#x`, ...: may start a run of escapes hiding a key (see `decode`).
    Escape,
    /// `QUtJQ`, ...: a key prefix written in base64 (see `decode::base64`).
    Base64Key,
    /// `4941`, `49 41`, `x4b,`, ...: a piece of a key prefix written in hex (see `decode::hex`).
    HexKey,
}

pub struct Prefilter {
    /// The literals of plain text: key prefixes, keywords, token prefixes, escapes.
    plain: Searcher,
    /// The literals of encoded keys (base64, hex). A second automaton: Teddy, the vectorised
    /// search, slows with the number of literals per bucket, and two small searches cost less
    /// than one large one. Their literals cannot overlap the plain ones (they are made of
    /// base64 or hex digits that spell no prefix or keyword), so the merged hits are the hits
    /// one automaton would give.
    encoded: Searcher,
}

struct Searcher {
    automaton: AhoCorasick,
    anchors: Vec<Anchor>,
}

impl Searcher {
    fn new(literals: &[String], anchors: Vec<Anchor>) -> Searcher {
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(literals)
            .expect("a few short literals always build");
        Searcher { automaton, anchors }
    }

    fn hits<'h>(&'h self, hay: &'h [u8]) -> impl Iterator<Item = (usize, Anchor)> + 'h {
        self.automaton
            .find_iter(hay)
            .map(|m| (m.start(), self.anchors[m.pattern().as_usize()]))
    }
}

impl Prefilter {
    pub fn new(include_identifiers: bool) -> Prefilter {
        let mut literals: Vec<String> = Vec::new();
        let mut anchors = Vec::new();
        for p in PREFIXES {
            if include_identifiers || p.class != KeyClass::Identifier {
                literals.push(p.prefix.to_string());
                anchors.push(Anchor::KeyPrefix);
            }
        }
        for word in ["secret", "session", "security"] {
            let title = format!("{}{}", word[..1].to_ascii_uppercase(), &word[1..]);
            for form in [word.to_string(), title, word.to_ascii_uppercase()] {
                literals.push(form);
                anchors.push(if word == "secret" {
                    Anchor::SecretWord
                } else {
                    Anchor::TokenWord(word.len())
                });
            }
        }
        for t in TOKEN_PREFIXES {
            literals.push((*t).to_string());
            anchors.push(Anchor::TokenPrefix);
        }
        for e in escape_literals() {
            literals.push(e);
            anchors.push(Anchor::Escape);
        }
        let plain = Searcher::new(&literals, anchors);
        let mut literals: Vec<String> = Vec::new();
        let mut anchors = Vec::new();
        for e in base64::key_literals() {
            literals.push(e);
            anchors.push(Anchor::Base64Key);
        }
        for e in hex::key_literals() {
            literals.push(e);
            anchors.push(Anchor::HexKey);
        }
        Prefilter {
            plain,
            encoded: Searcher::new(&literals, anchors),
        }
    }

    /// Every anchor hit in `hay`, in order: (offset, anchor).
    /// Every hit, in order of position (plain first where both start at one byte).
    pub fn hits<'h>(&'h self, hay: &'h [u8]) -> impl Iterator<Item = (usize, Anchor)> + 'h {
        let mut plain = self.plain.hits(hay).peekable();
        let mut encoded = self.encoded.hits(hay).peekable();
        std::iter::from_fn(move || match (plain.peek(), encoded.peek()) {
            (Some(p), Some(e)) if e.0 < p.0 => encoded.next(),
            (Some(_), _) => plain.next(),
            (None, _) => encoded.next(),
        })
    }
}
