//! Classification: a [`Detection`] in a blob becomes a [`Finding`] with risk, account,
//! example flag, location and advice, in two steps: what the blob's bytes and path give
//! ([`classify`]: an [`Unsettled`] finding), then what its commit and the clock give (expiry,
//! risk, first step: [`Unsettled::settle`]). `--cache` keeps the first for blobs it will not
//! read again.
//!
//! Owns the risk model (the table in README's "Risk" section): long-term keys are exploitable
//! until deleted, temporary ones expire (`history`: expiry and the deleted-key note), presigned
//! URLs live until their own expiry, and canary keys are tripwires (`canary`). It does not
//! filter or print.

pub mod advice;
pub mod canary;
pub mod history;
pub mod role;

use crate::detect::key_id::KeyClass;
use crate::detect::lines::LineIndex;
use crate::detect::{Detection, Span, expiration, secret, token_meta};
use std::ops::Range;
use std::sync::Arc;

use crate::model::blob::Blob;
use crate::model::commit::CommitInfo;
use crate::model::finding::{Finding, Fingerprint, Kind, Location, Risk};
use crate::redact::{Secret, snippet};

/// Marker that suppresses a finding when written on its line near it ([`allow_marker_near`]).
/// `gitleaks:allow` is honoured too, so a repository moving from gitleaks keeps its reviewed
/// exceptions.
pub const ALLOW_MARKERS: &[&str] = &["keyleak:allow", "gitleaks:allow"];

/// How far from a finding's anchor, in bytes on its line, an allow marker counts: as far as
/// the snippet shows, so the reviewer who reads the finding sees the marker too. One marker
/// at the top of a minified bundle does not hide every key on its one line.
pub const ALLOW_REACH: usize = snippet::CONTEXT;

/// Is an allow marker written on `line` of `text` within [`ALLOW_REACH`] bytes of `anchor`?
/// `text` is what the reader sees (the file, or its UTF-16 text), never a decoded view: a
/// marker hidden in base64 allows nothing.
pub fn allow_marker_near(text: &[u8], line: Range<usize>, anchor: Range<usize>) -> bool {
    let lo = anchor.start.saturating_sub(ALLOW_REACH).max(line.start);
    let hi = (anchor.end + ALLOW_REACH).min(line.end).max(lo);
    ALLOW_MARKERS
        .iter()
        .any(|m| memchr::memmem::find(&text[lo..hi], m.as_bytes()).is_some())
}

/// The facts risk depends on.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub kind: Kind,
    /// A real (non-placeholder) secret or token goes with the key.
    pub paired: bool,
    pub example: bool,
    /// A temporary credential committed longer ago than it can live ([`history::is_expired`]),
    /// or past the expiry stated next to it ([`expiration::stated`]).
    pub expired: bool,
}

/// The risk table.
pub fn risk(f: Facts) -> Risk {
    if f.example {
        return Risk::Info;
    }
    match f.kind {
        // One request on one object, for at most its lifetime; dead once expired.
        Kind::PresignedUrl if f.expired => Risk::Info,
        Kind::PresignedUrl => Risk::Low,
        _ if f.expired => Risk::Low,
        Kind::AccessKey if f.paired => Risk::Critical,
        Kind::AccessKey | Kind::SecretAccessKey => Risk::High,
        Kind::TemporaryAccessKey if f.paired => Risk::Medium,
        Kind::TemporaryAccessKey | Kind::SessionToken => Risk::Low,
        Kind::UniqueId => Risk::Info,
    }
}

fn text(hay: &[u8], span: Span) -> String {
    String::from_utf8_lossy(span.bytes(hay)).into_owned()
}

/// A finding as a blob's bytes and its path give it, before its commit and the clock are
/// applied ([`Unsettled::settle`]): `commit`, `expired`, `risk` and `advice.first_step` are
/// not set yet. What `--cache` keeps of a blob with findings, per path.
#[derive(Debug, Clone)]
pub struct Unsettled {
    pub finding: Finding,
    /// A real (non-placeholder) secret or token goes with the key ([`Facts::paired`]): risk
    /// needs it, and the finding does not say it.
    pub paired: bool,
}

