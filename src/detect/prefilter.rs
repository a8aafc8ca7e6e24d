//! The literal prefilter: one pass over the raw bytes for every literal that can
//! start or announce a credential.
//!
//! Why it never drops a match: every key ID begins with one of the prefix literals, every
//! keyword secret or token has its anchor word (`secret`, `session`, `security` in the three
//! case forms the keyword rules accept) inside the keyword, and every prefixed token begins
//! with its prefix, every escaped key begins with an escape literal and every base64-written
//! key holds its prefix's encoding at one of three alignments (`decode`), and every hex-written key
//! holds a piece of its prefix's hex that no line break of a dump splits (`decode::hex`). Secrets
//! paired by proximity alone are searched for only around a key-ID hit. So the rest of the detector only looks near a hit, and a file without hits costs one
//! vectorised scan: on AVX2, one pass of hand-made literal buckets for all the literals
//! (`buckets`), elsewhere two Teddy searches. The test `prefilter_sees_every_key` in `detect`
//! checks it.

use std::sync::OnceLock;

use super::decode::{base64, escape_literals, hex};
use super::key_id::{KeyClass, PREFIXES};
use super::leftmost::Leftmost;
use super::pairing::BYTES_AROUND;
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
    /// Where the CPU runs AVX2: one pass for both searches' literals (see `buckets`), each
    /// position it lets through checked against both searches' literals.
    one_pass: Option<OnePass>,
    /// The two searches where the CPU has no AVX2, built when first needed (where the one pass
    /// runs, never: their automata took 2.4 M instructions, a millisecond, of every run's
    /// start). The first holds the literals of plain text: key prefixes, token prefixes,
    /// escapes. The second, the secret and token keywords, and the literals of encoded keys
    /// (base64, hex): Teddy, the vectorised search, walks 16 bytes a step instead of 32 once
    /// it holds over 32 literals, and its fingerprints let more through the more literals
    /// share them, so two small searches cost less than one large one. The keywords overlap
    /// no other literal (test `keywords_overlap_no_other_literal`), so either search may hold
    /// them: here, they keep the plain one at 32 literals or fewer. Literals of the two that
    /// overlap (`\x4` and `4941`) are both reported, where one automaton would report the
    /// first only; each hit is checked on its own.
    searches: OnceLock<[Searcher; 2]>,
    /// The two searches' literals, which `Prefilter::searches` builds them from.
    sets: [Vec<(String, Anchor)>; 2],
}

/// Bytes of text both searches go over before either goes on: in a large blob, the second
/// search reads what the first just brought into the cache (L2) instead of the whole blob
/// again from memory. On the 40 MB keyword-dense file, the one-after-the-other searches were
/// two passes from memory of 40 MB each.
const CHUNK: usize = 256 << 10;

struct Searcher {
    leftmost: Leftmost,
    anchors: Vec<Anchor>,
}

/// The bucket filter and, per search, its literals by first byte; the pass noting what the
/// decoders ask of a text.
struct OnePass {
    filter: buckets::Filter,
    noter: notes::Noter,
    exact: [exact::Exact; 2],
}

impl Searcher {
    fn new(literals: &[String], anchors: Vec<Anchor>) -> Searcher {
        Searcher {
            leftmost: Leftmost::new(literals),
            anchors,
        }
    }

    /// The hits of `find_iter` over `hay` that start before `end`, from `*at` on (where the
    /// last hit ended), appended to `out`; `*at` moves past them, and to `end` at least.
    fn hits_before(&self, hay: &[u8], at: &mut usize, end: usize, out: &mut Vec<(usize, Anchor)>) {
        while *at < end {
            match self.leftmost.find_starting_before(hay, *at, end) {
                Some((start, match_end, literal)) => {
                    out.push((start, self.anchors[literal]));
                    *at = match_end;
                }
                None => *at = end,
            }
        }
    }
}

/// The two searches' literals and what each anchors: plain text (key prefixes, token
/// prefixes, escapes), then the rest (keywords, base64- and hex-written key prefixes).
fn literal_sets(include_identifiers: bool) -> [Vec<(String, Anchor)>; 2] {
    let mut plain: Vec<(String, Anchor)> = Vec::new();
    for p in PREFIXES {
        if include_identifiers || p.class != KeyClass::Identifier {
            plain.push((p.prefix.to_string(), Anchor::KeyPrefix));
        }
    }
    plain.extend(
        TOKEN_PREFIXES
            .iter()
            .map(|t| (t.to_string(), Anchor::TokenPrefix)),
    );
    plain.extend(escape_literals().into_iter().map(|e| (e, Anchor::Escape)));
    let keywords: Vec<[(String, Anchor); 3]> = ["secret", "session", "security"]
        .map(|word| {
            let anchor = match word {
                "secret" => Anchor::SecretWord,
                _ => Anchor::TokenWord(word.len()),
            };
            let title = format!("{}{}", word[..1].to_ascii_uppercase(), &word[1..]);
            [word.to_string(), title, word.to_ascii_uppercase()].map(|form| (form, anchor))
        })
        .to_vec();
    let mut encoded = base64::key_literals()
        .into_iter()
        .map(|e| (e, Anchor::Base64Key))
        .chain(hex::key_literals().into_iter().map(|e| (e, Anchor::HexKey)));
    // Teddy puts a literal into bucket `7 - id % 8` unless an earlier one has the same low
    // nybbles in its first four bytes (then into that one's bucket), and a position is a
    // candidate when its bytes fit any literal of a bucket. A keyword's three case forms
    // differ only in bit 5, so they share one bucket; with each form of the three keywords at
    // ids `8 * form + 0..3` and the encoded literals between, those three buckets hold the
    // keywords alone (bar the last encoded literals), instead of sharing them with base64
    // literals that let ordinary words through. Same hits in any order (no two literals of
    // this search start alike); on 40 MB of keyword-dense text the search costs 6.6 ms
    // instead of 9.2 (5.5 instead of 7.9 on the dense tree's files).
    let mut other: Vec<(String, Anchor)> = Vec::new();
    for form in 0..3 {
        other.extend(keywords.iter().map(|forms| forms[form].clone()));
        other.extend(encoded.by_ref().take(5));
    }
    other.extend(encoded);
    [plain, other]
}

