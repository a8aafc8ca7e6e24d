//! [`Finding`]: what every reporter consumes. One per credential (a key ID with its paired
//! secret and token, or a lone secret or token), with risk, account, advice and location.
//!
//! Also owns the total order findings are reported in, and the [`Fingerprint`] that
//! identifies a finding across runs.

use std::fmt;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::advice::Advice;
use super::canary::CanaryAccount;
use super::commit::CommitInfo;
use super::verification::Verification;
use crate::detect::key_id::KeyId;
use crate::detect::presigned::Presigned;
use crate::detect::token_meta::TokenMeta;
use crate::redact::Secret;

/// What was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// `AKIA`: a long-term IAM user access key ID.
    AccessKey,
    /// `ASIA`, `ABIA`, `ACCA`: a temporary access key ID.
    TemporaryAccessKey,
    /// A secret access key announced by a keyword, with no key ID near it.
    SecretAccessKey,
    /// A session token with no temporary key ID near it.
    SessionToken,
    /// An IAM unique ID (`AIDA`, `AROA`, ...): names something, grants nothing.
    UniqueId,
    /// A presigned URL: a key ID as its `X-Amz-Credential` or `AWSAccessKeyId`, no secret.
    PresignedUrl,
}

impl Kind {
    /// Every kind, in the order reports list them (SARIF rule indexes follow it).
    pub const ALL: [Kind; 6] = [
        Kind::AccessKey,
        Kind::TemporaryAccessKey,
        Kind::SecretAccessKey,
        Kind::SessionToken,
        Kind::UniqueId,
        Kind::PresignedUrl,
    ];

    /// The kind a report names ([`Kind::as_str`]).
    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::AccessKey => "aws_access_key",
            Kind::TemporaryAccessKey => "aws_temporary_access_key",
            Kind::SecretAccessKey => "aws_secret_access_key",
            Kind::SessionToken => "aws_session_token",
            Kind::UniqueId => "aws_unique_id",
            Kind::PresignedUrl => "presigned_url",
        }
    }

    /// One-line title for human output and SARIF rules.
    pub fn title(self) -> &'static str {
        match self {
            Kind::AccessKey => "long-term AWS access key",
            Kind::TemporaryAccessKey => "temporary AWS access key",
            Kind::SecretAccessKey => "AWS secret access key",
            Kind::SessionToken => "AWS session token",
            Kind::UniqueId => "AWS unique identifier",
            Kind::PresignedUrl => "presigned AWS URL",
        }
    }
}

/// How bad a leak is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Risk {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Risk {
    pub const ALL: [Risk; 5] = [
        Risk::Critical,
        Risk::High,
        Risk::Medium,
        Risk::Low,
        Risk::Info,
    ];

    /// The risk a report names ([`Risk::as_str`]).
    pub fn parse(text: &str) -> Option<Risk> {
        Risk::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Info => "info",
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
            Risk::Critical => "critical",
        }
    }
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a finding is: display path, 1-based line and column of its anchor.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub path: String,
    pub line: u32,
    pub column: u32,
}

/// A stable identity for a finding: SHA-256 of kind, credential and path, hex, 32 digits.
/// The line is left out so that a baseline survives code moving around; the secret is hashed,
/// never stored.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint(String);

