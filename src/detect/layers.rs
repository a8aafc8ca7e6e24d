//! Decoded layers: where a blob hides a key behind an encoding, decode it and run the same
//! detector on the decoded text.
//!
//! The plain pass collects [`Triggers`] on the way (escape runs, base64 runs around encoded key
//! prefixes or after secret keywords, hex runs around hex-written key prefixes, key IDs and secret
//! keywords near which `%2F`, an escape or a hex-written secret may hide, split string literals
//! at key prefixes and after secret keywords, key IDs near which a split secret may hide); each
//! kind of trigger gives one [`View`] with those runs decoded in place, scanned again. A blob
//! that looks like UTF-16 is also transcoded whole. Views nest up to [`DEPTH`] levels (base64
//! inside base64, escapes inside base64, URL encoding inside base64 inside base64), decode at
//! most [`MAX_DECODED`] bytes and make at most [`MAX_VIEWS`] views per blob; what a cap leaves
//! out becomes a note for the caller.
//!
//! A layer keeps only what decoding revealed: a detection whose key, secret or token touches
//! a decoded byte. When a layer and the plain pass (or two layers) report the same key ID (or
//! both a lone secret, or both a lone token) at the same original offset, the most complete
//! one stays — a plain key ID whose secret was URL-encoded is reported once, paired. Different
//! things at one offset are all reported.

use super::decode::{self, Encoding, View, base64, hex, joined, utf16};
use super::key_id::KeyId;
use super::near;
use super::prefilter::Notes;
use super::{Detection, Detections, Detector, Span};

/// Decoding levels: base64 inside base64 inside base64 (or URL encoding inside base64 inside
/// base64) is decoded, one more is not.
pub const DEPTH: usize = 3;
/// Decoded bytes per blob, all layers together.
pub const MAX_DECODED: usize = 16 << 20;
/// Decoded views per blob, all levels together. Each view is scanned once and is at most the
/// blob plus [`MAX_DECODED`], so one blob costs at most `MAX_VIEWS + 1` scans of that size
/// however the encodings nest (five kinds over three levels could otherwise make 105 views;
/// real files make one to four).
pub const MAX_VIEWS: usize = 24;

/// What the plain pass saw that may hide a key in an encoding.
#[derive(Debug, Default)]
pub(crate) struct Triggers {
    pub escapes: Vec<decode::Run>,
    pub base64: Vec<decode::Run>,
    /// Hex runs around hex-written key prefixes.
    pub hex: Vec<decode::Run>,
    /// A base64 run was too long to decode whole.
    pub clipped: bool,
    /// Key IDs and secret keywords: a URL-encoded secret may sit near them.
    pub near_values: Vec<usize>,
    /// Split strings: a key ID or a keyword's value written in pieces.
    pub joined: Vec<decode::Run>,
    /// Key IDs: a secret written in pieces may sit near them.
    pub keys: Vec<usize>,
    /// Every key-prefix hit, valid key ID or not: the plain pass's are what `glued` reads in
    /// a binary blob, so the blob is searched once.
    pub prefixes: Vec<usize>,
    /// The text is UTF-16 throughout and has a view of its own: no UTF-16 stretches beside
    /// ASCII are looked for in it.
    pub utf16_whole: bool,
    /// What the plain pass noted of the text for the decoders near its hits.
    pub notes: Notes,
}

impl Triggers {
    /// Notes a key ID or secret keyword at `at`. Where there is one there are often dozens
    /// (keyword-dense text): room for 64 at the first, not a Vec grown from 4 by doubling
    /// (the dense tree's reallocations were 4% of its instructions).
    pub fn near_value(&mut self, at: usize) {
        if self.near_values.capacity() == 0 {
            self.near_values.reserve(64);
        }
        self.near_values.push(at);
    }
}

/// Detections in a decoded view of a blob, or in a view of a view: `chain[0]` decodes the
/// blob, each next view decodes the one before. Spans index the last view's bytes.
#[derive(Debug, Clone)]
pub struct Layer {
    pub chain: Vec<View>,
    pub detections: Vec<Detection>,
}

impl Layer {
    /// The decoded text the detections index.
    pub fn bytes(&self) -> &[u8] {
        &self.chain.last().expect("a layer has a view").bytes
    }

    /// The innermost encoding: what the key itself was written in.
    pub fn encoding(&self) -> Encoding {
        self.chain.last().expect("a layer has a view").encoding
    }

    /// Maps an offset in [`bytes`](Layer::bytes) down the chain to the view at `level`
    /// (`chain.len()` is the last view itself, 0 the blob).
    pub fn to_level(&self, offset: usize, level: usize) -> usize {
        self.chain[level..]
            .iter()
            .rev()
            .fold(offset, |off, view| view.to_original(off))
    }

