//! One line of a shard's JSONL back into the model: a [`Finding`] from a finding line, or the
//! counts and warnings of the summary line (`report::json` writes both).
//!
//! The finding is rebuilt as the report showed it: secrets, tokens, snippets and names hold
//! the text the shard wrote (redacted unless it ran with `--show-secrets`), so `merge`
//! reports them with `show_secrets` on, which prints that text as it is and never more.
//! Advice texts and other table strings come back as owned text made `'static` once per
//! distinct text (`intern`): a merge is one short run over its shards' files.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use crate::detect::Span;
use crate::detect::key_id::KeyId;
use crate::detect::presigned::{Presigned, SigVersion};
use crate::detect::token_meta::TokenMeta;
use crate::model::advice::Advice;
use crate::model::commit::{CommitInfo, parse_rfc3339};
use crate::model::finding::{Finding, Fingerprint, Kind, Location, Risk};
use crate::model::result::{Repositories, Suppressed};
use crate::model::role::{PermissionsHint, RoleSetup, WiringDiff};
use crate::model::verification::{Status, Verification};
use crate::model::warning::Warning;
use crate::redact::Secret;
use crate::risk::role::unified;

/// A finding line, as `report::json::JsonFinding` writes it.
#[derive(Deserialize)]
pub struct FindingLine {
    kind: String,
    risk: String,
    key_id: Option<String>,
    account_id: Option<String>,
    secret: Option<String>,
    secret_line: Option<u32>,
    session_token: Option<String>,
    example: bool,
    repository: Option<String>,
    path: String,
    line: u32,
    column: u32,
    snippet: String,
    advice: AdviceLine,
    fingerprint: String,
    encoding: Option<String>,
    commit: Option<CommitLine>,
    in_head: Option<bool>,
    expired: Option<bool>,
    token_region: Option<String>,
    token_account: Option<String>,
    verified: Option<String>,
    verified_arn: Option<String>,
    verified_account: Option<String>,
    verified_user_id: Option<String>,
    verified_detail: Option<String>,
    /// Absent, `null` (a presigned URL's unknown expiry) or a time.
    #[serde(default)]
    expires_at: Option<serde_json::Value>,
    presigned: Option<PresignedLine>,
    #[serde(default)]
    canary: bool,
}

#[derive(Deserialize)]
struct AdviceLine {
    context: String,
    first_step: String,
    replace_with: String,
    history: Option<String>,
    role: Option<RoleLine>,
}

#[derive(Deserialize)]
struct RoleLine {
    principal: Option<String>,
    trust_policy: Option<serde_json::Value>,
    wiring: String,
    wiring_diff: Option<DiffLine>,
    permissions_hint: HintLine,
    guessed: Vec<String>,
}

#[derive(Deserialize)]
struct DiffLine {
    patch: String,
    applies: bool,
}

#[derive(Deserialize)]
struct HintLine {
    services: Vec<String>,
    note: String,
}

#[derive(Deserialize)]
struct CommitLine {
    id: String,
    author_name: String,
    author_email: String,
    author_date: String,
    author_timestamp: i64,
    committer_timestamp: i64,
}

#[derive(Deserialize)]
struct PresignedLine {
    signature_version: String,
    signed_at: Option<String>,
    expires_in: Option<i64>,
}

