//! The detector: raw bytes in, [`Detection`]s out.
//!
//! Owns everything about what an AWS credential looks like: key IDs (`key_id`), secret access
//! keys (`secret`), session tokens (`token`), the keywords that announce them (`keywords`),
//! and which belong together (`pairing`). It reads bytes only — no paths, no risk, no
//! output — so every source (files, stdin, git blobs) shares it; what only a path can tell
//! (a configuration file, for `file_pairing`) comes in as a [`BlobKind`].
//!
//! Pipeline inside: literal prefilter (`prefilter`) → validate each hit in place → set aside
//! key IDs that sign a presigned URL (`presigned`) → pair the other key IDs with nearby
//! secrets and tokens; then decoded layers (`layers`) and, in binary blobs, key IDs and
//! secrets glued to their neighbours (`glued`). Lines and columns are computed later, only for
//! hits (`lines`).

pub mod decode;
mod env_pairing;
pub mod expiration;
mod file_pairing;
mod glued;
pub mod key_id;
mod keywords;
mod layers;
pub(crate) mod leftmost;
pub mod lines;
mod near;
mod pairing;
pub mod prefetch;
mod prefilter;
pub mod presigned;
pub mod samples;
pub mod secret;
pub mod token;
pub mod token_meta;

pub use file_pairing::BlobKind;
use key_id::{KEY_ID_LEN, KeyId};
pub use layers::Layer;
use layers::Triggers;
use prefilter::{Anchor, Notes, Prefilter};

/// A byte range in the scanned blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    pub fn bytes<'h>(&self, hay: &'h [u8]) -> &'h [u8] {
        &hay[self.start..self.end]
    }
}

/// One credential the detector found, with byte spans into the blob.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Detection {
    /// A key ID, with the secret and session token paired to it, if any.
    Key {
        key: KeyId,
        span: Span,
        secret: Option<Span>,
        token: Option<Span>,
    },
    /// A secret after a keyword with no key ID near it.
    Secret { span: Span },
    /// A session token with no temporary key ID near it.
    Token { span: Span },
    /// A key ID that is the credential of a presigned URL (`X-Amz-Credential=`,
    /// `AWSAccessKeyId=`): never paired, since the URL holds no secret.
    Presigned {
        key: KeyId,
        span: Span,
        url: presigned::Presigned,
    },
}

impl Detection {
    /// The credential values it holds: a paired secret and token, a lone secret or token, a
    /// presigned URL's (still encoded) token. What a snippet must hide.
    pub fn values(&self) -> impl Iterator<Item = Span> {
        let spans = match *self {
            Detection::Key { secret, token, .. } => [secret, token],
            Detection::Secret { span } | Detection::Token { span } => [Some(span), None],
            Detection::Presigned { url, .. } => [url.token, None],
        };
        spans.into_iter().flatten()
    }

    /// Where the finding is reported: the key ID, or the lone value.
    pub fn anchor(&self) -> Span {
        match self {
            Detection::Key { span, .. }
            | Detection::Secret { span }
            | Detection::Token { span }
            | Detection::Presigned { span, .. } => *span,
        }
    }
}

/// Everything found in one blob.
#[derive(Debug, Clone, Default)]
pub struct Detections {
    /// Spans index the blob itself.
    pub plain: Vec<Detection>,
    pub decoded: Vec<Layer>,
    /// What decoding had to leave out (a cap reached), for the caller to warn about.
    pub notes: Vec<String>,
}

impl Detections {
    pub fn is_empty(&self) -> bool {
        self.plain.is_empty() && self.decoded.is_empty()
    }

    /// Every credential value found, plainly or in a layer, as byte ranges of the blob (a
    /// decoded value covers the text it was decoded from), sorted.
    pub fn value_ranges(&self) -> Vec<std::ops::Range<usize>> {
        let mut out: Vec<std::ops::Range<usize>> = self
            .plain
            .iter()
            .flat_map(Detection::values)
            .map(|s| s.start..s.end)
            .collect();
        for layer in &self.decoded {
            for s in layer.detections.iter().flat_map(Detection::values) {
                out.push(layer.to_level(s.start, 0)..layer.to_level(s.end, 0));
            }
        }
        out.sort_by_key(|r| (r.start, r.end));
        out
    }
}

/// What to look for.
#[derive(Debug, Clone, Copy, Default)]
pub struct DetectOptions {
    /// Report IAM unique IDs (AIDA, AROA, ...) too.
    pub include_identifiers: bool,
}

/// Reusable, thread-safe detector (build once, share by reference).
pub struct Detector {
    prefilter: Prefilter,
}

/// A secret value found in the blob, before pairing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SecretHit {
    pub start: usize,
    /// Announced by a keyword on its line.
    pub keyword: bool,
}

impl Detector {
    pub fn new(options: DetectOptions) -> Detector {
        Detector {
            prefilter: Prefilter::new(options.include_identifiers),
        }
    }

