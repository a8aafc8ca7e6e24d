//! Which secret and which session token belong to which key ID.
//!
//! The window: a secret or token belongs to a key ID when it starts within
//! [`LINES_AROUND`] lines of the key ID's line (before or after) and within [`BYTES_AROUND`]
//! bytes of it. Inside the window, any random-looking 40-character value counts (no keyword
//! needed); outside it, only values announced by a keyword are reported, alone.
//!
//! Each key ID takes its nearest plausible value and each value goes to one key ID: all
//! (key, value) pairs in reach are ranked by line distance, then values after the key ahead
//! of values before it (credentials files list the ID first), then byte distance, and taken
//! greedily. So in a credentials file with several profiles each key gets its own secret.
//! Session tokens pair only with temporary keys (ASIA, ABIA, ACCA). A placeholder key ID
//! never takes a real secret.
//!
//! Beyond the window, in small configuration files only (the scan layer says which blobs are,
//! `BlobKind::Config`): key IDs announced by an access-key keyword that got no secret, and
//! keyword secrets left alone, pair by order of appearance when there are as many of one as of
//! the other (`file_pairing`, which gives the reasons).

use std::collections::BTreeMap;

use super::key_id::{KEY_ID_LEN, KeyClass, KeyId};
use super::lines::{lines_back, lines_forward, newlines_between};
use super::secret::{SECRET_LEN, candidates_in, is_placeholder};
use super::{Detection, SecretHit, Span};

/// Lines above and below a key ID searched for its secret and token.
pub const LINES_AROUND: usize = 5;
/// Bytes before and after a key ID searched, whatever the line count (minified files).
pub const BYTES_AROUND: usize = 2048;

type Cost = (usize, bool, usize);

/// A position with its 0-based line number (counted once per blob, not once per pair).
#[derive(Clone, Copy)]
struct At {
    offset: usize,
    line: usize,
}

fn cost(key: At, value: At) -> Cost {
    (
        key.line.abs_diff(value.line),
        value.offset < key.offset,
        key.offset.abs_diff(value.offset),
    )
}

/// Line numbers of ascending `offsets`, counting each newline once.
fn with_lines(hay: &[u8], offsets: impl Iterator<Item = usize>) -> Vec<At> {
    let (mut prev, mut line) = (0, 0);
    offsets
        .map(|offset| {
            line += newlines_between(hay, prev, offset);
            prev = offset;
            At { offset, line }
        })
        .collect()
}

fn window(hay: &[u8], key_at: usize) -> (usize, usize) {
    (
        lines_back(hay, key_at, LINES_AROUND, BYTES_AROUND),
        lines_forward(hay, key_at + KEY_ID_LEN, LINES_AROUND, BYTES_AROUND),
    )
}