    /// Where locations are counted: the UTF-16 text when the blob is UTF-16 (its raw bytes
    /// are not what an editor shows), else the blob. Returns the level for
    /// [`to_level`](Layer::to_level).
    pub fn display_level(&self) -> usize {
        usize::from(self.chain[0].is_transcoding())
    }
}

struct Budget {
    left: usize,
    views: usize,
    notes: Vec<String>,
}

impl Budget {
    fn take(&mut self, runs: &[decode::Run], encoding: Encoding) -> bool {
        if self.views == 0 {
            self.note(format!(
                "{} text not decoded: over {MAX_VIEWS} decoded views for one file",
                encoding.as_str()
            ));
            return false;
        }
        self.views -= 1;
        let n: usize = runs.iter().map(|r| r.decoded.len()).sum();
        if n > self.left {
            self.note(format!(
                "{} text not decoded: over the {} MiB decoding cap for one file",
                encoding.as_str(),
                MAX_DECODED >> 20
            ));
            return false;
        }
        self.left -= n;
        true
    }

    fn note(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }
}

/// Every detection in `hay` and its layers, and the offsets of every key-prefix hit in the
/// plain bytes (in order), for `glued`.
pub(crate) fn detect(detector: &Detector, hay: &[u8]) -> (Detections, Vec<usize>) {
    let mut budget = Budget {
        left: MAX_DECODED,
        views: MAX_VIEWS,
        notes: Vec::new(),
    };
    let mut out = Detections::default();
    // The plain bytes are always scanned: a file taken for UTF-16 may still hold ASCII (a
    // line appended by another tool, two stray bytes `FF FE` at the start).
    let mut triggers = Triggers::default();
    out.plain = detector.scan(hay, Some(&mut triggers));
    let prefixes = std::mem::take(&mut triggers.prefixes);
    let whole = utf16::view(hay);
    triggers.utf16_whole = whole.is_some();
    descend_from(detector, hay, &[], triggers, DEPTH, &mut out, &mut budget);
    if let Some(view) = whole {
        let mut triggers = Triggers::default();
        let found = detector.scan(&view.bytes, Some(&mut triggers));
        let chain = vec![view];
        descend(detector, &chain, triggers, DEPTH - 1, &mut out, &mut budget);
        if !found.is_empty() {
            out.decoded.push(Layer {
                chain,
                detections: found,
            });
        }
    }
    out.notes = budget.notes;
    keep_most_complete(&mut out, hay);
    (out, prefixes)
}

fn descend(
    detector: &Detector,
    chain: &[View],
    triggers: Triggers,
    depth: usize,
    out: &mut Detections,
    budget: &mut Budget,
) {
    let text = &chain.last().expect("a chain has a view").bytes;
    descend_from(detector, text, chain, triggers, depth, out, budget);
}

/// Decodes what `triggers` found in `text` (the blob, or the last view of `chain`).
fn descend_from(
    detector: &Detector,
    text: &[u8],
    chain: &[View],
    triggers: Triggers,
    depth: usize,
    out: &mut Detections,
    budget: &mut Budget,
) {
    if depth == 0 {
        return;
    }
    if triggers.clipped {
        budget.note(format!(
            "a base64 run over {} MiB: decoded only around encoded key IDs",
            base64::MAX_RUN >> 20
        ));
    }
    // Hex: runs around hex key prefixes, and secret-sized runs near them or near a key ID or
    // secret keyword of this text; without the former, in the walk that gates the other
    // decoders near the same places (`near::Windows::around_with`).
    // Both the gate and the hex search skip what the plain pass noted (`prefilter::Notes`).
    let notes = &triggers.notes;
    let hex_runs_in =
        |t: &[u8], lo, hi| hex::runs_in_skipping(t, lo, hi, |b, to| notes.next_hex_block(b, to));
    let (near_values, hex_runs) = match triggers.hex.is_empty() {
        true => near::Windows::around_with(text, &triggers.near_values, notes, hex_runs_in),
        false => {
            let windows = near::Windows::around(text, &triggers.near_values, notes);
            let runs = windows.with_runs(text, triggers.hex, hex_runs_in);
            (windows, runs)
        }
    };
    let mut escapes = triggers.escapes;
    escapes.extend(near_values.runs(text, near::SINGLES));
    let percent = near_values.runs(text, near::PERCENT);
    // Split strings: keys and keyword values in pieces, and secrets in pieces near a key ID.
    let joined = near::Windows::ungated(&triggers.keys).with_runs(
        text,
        triggers.joined,
        joined::secret_runs_in,
    );
    // UTF-16 stretches beside ASCII; a blob that is UTF-16 throughout has its own view.
    let utf16 = match chain.is_empty() && !triggers.utf16_whole {
        true => near_values.runs(text, near::UTF16),
        false => Vec::new(),
    };
    for (encoding, runs) in [
        (Encoding::Escaped, escapes),
        (Encoding::Base64, triggers.base64),
        (Encoding::Percent, percent),
        (Encoding::Utf16, utf16),
        (Encoding::Hex, hex_runs),
        (Encoding::Joined, joined),
    ] {
        if runs.is_empty() || !budget.take(&runs, encoding) {
            continue;
        }
        let view = View::new(encoding, text, runs);
        let mut inner = Triggers::default();
        let found: Vec<Detection> = detector
            .scan(&view.bytes, Some(&mut inner))
            .into_iter()
            .filter(|d| revealed(&view, d))
            .collect();
        // Go deeper only into what this view decoded: the rest was seen one level up.
        inner.escapes.retain(|r| view.any_decoded(r.start, r.end));
        inner.base64.retain(|r| view.any_decoded(r.start, r.end));
        inner.hex.retain(|r| view.any_decoded(r.start, r.end));
        inner.joined.retain(|r| view.any_decoded(r.start, r.end));
        inner.keys.retain(|&at| view.is_decoded(at));
        inner.near_values.retain(|&at| view.is_decoded(at));
        let mut next = chain.to_vec();
        next.push(view);
        descend(detector, &next, inner, depth - 1, out, budget);
        if !found.is_empty() {
            out.decoded.push(Layer {
                chain: next,
                detections: found,
            });
        }
    }
}