    /// Finds every credential written plainly in `hay`, ordered by anchor offset.
    pub fn detect(&self, hay: &[u8]) -> Vec<Detection> {
        self.scan(hay, None)
    }

    /// Finds every credential in `hay`, plainly written or hidden in an encoding (see
    /// `layers`), and in a binary blob glued to its neighbours (`glued`).
    pub fn detect_layers(&self, hay: &[u8]) -> Detections {
        let (mut found, prefixes) = layers::detect(self, hay);
        glued::detect(hay, &prefixes, &mut found);
        found
    }

    /// [`Detector::detect_layers`], then pairing of what is left alone in the plain text:
    /// the SDK's environment variables, each assigned once (`env_pairing`), and in a
    /// configuration file, keyword-announced values file-wide (`file_pairing`).
    pub fn detect_blob(&self, hay: &[u8], kind: BlobKind) -> Detections {
        let mut found = self.detect_layers(hay);
        env_pairing::pair_environment(hay, &mut found.plain);
        if kind == BlobKind::Config {
            file_pairing::pair_file_wide(hay, &mut found.plain);
        }
        found
    }

    /// One prefilter pass; what may hide a key in an encoding is collected into `triggers`
    /// when asked.
    fn scan(&self, hay: &[u8], mut triggers: Option<&mut Triggers>) -> Vec<Detection> {
        let mut keys: Vec<(KeyId, usize)> = Vec::new();
        let mut secrets: Vec<SecretHit> = Vec::new();
        let mut tokens: Vec<Span> = Vec::new();
        let mut notes = Notes::default();
        let noting = triggers.is_some().then_some(&mut notes);
        for (at, anchor) in self.prefilter.hits(hay, noting) {
            match anchor {
                Anchor::KeyPrefix => {
                    if let Some(t) = triggers.as_deref_mut() {
                        t.prefixes.push(at);
                    }
                    if let Some(key) = key_at(hay, at) {
                        keys.push((key, at));
                        if let Some(t) = triggers.as_deref_mut() {
                            t.near_value(at);
                            t.keys.push(at);
                        }
                    } else if let Some(t) = triggers.as_deref_mut() {
                        t.joined.extend(decode::joined::key_run_at(hay, at));
                    }
                }
                Anchor::SecretWord => {
                    // The keyword's end, once: each of the three readings of its value
                    // starts there (in keyword-dense text most anchors are no keyword).
                    let end = keywords::secret_keyword_end(hay, at);
                    if let Some(start) = end.and_then(|end| keyword_secret(hay, end)) {
                        secrets.push(SecretHit {
                            start,
                            keyword: true,
                        });
                    } else if let Some(t) = triggers.as_deref_mut() {
                        t.base64
                            .extend(end.and_then(|end| keyword_base64_secret(hay, end)));
                        t.near_value(at);
                        t.joined
                            .extend(end.and_then(|end| decode::joined::value_run_after(hay, end)));
                    }
                }
                Anchor::TokenWord(len) => {
                    if let Some(span) = keyword_token(hay, at, len) {
                        tokens.push(span);
                    }
                }
                Anchor::TokenPrefix => {
                    if let Some(end) = token::prefixed_token_end(hay, at) {
                        tokens.push(Span::new(at, end));
                    }
                }
                Anchor::Escape => {
                    if let Some(t) = triggers.as_deref_mut() {
                        let past_last = t.escapes.last().is_none_or(|r| at >= r.end);
                        if let Some(run) = past_last.then(|| decode::run_at(hay, at)).flatten() {
                            t.escapes.push(run);
                        }
                    }
                }
                Anchor::HexKey => {
                    if let Some(t) = triggers.as_deref_mut() {
                        let lo = t.hex.last().map_or(0, |r| r.end);
                        t.hex.extend(decode::hex::run_around(hay, at, lo));
                    }
                }
                Anchor::Base64Key => {
                    if let Some(t) = triggers.as_deref_mut() {
                        let past_last = t.base64.last().is_none_or(|r| at >= r.end);
                        if let Some((run, clipped)) = past_last
                            .then(|| decode::base64::run_around(hay, at))
                            .flatten()
                        {
                            t.clipped |= clipped;
                            t.base64.push(run);
                        }
                    }
                }
            }
        }
        if let Some(t) = triggers {
            t.notes = notes;
        }
        if keys.is_empty() && secrets.is_empty() && tokens.is_empty() {
            return Vec::new();
        }
        // A key ID signing a presigned URL is the URL's finding, and nothing inside the URL
        // (pieces of an encoded token, the signature) is a credential of its own.
        let mut urls = Vec::new();
        keys.retain(|&(key, at)| match presigned::at(hay, at) {
            Some(url) => {
                urls.push(Detection::Presigned {
                    key,
                    span: Span::new(at, at + KEY_ID_LEN),
                    url,
                });
                false
            }
            None => true,
        });
        let queries: Vec<Span> = urls
            .iter()
            .filter_map(|d| match d {
                Detection::Presigned { url, .. } => Some(url.query),
                _ => None,
            })
            .collect();
        let in_url = |at: usize| queries.iter().any(|q| q.start <= at && at < q.end);
        secrets.retain(|s| !in_url(s.start));
        tokens.retain(|t| !in_url(t.start));
        tokens.sort();
        tokens.dedup_by_key(|t| t.start);
        let mut found = pairing::pair(hay, &keys, secrets, tokens, &queries);
        if !urls.is_empty() {
            found.extend(urls);
            found.sort_by_key(|d| d.anchor());
        }
        found
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// True when `hay[at]` is the letter of a C-style escape (`\n`, `\t`, `\r`): a value glued
/// to it (`"a\nAKIA…"`) still starts a new token.
pub(crate) fn escaped_letter_at(hay: &[u8], at: usize) -> bool {
    at > 0 && hay[at - 1] == b'\\' && matches!(hay[at], b'n' | b't' | b'r')
}

/// A key ID starting at `at`, bounded: not inside a longer `[A-Za-z0-9]` run.
fn key_at(hay: &[u8], at: usize) -> Option<KeyId> {
    let end = at + KEY_ID_LEN;
    if end > hay.len() {
        return None;
    }
    if at > 0
        && is_word_byte(hay[at - 1])
        && !escaped_letter_at(hay, at - 1)
        && !percent_escape_before(hay, at)
    {
        return None;
    }
    if end < hay.len() && is_word_byte(hay[end]) {
        return None;
    }
    KeyId::parse(&hay[at..end])
}

/// `%XX` at `at`: a URL-encoded byte, a boundary (`X-Amz-Credential%3DAKIA…%2F…`).
fn percent_escape_at(hay: &[u8], at: usize) -> bool {
    hay.get(at..at + 3)
        .is_some_and(|e| e[0] == b'%' && e[1].is_ascii_hexdigit() && e[2].is_ascii_hexdigit())
}

/// `%XX` just before `at`, so its last hex digit is not glued to a key there.
fn percent_escape_before(hay: &[u8], at: usize) -> bool {
    at >= 3 && percent_escape_at(hay, at - 3)
}

/// The start of the 40-character secret that follows a secret keyword ending at `end`.
/// Accepts random-looking values and placeholders (reported as examples); other 40-character
/// values after a keyword (hex digests, words) are not secrets.
fn keyword_secret(hay: &[u8], end: usize) -> Option<usize> {
    let (start, run_end) = keywords::value_after(hay, end, secret::is_secret_byte, 30)?;
    let s = secret::bounded_value(hay, start, run_end, secret::SECRET_LEN)?;
    let value = &hay[s..s + secret::SECRET_LEN];
    (secret::looks_random(value) || secret::is_placeholder(value)).then_some(s)
}

/// A base64-written 40-character secret after a secret keyword (a Kubernetes `Secret`'s
/// `aws_secret_access_key: <base64>`), once or twice encoded, as a run to decode.
fn keyword_base64_secret(hay: &[u8], end: usize) -> Option<decode::Run> {
    let is_b64 = |b: u8| secret::is_secret_byte(b) || matches!(b, b'=' | b'-' | b'_');
    let (start, run_end) = keywords::value_after(hay, end, is_b64, 30)?;
    let len = secret::SECRET_LEN;
    if let Some(run) = decode::base64::secret_value(hay, start, run_end, len) {
        return secret::looks_random(&run.decoded).then_some(run);
    }
    // Encoded twice (a Kubernetes `Secret` value that was already base64): the outer run, when
    // it decodes to the base64 of a secret; the next layer decodes that after the same keyword.
    let once = len.div_ceil(3) * 4;
    let outer = decode::base64::secret_value(hay, start, run_end, once)?;
    let inner = decode::base64::secret_value(&outer.decoded, 0, once, len)?;
    secret::looks_random(&inner.decoded).then_some(outer)
}

fn keyword_token(hay: &[u8], at: usize, len: usize) -> Option<Span> {
    let end = keywords::token_keyword_end(hay, at, len)?;
    let (start, run_end) = keywords::value_after(hay, end, token::is_token_byte, 30)?;
    // `=` is in the alphabet only as padding at the end: `AWS_SESSION_TOKEN=IQoJ…` starts
    // after it.
    let start = start
        + hay[start..run_end]
            .iter()
            .take_while(|&&b| b == b'=')
            .count();
    let start = if escaped_letter_at(hay, start) {
        start + 1
    } else {
        start
    };
    (run_end - start >= token::MIN_TOKEN_LEN && token::padded_only_at_end(&hay[start..run_end]))
        .then_some(Span::new(start, run_end))
}

#[cfg(test)]
mod tests;