impl Unsettled {
    /// The finding as introduced by `commit` (none outside history), judged at `now` (Unix
    /// seconds): whether it has expired (a temporary credential committed longer ago than it
    /// lives, or past an expiry stated next to it or in its URL), its risk and first step.
    pub fn settle(self, commit: Option<Arc<CommitInfo>>, now: i64) -> Finding {
        let Unsettled {
            mut finding,
            paired,
        } = self;
        let f = &mut finding;
        let past_stated_expiry = f.expires_at.is_some_and(|at| now >= at);
        f.expired = history::is_expired(f.kind, commit.as_ref().map(|c| c.committer_time), now)
            || f.presigned
                .is_some_and(|u| u.expires_at.is_some_and(|at| now >= at))
            || past_stated_expiry;
        let facts = Facts {
            kind: f.kind,
            paired,
            example: f.example,
            expired: f.expired,
        };
        f.risk = match f.canary {
            Some(_) => risk(facts).min(canary::CANARY_RISK),
            None => risk(facts),
        };
        f.advice.first_step = if f.canary.is_some() && !f.example {
            canary::CANARY_STEP
        } else if past_stated_expiry && !f.example {
            history::STATED_EXPIRED_STEP
        } else {
            advice::first_step_for(facts)
        };
        f.commit = commit;
        finding
    }
}