/// The union of `windows` as sorted, disjoint ranges.
fn merged(windows: impl Iterator<Item = (usize, usize)>) -> Vec<(usize, usize)> {
    let mut all: Vec<(usize, usize)> = windows.collect();
    all.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(all.len());
    for (lo, hi) in all {
        match out.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// Greedy one-to-one assignment of values to keys by ascending cost.
fn assign(mut edges: Vec<(Cost, usize, usize)>, n_keys: usize) -> Vec<Option<usize>> {
    edges.sort();
    let mut key_value = vec![None; n_keys];
    let mut taken = std::collections::HashSet::new();
    for (_, k, v) in edges {
        if key_value[k].is_none() && !taken.contains(&v) {
            key_value[k] = Some(v);
            taken.insert(v);
        }
    }
    key_value
}

pub(crate) fn pair(
    hay: &[u8],
    keys: &[(KeyId, usize)],
    keyword_secrets: Vec<SecretHit>,
    tokens: Vec<Span>,
    skip: &[Span],
) -> Vec<Detection> {
    // Every secret candidate: keyword ones, plus random-looking values near a credential key.
    let mut secrets: BTreeMap<usize, bool> = keyword_secrets
        .iter()
        .map(|s| (s.start, s.keyword))
        .collect();
    let windows: Vec<Option<(usize, usize)>> = keys
        .iter()
        .map(|(key, at)| (key.class() != KeyClass::Identifier).then(|| window(hay, *at)))
        .collect();
    // Windows of neighbouring keys overlap (a credentials file, a key-dense dump): search
    // their union once, so each byte is looked at once however many keys are near it.
    for (lo, hi) in merged(windows.iter().flatten().copied()) {
        for start in candidates_in(hay, lo, hi) {
            // Inside a presigned URL's query: a piece of its encoded token, not a secret.
            if skip.iter().any(|s| s.start <= start && start < s.end) {
                continue;
            }
            secrets.entry(start).or_insert(false);
        }
    }
    let secret_list: Vec<usize> = secrets.keys().copied().collect();

    let mut secret_edges = Vec::new();
    let mut token_edges = Vec::new();
    // A documentation key ID does not vouch for a real secret next to it (a template that
    // kept AKIAIOSFODNN7EXAMPLE but got a real secret): the secret stays unpaired and is
    // reported on its own. Checked once per secret.
    let real_secret: Vec<bool> = secret_list
        .iter()
        .map(|&s| !is_placeholder(&hay[s..s + SECRET_LEN]))
        .collect();
    let token_starts: Vec<usize> = tokens.iter().map(|t| t.start).collect();
    // Line numbers only weigh a value against a key: a blob without key IDs (lone secrets in
    // keyword-dense text) does not count its newlines up to its last value.
    let lines = |offsets: &[usize]| match keys.is_empty() {
        true => Vec::new(),
        false => with_lines(hay, offsets.iter().copied()),
    };
    let key_offsets: Vec<usize> = keys.iter().map(|(_, at)| *at).collect();
    let key_at = lines(&key_offsets);
    let secret_at = lines(&secret_list);
    let token_at = lines(&token_starts);
    // Both lists are sorted: each key visits only the values inside its window, so a file
    // dense with keys costs keys × (values per window), not keys × values.
    let in_window = |sorted: &[usize], lo: usize, hi: usize| {
        sorted.partition_point(|&x| x < lo)..sorted.partition_point(|&x| x < hi)
    };
    for (k, ((key, _), win)) in keys.iter().zip(&windows).enumerate() {
        let Some((lo, hi)) = *win else { continue };
        for v in in_window(&secret_list, lo, hi) {
            if !(key.is_placeholder() && real_secret[v]) {
                secret_edges.push((cost(key_at[k], secret_at[v]), k, v));
            }
        }
        if key.class() == KeyClass::Temporary {
            for v in in_window(&token_starts, lo, hi) {
                token_edges.push((cost(key_at[k], token_at[v]), k, v));
            }
        }
    }
    let key_secret = assign(secret_edges, keys.len());
    let key_token = assign(token_edges, keys.len());

    let mut out = Vec::new();
    for (k, (key, at)) in keys.iter().enumerate() {
        out.push(Detection::Key {
            key: *key,
            span: Span::new(*at, at + KEY_ID_LEN),
            secret: key_secret[k].map(|v| Span::new(secret_list[v], secret_list[v] + SECRET_LEN)),
            token: key_token[k].map(|v| tokens[v]),
        });
    }
    let used_secrets: std::collections::HashSet<usize> =
        key_secret.iter().flatten().copied().collect();
    for (v, &s) in secret_list.iter().enumerate() {
        if secrets[&s] && !used_secrets.contains(&v) {
            out.push(Detection::Secret {
                span: Span::new(s, s + SECRET_LEN),
            });
        }
    }
    let used_tokens: std::collections::HashSet<usize> =
        key_token.iter().flatten().copied().collect();
    for (v, t) in tokens.iter().enumerate() {
        if !used_tokens.contains(&v) {
            out.push(Detection::Token { span: *t });
        }
    }
    out.sort_by_key(|d| d.anchor());
    out
}
