//! Rules that only git history brings: temporary credentials that have expired since they were
//! committed, and keys deleted from the tree that history still holds. Also the advice for a
//! temporary credential past the expiry stated next to it, history or not.
//!
//! Data, not code: the lifetime bound, which kinds expire and the texts are constants here,
//! used by [`super::risk`] and [`super::advice`]. Nothing here reads git.

use crate::model::finding::{Finding, Kind};

/// The longest an STS credential lives: 36 hours, a `GetSessionToken` session's maximum
/// (role sessions last at most 12 hours).
pub const MAX_TEMPORARY_LIFETIME_SECS: i64 = 36 * 3600;

/// Kinds that expire on their own: temporary key IDs (`ASIA`, `ABIA`, `ACCA`) and session
/// tokens. A long-term `AKIA` key and a lone secret (whose key may be long-term) never do.
pub const EXPIRING_KINDS: &[Kind] = &[Kind::TemporaryAccessKey, Kind::SessionToken];

/// The note for a credential that history holds but HEAD's tree no longer does.
pub const DELETED_NOTE: &str = "deleted from the tree but still in history: rotate the key; rewriting history does not un-leak it";

/// What to do with an expired temporary credential.
pub const EXPIRED_STEP: &str = "Expired: temporary credentials live at most 36 h and this one was \
    committed longer ago than that, so it no longer works. Nothing to revoke; remove it, and check \
    CloudTrail for what it did while it was valid.";

/// What to do with a temporary credential past the expiry its own output states (STS
/// `Expiration`): not a rule of history, but the same situation as [`EXPIRED_STEP`]'s.
pub const STATED_EXPIRED_STEP: &str = "Expired: the expiry written next to this temporary \
    credential (its `Expiration`) has passed, so it no longer works. Nothing to revoke; remove \
    it, and check CloudTrail for what it did while it was valid.";

/// A temporary credential committed (committer time, Unix seconds) more than
/// [`MAX_TEMPORARY_LIFETIME_SECS`] before `now`. The committer time is used because it is an
/// upper bound on when the credential was issued (amend and rebase keep the author date but
/// renew the committer date), so a credential is never called expired too early.
pub fn is_expired(kind: Kind, committed_at: Option<i64>, now: i64) -> bool {
    EXPIRING_KINDS.contains(&kind)
        && committed_at.is_some_and(|t| now.saturating_sub(t) > MAX_TEMPORARY_LIFETIME_SECS)
}

/// The history note for a finding: only a live, real credential that HEAD no longer has. A
/// canary key gets none: it grants nothing, so there is nothing to rotate (its first step
/// says what to do).
pub fn note(f: &Finding) -> Option<&'static str> {
    let deleted = f.in_head == Some(false);
    (deleted && !f.example && !f.expired && f.canary.is_none() && f.kind != Kind::UniqueId)
        .then_some(DELETED_NOTE)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;
    const HOUR: i64 = 3600;

    #[test]
    fn expiry() {
        let cases: &[(Kind, Option<i64>, bool)] = &[
            (Kind::TemporaryAccessKey, Some(NOW - 72 * HOUR), true),
            (Kind::TemporaryAccessKey, Some(NOW - 37 * HOUR), true),
            (Kind::TemporaryAccessKey, Some(NOW - 36 * HOUR), false),
            (Kind::TemporaryAccessKey, Some(NOW), false),
            (Kind::TemporaryAccessKey, None, false),
            (Kind::SessionToken, Some(NOW - 72 * HOUR), true),
            (Kind::AccessKey, Some(NOW - 10_000 * HOUR), false),
            (Kind::SecretAccessKey, Some(NOW - 10_000 * HOUR), false),
            (Kind::UniqueId, Some(NOW - 10_000 * HOUR), false),
        ];
        for (kind, at, want) in cases {
            assert_eq!(is_expired(*kind, *at, NOW), *want, "{kind:?} {at:?}");
        }
    }

    #[test]
    fn deleted_note() {
        use crate::detect::{DetectOptions, Detector};
        use crate::model::blob::{Blob, Origin};
        // AKIAQYLPMN5HP35U6F6W: a canarytokens.org key (testdata/positive/canary).
        let scan = |text: &str| {
            let blob = Blob {
                origin: Origin::file("a.env"),
                bytes: text.as_bytes().to_vec().into(),
            };
            let mut found =
                crate::scan::scan_blob(&Detector::new(DetectOptions::default()), &blob, NOW);
            assert_eq!(found.len(), 1, "{text}");
            found.remove(0)
        };
        let with = |text: &str, in_head: Option<bool>| {
            let mut f = scan(text);
            f.in_head = in_head;
            note(&f)
        };
        let real = "AWS_ACCESS_KEY_ID=AKIARZPUZDIKGB2VALC4\n";
        assert_eq!(with(real, Some(false)), Some(DELETED_NOTE));
        assert_eq!(with(real, Some(true)), None);
        assert_eq!(with(real, None), None);
        assert_eq!(
            with("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n", Some(false)),
            None
        );
        assert_eq!(
            with("AWS_ACCESS_KEY_ID=AKIAQYLPMN5HP35U6F6W\n", Some(false)),
            None
        );
        let mut expired = scan(real);
        (expired.kind, expired.expired, expired.in_head) =
            (Kind::TemporaryAccessKey, true, Some(false));
        assert_eq!(note(&expired), None);
        let mut id = scan(real);
        (id.kind, id.in_head) = (Kind::UniqueId, Some(false));
        assert_eq!(note(&id), None);
        assert!(DELETED_NOTE.contains("rotate the key"));
    }
}