fn spans(d: &Detection) -> [Option<Span>; 3] {
    match *d {
        Detection::Key {
            span,
            secret,
            token,
            ..
        } => [Some(span), secret, token],
        Detection::Secret { span }
        | Detection::Token { span }
        | Detection::Presigned { span, .. } => [Some(span), None, None],
    }
}

/// Did decoding make this detection (its key, secret or token touches a decoded byte)?
fn revealed(view: &View, d: &Detection) -> bool {
    spans(d)
        .iter()
        .flatten()
        .any(|s| view.any_decoded(s.start, s.end))
}

/// How much a detection says: paired values first, then depth (a decoded layer saw more).
fn completeness(d: &Detection) -> usize {
    let [_, secret, token] = spans(d);
    usize::from(secret.is_some()) * 2 + usize::from(token.is_some()) * 2
}

/// What a detection reports, for de-duplication: two detections are one finding only when
/// they report the same thing at the same place. A key ID and a secret that a decoded view
/// starts at the same offset (`&#x6d;AKIA…&#x7a;…` reads as a 40-character "secret" from
/// `AKIA` on) are two findings: neither may hide the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Reports {
    Key(KeyId),
    Secret,
    Token,
}

fn reports(d: &Detection) -> Reports {
    match *d {
        Detection::Key { key, .. } | Detection::Presigned { key, .. } => Reports::Key(key),
        Detection::Secret { .. } => Reports::Secret,
        Detection::Token { .. } => Reports::Token,
    }
}

/// One detection per original anchor offset and thing reported: the most complete (see the
/// module doc).
fn keep_most_complete(out: &mut Detections, hay: &[u8]) {
    use std::collections::HashMap;
    // (original offset, what) -> (score, layer index or usize::MAX for plain, detection index)
    let mut best: HashMap<(usize, Reports), (usize, usize, usize)> = HashMap::new();
    let mut consider = |at: (usize, Reports), score: usize, layer: usize, i: usize| {
        let e = best.entry(at).or_insert((score, layer, i));
        if score > e.0 {
            *e = (score, layer, i);
        }
    };
    for (i, d) in out.plain.iter().enumerate() {
        consider(
            (d.anchor().start, reports(d)),
            completeness(d) * 4,
            usize::MAX,
            i,
        );
    }
    for (l, layer) in out.decoded.iter().enumerate() {
        for (i, d) in layer.detections.iter().enumerate() {
            let at = layer.to_level(d.anchor().start, 0).min(hay.len());
            consider((at, reports(d)), completeness(d) * 4 + 1, l, i);
        }
    }
    let keep = |layer: usize, i: usize, at: (usize, Reports)| {
        best.get(&at).is_some_and(|&(_, l, j)| l == layer && j == i)
    };
    let mut i = 0;
    out.plain.retain(|d| {
        i += 1;
        keep(usize::MAX, i - 1, (d.anchor().start, reports(d)))
    });
    for (l, layer) in out.decoded.iter_mut().enumerate() {
        let at: Vec<(usize, Reports)> = layer
            .detections
            .iter()
            .map(|d| {
                (
                    layer.to_level(d.anchor().start, 0).min(hay.len()),
                    reports(d),
                )
            })
            .collect();
        let mut i = 0;
        layer.detections.retain(|_| {
            i += 1;
            keep(l, i - 1, at[i - 1])
        });
    }
    out.decoded.retain(|l| !l.detections.is_empty());
}