impl Fingerprint {
    pub fn new(kind: Kind, credential: &str, path: &str) -> Fingerprint {
        let mut h = Sha256::new();
        for part in [kind.as_str(), credential, path] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        let digest = h.finalize();
        Fingerprint(digest[..16].iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A fingerprint as reports write it (32 lowercase hex digits), read back by `merge`.
    pub fn parse(text: &str) -> Option<Fingerprint> {
        let hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        (text.len() == 32 && text.bytes().all(hex)).then(|| Fingerprint(text.to_string()))
    }
}

/// A credential found, classified and explained.
#[derive(Debug, Clone)]
pub struct Finding {
    pub kind: Kind,
    pub risk: Risk,
    pub key_id: Option<KeyId>,
    /// The 12-digit account the key ID encodes, when it does.
    pub account_id: Option<u64>,
    pub secret: Option<Secret>,
    /// Line of the paired secret, when there is one.
    pub secret_line: Option<u32>,
    pub session_token: Option<Secret>,
    /// A documentation or placeholder value: reported as `info`, never fails a build.
    pub example: bool,
    pub location: Location,
    /// The anchor's line as written, at most [`CONTEXT`](crate::redact::snippet::CONTEXT) bytes each side: shown only with
    /// `--show-secrets`.
    pub line_text: String,
    /// The same line redacted before it was cut ([`crate::redact::snippet`]): what is shown.
    pub redacted_line: String,
    pub advice: Advice,
    pub fingerprint: Fingerprint,
    /// The line carries an inline allow marker (`keyleak:allow`).
    pub allowed_inline: bool,
    /// History scans: the oldest commit that introduced the credential at this path.
    pub commit: Option<Arc<CommitInfo>>,
    /// History scans: the credential is still in HEAD's tree, at this or any other path.
    /// `None` for file, standard input and staged scans.
    pub in_head: Option<bool>,
    /// A temporary credential committed longer ago than it can live, or whose stated
    /// [`expires_at`](Finding::expires_at) has passed: risk `low`.
    pub expired: bool,
    /// When a temporary credential stops working, Unix seconds, as the output it was found in
    /// states next to it (STS `Expiration`, [`crate::detect::expiration`]); `None` when not
    /// stated. A presigned URL's own expiry is in [`presigned`](Finding::presigned).
    pub expires_at: Option<i64>,
    /// How the credential was hidden when it was found in a decoded view (`escaped`);
    /// `None` when written plainly.
    pub encoding: Option<&'static str>,
    /// What a presigned URL says of itself (signature version, expiry); `None` otherwise.
    /// `expired` is then true once its expiry has passed.
    pub presigned: Option<Presigned>,
    /// The key ID's account belongs to a canary-token service: a tripwire, not a leak.
    pub canary: Option<&'static CanaryAccount>,
    /// Region and account read from the session token, when it carries them.
    pub token_meta: Option<TokenMeta>,
    /// With `--verify`: what STS said of this credential; `None` when it was not sent.
    pub verification: Option<Verification>,
    /// Multi-repository scans (`--repos`, `--repos-under`): the repository as listed (a path
    /// or a URL). `None` for a scan of one repository or of files.
    pub repository: Option<Arc<str>>,
}

impl Finding {
    /// The total order of reports: repository, path, line, column, then kind, key and
    /// commit, so output is the same whatever the thread count (and however many shards).
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            self.repository.as_deref(),
            &self.location,
            self.kind,
            self.key_id,
            self.fingerprint.as_str(),
            self.commit.as_ref().map(|c| c.id.as_str()),
        )
    }

    /// The credential's own text: the key ID, else the lone secret or session token. What
    /// "the same credential" means when history findings are merged and checked against HEAD.
    pub fn credential(&self) -> String {
        match (&self.key_id, &self.secret, &self.session_token) {
            (Some(k), _, _) => k.to_string(),
            (None, Some(s), _) => s.expose().to_string(),
            (None, None, Some(t)) => t.expose().to_string(),
            (None, None, None) => String::new(),
        }
    }

    /// There is a key to replace with a role: not an example, an identifier or a canary token.
    pub fn replaceable(&self) -> bool {
        !self.example && self.kind != Kind::UniqueId && self.canary.is_none()
    }

    /// The line of context as it may be printed.
    pub fn snippet(&self, show_secrets: bool) -> String {
        if show_secrets {
            self.line_text.clone()
        } else {
            self.redacted_line.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_hex() {
        let a = Fingerprint::new(Kind::AccessKey, "AKIARZPUZDIKGB2VALC4", "a/b.env");
        assert_eq!(
            a,
            Fingerprint::new(Kind::AccessKey, "AKIARZPUZDIKGB2VALC4", "a/b.env")
        );
        assert_ne!(
            a,
            Fingerprint::new(Kind::AccessKey, "AKIARZPUZDIKGB2VALC4", "a/c.env")
        );
        assert_eq!(a.as_str().len(), 32);
        assert!(a.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn risk_order() {
        assert!(Risk::Info < Risk::Low && Risk::Low < Risk::Medium);
        assert!(Risk::Medium < Risk::High && Risk::High < Risk::Critical);
    }
}