impl Prefilter {
    pub fn new(include_identifiers: bool) -> Prefilter {
        let sets = literal_sets(include_identifiers);
        let tables = buckets::Tables::new(
            sets.iter()
                .flatten()
                .map(|(literal, anchor)| (literal.as_bytes(), *anchor)),
        );
        let one_pass =
            buckets::Filter::new(tables)
                .zip(notes::Noter::new())
                .map(|(filter, noter)| OnePass {
                    filter,
                    noter,
                    exact: [exact::Exact::new(&sets[0]), exact::Exact::new(&sets[1])],
                });
        Prefilter {
            one_pass,
            searches: OnceLock::new(),
            sets,
        }
    }

    /// The two searches (plain text's literals; keywords and encoded keys' literals), built
    /// once, when first asked for.
    fn searches(&self) -> &[Searcher; 2] {
        self.searches.get_or_init(|| {
            self.sets.clone().map(|set| {
                let (literals, anchors): (Vec<String>, Vec<Anchor>) = set.into_iter().unzip();
                Searcher::new(&literals, anchors)
            })
        })
    }

    /// Every anchor hit in `hay`, in order of position (plain first where both start at one
    /// byte): (offset, anchor). Both searches go over one [`CHUNK`] before either goes on.
    /// With `notes`, the pass notes what the decoders ask of the text (see [`Notes`]) as it
    /// goes: complete once the hits are.
    pub fn hits<'h>(
        &'h self,
        hay: &'h [u8],
        mut notes: Option<&'h mut Notes>,
    ) -> impl Iterator<Item = (usize, Anchor)> + 'h {
        let (mut plain_at, mut encoded_at, mut chunk_start) = (0, 0, 0);
        let mut chunk = Spare::take();
        let mut next = 0;
        std::iter::from_fn(move || {
            while next == chunk.len() {
                if chunk_start >= hay.len() {
                    return None;
                }
                let end = (chunk_start + CHUNK).min(hay.len());
                chunk.clear();
                next = 0;
                if let Some(one) = &self.one_pass {
                    let each = |at| {
                        // Plain first where both start at one byte, as below.
                        let pasts = [&mut plain_at, &mut encoded_at];
                        for (exact, past) in one.exact.iter().zip(pasts) {
                            if at >= *past
                                && let Some((len, anchor)) = exact.at(hay, at)
                            {
                                chunk.push((at, anchor));
                                *past = at + len;
                            }
                        }
                    };
                    one.filter.candidates(hay, chunk_start, end, each);
                    if let Some(notes) = notes.as_deref_mut()
                        && worth_noting(chunk.len(), end - chunk_start)
                    {
                        one.noter.note(hay, chunk_start, end, notes);
                    }
                } else {
                    let [plain, encoded] = self.searches();
                    plain.hits_before(hay, &mut plain_at, end, &mut chunk);
                    encoded.hits_before(hay, &mut encoded_at, end, &mut chunk);
                    // Stable: the plain search's hit stays first where both start at one byte.
                    chunk.sort_by_key(|&(at, _)| at);
                }
                chunk_start = end;
            }
            next += 1;
            Some(chunk[next - 1])
        })
    }
}

thread_local! {
    /// The hit list of the last text searched on this thread, kept for the next one.
    static SPARE: std::cell::Cell<Vec<(usize, Anchor)>> = const { std::cell::Cell::new(Vec::new()) };
}

/// A chunk's hit list, this thread's spare one while it is not in use. Why: one list a blob,
/// allocated and freed, was the detector's most frequent allocation in a walk of small files
/// (and at 64 hits, 1 KiB, the smallest size glibc serves from its large bins, after merging
/// its free small blocks each time): about 3% of the time on the keyword-dense tree.
struct Spare(Vec<(usize, Anchor)>);

impl Spare {
    fn take() -> Spare {
        Spare(crate::memory::take_spare(&SPARE))
    }
}

impl std::ops::Deref for Spare {
    type Target = Vec<(usize, Anchor)>;

    fn deref(&self) -> &Vec<(usize, Anchor)> {
        &self.0
    }
}

impl std::ops::DerefMut for Spare {
    fn deref_mut(&mut self) -> &mut Vec<(usize, Anchor)> {
        &mut self.0
    }
}

impl Drop for Spare {
    /// Kept unless it grew past 64 Ki hits (1 MiB; a chunk packed with literals).
    fn drop(&mut self) {
        crate::memory::keep_spare(&SPARE, std::mem::take(&mut self.0), 1 << 16);
    }
}

/// Whether a chunk with `hits` hits in `len` bytes is noted for the decoders (see [`Notes`]):
/// when their windows around the hits could cover it. In keyword-dense text every chunk is;
/// where a file has a hit or two, the decoders read their few windows themselves, cheaper
/// than noting all of it (noting every chunk of a 40 MB file without keywords took 38% more
/// instructions: 66.8 M → 92.0 M).
fn worth_noting(hits: usize, len: usize) -> bool {
    hits * 2 * BYTES_AROUND >= len
}

mod buckets;
mod exact;
mod notes;

pub(crate) use notes::Notes;

#[cfg(test)]
mod tests;