/// The last line of a shard: what it counted.
#[derive(Deserialize)]
pub(super) struct SummaryLine {
    pub summary: SummaryCounts,
    pub warnings: Vec<WarningLine>,
    /// `K/N` when the shard ran with `--shard`.
    pub shard: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct SummaryCounts {
    pub scanned_blobs: u64,
    pub scanned_bytes: u64,
    pub suppressed: SuppressedLine,
    pub scanned_commits: Option<u64>,
    pub repositories: RepositoriesLine,
}

#[derive(Deserialize)]
pub(super) struct SuppressedLine {
    inline: u64,
    path: u64,
    key_id: u64,
    baseline: u64,
    min_risk: u64,
}

impl SuppressedLine {
    pub fn counts(&self) -> Suppressed {
        Suppressed {
            inline: self.inline,
            path: self.path,
            key_id: self.key_id,
            baseline: self.baseline,
            below_min_risk: self.min_risk,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct RepositoriesLine {
    scanned: u64,
    failed: u64,
}

impl RepositoriesLine {
    pub fn counts(&self) -> Repositories {
        Repositories {
            scanned: self.scanned,
            failed: self.failed,
            shard: None,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct WarningLine {
    subject: String,
    message: String,
}

impl WarningLine {
    pub fn warning(self) -> Warning {
        Warning::new(self.subject, self.message)
    }
}

/// `text` as a `'static` string: the first time, leaked; after that, the same one.
fn intern(text: String) -> &'static str {
    static SEEN: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let seen = seen.get_or_insert_with(HashSet::new);
    if let Some(s) = seen.get(text.as_str()) {
        return s;
    }
    let s: &'static str = Box::leak(text.into_boxed_str());
    seen.insert(s);
    s
}

/// Unix seconds from a report's RFC 3339 time.
fn time(text: &str) -> Result<i64, String> {
    parse_rfc3339(text)
        .map(|(t, _)| t)
        .ok_or_else(|| format!("`{text}` is not an RFC 3339 time"))
}

fn account(text: &str) -> Result<u64, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not an account ID"))
}

impl FindingLine {
    /// The finding this line reports; `Err` says which field is not as keyleak writes it.
    pub fn finding(self) -> Result<Finding, String> {
        let kind = Kind::parse(&self.kind).ok_or(format!("unknown kind `{}`", self.kind))?;
        let risk = Risk::parse(&self.risk).ok_or(format!("unknown risk `{}`", self.risk))?;
        let key_id = match &self.key_id {
            Some(k) => Some(KeyId::parse(k.as_bytes()).ok_or(format!("bad key ID `{k}`"))?),
            None => None,
        };
        let account_id = self.account_id.as_deref().map(account).transpose()?;
        let fingerprint = Fingerprint::parse(&self.fingerprint)
            .ok_or(format!("bad fingerprint `{}`", self.fingerprint))?;
        let commit = match self.commit {
            Some(c) => {
                let (_, offset) = parse_rfc3339(&c.author_date)
                    .ok_or(format!("bad author_date `{}`", c.author_date))?;
                Some(Arc::new(CommitInfo {
                    id: c.id,
                    author_name: c.author_name,
                    author_email: c.author_email,
                    author_time: c.author_timestamp,
                    author_offset_minutes: offset,
                    committer_time: c.committer_timestamp,
                    walk_index: 0,
                }))
            }
            None => None,
        };
        let expires_at = match &self.expires_at {
            Some(serde_json::Value::String(t)) => Some(time(t)?),
            Some(serde_json::Value::Null) | None => None,
            Some(other) => return Err(format!("bad expires_at {other}")),
        };
        let presigned = match self.presigned {
            Some(p) => Some(Presigned {
                version: match p.signature_version.as_str() {
                    "sigv4" => SigVersion::V4,
                    "sigv2" => SigVersion::V2,
                    other => return Err(format!("unknown signature_version `{other}`")),
                },
                query: Span { start: 0, end: 0 },
                signed_at: p.signed_at.as_deref().map(time).transpose()?,
                expires_in: p.expires_in,
                expires_at,
                token: None,
                nested: false,
            }),
            None => None,
        };
        let token_meta = (self.token_region.is_some() || self.token_account.is_some())
            .then(|| -> Result<TokenMeta, String> {
                Ok(TokenMeta {
                    region: self.token_region,
                    account: self.token_account.as_deref().map(account).transpose()?,
                })
            })
            .transpose()?;
        let verification = match &self.verified {
            Some(status) => Some(Verification {
                status: [
                    Status::Active,
                    Status::Invalid,
                    Status::Expired,
                    Status::Error,
                ]
                .into_iter()
                .find(|s| s.as_str() == status)
                .ok_or(format!("unknown verified `{status}`"))?,
                arn: self.verified_arn,
                account: self.verified_account,
                user_id: self.verified_user_id,
                code: None,
                detail: self.verified_detail,
            }),
            None => None,
        };
        let canary = match self.canary {
            true => Some(
                key_id
                    .and_then(|k| k.account_id())
                    .and_then(crate::risk::canary::lookup)
                    .ok_or("a canary finding whose key names no canary account")?,
            ),
            false => None,
        };
        let a = self.advice;
        let advice = Advice {
            context: intern(a.context),
            first_step: intern(a.first_step),
            replace_with: intern(a.replace_with),
            history: a.history.map(intern),
            role: a.role.map(|r| RoleSetup {
                principal: r.principal,
                trust_policy: r.trust_policy,
                wiring: r.wiring,
                // Written with `--show-secrets`, a diff applies and holds the secret: it is
                // printed whole again only with `--show-secrets`.
                wiring_diff: r.wiring_diff.map(|d| match d.applies {
                    true => unified::reread(d.patch),
                    false => WiringDiff {
                        patch: d.patch,
                        applies: false,
                        full: None,
                    },
                }),
                permissions_hint: PermissionsHint {
                    services: r
                        .permissions_hint
                        .services
                        .into_iter()
                        .map(intern)
                        .collect(),
                    note: intern(r.permissions_hint.note),
                },
                guessed: r.guessed,
            }),
        };
        Ok(Finding {
            kind,
            risk,
            key_id,
            account_id,
            secret: self.secret.map(Secret::new),
            secret_line: self.secret_line,
            session_token: self.session_token.map(Secret::new),
            example: self.example,
            location: Location {
                path: self.path,
                line: self.line,
                column: self.column,
            },
            line_text: self.snippet.clone(),
            redacted_line: self.snippet,
            advice,
            fingerprint,
            allowed_inline: false,
            commit,
            in_head: self.in_head,
            expired: self.expired.unwrap_or(false),
            expires_at: expires_at.filter(|_| presigned.is_none()),
            encoding: self.encoding.map(intern),
            presigned,
            canary,
            token_meta,
            verification,
            repository: self.repository.map(Arc::from),
        })
    }
}