/// Classifies one detection, as far as `blob`'s bytes and path tell ([`Unsettled`]); its
/// commit is not read. `lines` must belong to `blob`; call in increasing anchor order
/// for one pass over the blob. `place` is the file's deployment context
/// ([`advice::context_for`]) and what it says for a role ([`role::Place`]), worked out once
/// per blob: it may search the whole content. A finding with a key to replace gets its role
/// setup ([`Finding::replaceable`]). `in_head` is left `None`: only the history scan can
/// tell. `masks` are the byte ranges of every credential value found in `blob` (secrets and
/// tokens of all its detections), hidden in the snippet whatever their shape.
pub fn classify(
    detection: &Detection,
    blob: &Blob,
    lines: &mut LineIndex<'_>,
    place: &role::Place<'_>,
    masks: &snippet::Masks,
) -> Unsettled {
    let hay = &blob.bytes[..];
    let anchor = detection.anchor();
    let pos = lines.locate(anchor.start);
    let (kind, key_id, secret_span, token_span) = match *detection {
        Detection::Key {
            key, secret, token, ..
        } => {
            let kind = match key.class() {
                KeyClass::LongTerm => Kind::AccessKey,
                KeyClass::Temporary => Kind::TemporaryAccessKey,
                KeyClass::Identifier => Kind::UniqueId,
            };
            (kind, Some(key), secret, token)
        }
        Detection::Secret { span } => (Kind::SecretAccessKey, None, Some(span), None),
        Detection::Token { span } => (Kind::SessionToken, None, None, Some(span)),
        Detection::Presigned { key, .. } => (Kind::PresignedUrl, Some(key), None, None),
    };
    let presigned = match *detection {
        Detection::Presigned { url, .. } => Some(url),
        _ => None,
    };
    let secret_placeholder = secret_span.is_some_and(|s| secret::is_placeholder(s.bytes(hay)));
    let token_placeholder = token_span.is_some_and(|t| secret::is_placeholder(t.bytes(hay)));
    let example = match key_id {
        Some(k) => k.is_placeholder(),
        None => secret_placeholder || token_placeholder,
    };
    let paired = (secret_span.is_some() && !secret_placeholder)
        || (token_span.is_some() && !token_placeholder);
    let credential = match (key_id, secret_span, token_span) {
        (Some(k), _, _) => k.to_string(),
        (None, Some(s), _) => text(hay, s),
        (None, None, Some(t)) => text(hay, t),
        (None, None, None) => String::new(),
    };
    let secret_line = secret_span.map(|s| {
        let before = crate::detect::lines::newlines_between(hay, anchor.start, s.start);
        if s.start >= anchor.start {
            pos.line + before as u32
        } else {
            pos.line - before as u32
        }
    });
    let expires_at = history::EXPIRING_KINDS
        .contains(&kind)
        .then(|| expiration::stated(hay, anchor))
        .flatten();
    let canary = key_id.and_then(|k| k.account_id()).and_then(canary::lookup);
    let line = pos.line_start..pos.line_end;
    let allowed_inline = allow_marker_near(hay, line.clone(), anchor.start..anchor.end);
    // A URL's token is URL-encoded there (twice in a nested URL): reported decoded, as a token
    // is written elsewhere.
    let url_token = presigned
        .and_then(|u| Some((u.token?, u.nested)))
        .map(|(t, nested)| {
            let once = crate::detect::presigned::percent_decode(t.bytes(hay));
            Secret::new(match nested {
                true => crate::detect::presigned::percent_decode(once.as_bytes()),
                false => once,
            })
        });
    let url_token_meta = url_token
        .as_ref()
        .and_then(|t| token_meta::read(t.expose().as_bytes()));
    let mut finding = Finding {
        kind,
        // Set by `settle`.
        risk: Risk::Info,
        key_id,
        // A placeholder's decoded account names nobody's account: not shown, not counted.
        account_id: key_id.filter(|_| !example).and_then(|k| k.account_id()),
        secret: secret_span.map(|s| Secret::new(text(hay, s))),
        secret_line,
        session_token: token_span.map(|t| Secret::new(text(hay, t))).or(url_token),
        example,
        location: Location {
            path: blob.origin.path.clone(),
            line: pos.line,
            column: pos.column,
        },
        line_text: snippet::raw(hay, line.clone(), anchor.start..anchor.end),
        redacted_line: snippet::redacted(
            hay,
            line,
            anchor.start..anchor.end,
            key_id.is_some(),
            masks,
        ),
        advice: advice::advise(place.context),
        fingerprint: Fingerprint::new(kind, &credential, &blob.origin.path),
        allowed_inline,
        commit: None,
        in_head: None,
        expired: false,
        expires_at,
        encoding: None,
        presigned,
        canary,
        token_meta: token_span
            .and_then(|t| token_meta::read(t.bytes(hay)))
            .or(url_token_meta),
        verification: None,
        repository: None,
    };
    if finding.replaceable() {
        finding.advice.role = Some(place.setup_at(finding.account_id, Some(finding.location.line)));
    }
    Unsettled { finding, paired }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_table() {
        let f = |kind, paired, example| {
            risk(Facts {
                kind,
                paired,
                example,
                expired: false,
            })
        };
        assert_eq!(f(Kind::AccessKey, true, false), Risk::Critical);
        assert_eq!(f(Kind::AccessKey, false, false), Risk::High);
        assert_eq!(f(Kind::SecretAccessKey, false, false), Risk::High);
        assert_eq!(f(Kind::TemporaryAccessKey, true, false), Risk::Medium);
        assert_eq!(f(Kind::TemporaryAccessKey, false, false), Risk::Low);
        assert_eq!(f(Kind::SessionToken, false, false), Risk::Low);
        assert_eq!(f(Kind::UniqueId, false, false), Risk::Info);
        assert_eq!(f(Kind::AccessKey, true, true), Risk::Info);
        assert_eq!(f(Kind::PresignedUrl, false, false), Risk::Low);
        assert_eq!(f(Kind::PresignedUrl, false, true), Risk::Info);
    }

    #[test]
    fn expired_is_low() {
        let f = |kind, paired, example| {
            risk(Facts {
                kind,
                paired,
                example,
                expired: true,
            })
        };
        assert_eq!(f(Kind::TemporaryAccessKey, true, false), Risk::Low);
        assert_eq!(f(Kind::TemporaryAccessKey, false, false), Risk::Low);
        assert_eq!(f(Kind::SessionToken, false, false), Risk::Low);
        assert_eq!(f(Kind::TemporaryAccessKey, true, true), Risk::Info);
        assert_eq!(f(Kind::PresignedUrl, false, false), Risk::Info);
    }
}
