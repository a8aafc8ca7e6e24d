//! `--format json` (one document: findings + summary) and `--format jsonl` (one finding per
//! line), from serde structs. Field meanings are documented in docs/output.md.
//!
//! Multi-repository scans (`--repos`, `--repos-under`) add `repository` to each finding and
//! `repositories` to the summary, and end JSONL with one `{"summary": …, "warnings": […]}`
//! line, which `keyleak merge` reads.
//!
//! History scans add `commit`, `in_head` and `expired` to each finding and `scanned_commits`
//! to the summary; file, standard input and staged scans leave them out, so their documents
//! are unchanged. Presigned URLs add `expired`, `expires_at` and `presigned`, and temporary
//! credentials with an expiry stated next to them `expired` and `expires_at`; canary keys add
//! `canary` and `canary_provider`; `--verify` adds `verified` and `verified_*` to each finding sent
//! and per-answer counts to the summary.
//!
//! Names (path, author, e-mail) have secret-shaped runs redacted as in every format; control
//! characters stay in them as JSON escapes (`\u001b`), DEL, C1 and bidirectional controls
//! included ([`crate::printable::json`]), so the document is lossless yet safe to `cat`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::token_meta::JsonTokenMeta;
use super::verified::JsonVerified;
use super::{ReportOptions, Reporter, Summary};
use crate::detect::presigned::Presigned;
use crate::model::account_string;
use crate::model::advice::Advice;
use crate::model::commit::CommitInfo;
use crate::model::commit::rfc3339;
use crate::model::finding::Finding;
use crate::model::result::ScanResult;
use crate::printable;

pub struct Json {
    pub options: ReportOptions,
    pub lines: bool,
}

/// Version of the JSON layout; bumped when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
pub struct JsonFinding<'a> {
    pub kind: &'static str,
    pub risk: &'static str,
    pub key_id: Option<String>,
    pub key_type: Option<&'static str>,
    pub account_id: Option<String>,
    pub secret: Option<String>,
    pub has_secret: bool,
    pub secret_line: Option<u32>,
    pub session_token: Option<String>,
    pub has_session_token: bool,
    pub example: bool,
    /// Multi-repository scans: the repository (path or URL) the finding is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The path as printed: a secret-shaped run redacted unless `--show-secrets`.
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub snippet: String,
    /// The role's wiring diff as `--show-secrets` allows ([`Advice::shown`]).
    pub advice: Cow<'a, Advice>,
    pub fingerprint: &'a str,
    /// `escaped` when the credential was found by decoding; absent when written plainly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<JsonCommit<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_head: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expired: Option<bool>,
    #[serde(flatten)]
    pub token_meta: Option<JsonTokenMeta<'a>>,
    /// `--verify`: `verified` and what STS said; absent when not sent.
    #[serde(flatten)]
    pub verified: Option<JsonVerified<'a>>,
    /// Presigned URLs: when the URL stops working, RFC 3339 UTC; `null` when unknown.
    /// Temporary credentials: the expiry stated next to them (STS `Expiration`), when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presigned: Option<JsonPresigned>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub canary: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canary_provider: Option<&'static str>,
}

/// What a presigned URL says of itself.
#[derive(Serialize)]
pub struct JsonPresigned {
    /// `sigv4` or `sigv2`.
    pub signature_version: &'static str,
    /// SigV4 `X-Amz-Date`, RFC 3339 UTC; `null` for SigV2 or when missing or malformed.
    pub signed_at: Option<String>,
    /// SigV4 `X-Amz-Expires` as written, seconds; `null` for SigV2 or when not a positive number.
    pub expires_in: Option<i64>,
    /// `X-Amz-Expires` was over 604800 (7 days), which AWS rejects: `expires_at` is capped.
    pub lifetime_capped: bool,
}

impl JsonPresigned {
    fn new(p: &Presigned) -> JsonPresigned {
        JsonPresigned {
            signature_version: p.version.as_str(),
            signed_at: p.signed_at.map(|t| rfc3339(t, 0)),
            expires_in: p.expires_in,
            lifetime_capped: p.lifetime_capped(),
        }
    }
}

/// The commit a history finding is attributed to.
#[derive(Serialize)]
pub struct JsonCommit<'a> {
    pub id: &'a str,
    /// As printed: a secret-shaped run redacted unless `--show-secrets`.
    pub author_name: String,
    pub author_email: String,
    /// RFC 3339, in the author's UTC offset.
    pub author_date: String,
    /// Unix seconds.
    pub author_timestamp: i64,
    /// RFC 3339, UTC: what expiry is measured from.
    pub committer_date: String,
    pub committer_timestamp: i64,
}

impl<'a> JsonCommit<'a> {
    fn new(c: &'a CommitInfo, show_secrets: bool) -> JsonCommit<'a> {
        JsonCommit {
            id: &c.id,
            author_name: shown_name(&c.author_name, show_secrets),
            author_email: shown_name(&c.author_email, show_secrets),
            author_date: c.author_date(),
            author_timestamp: c.author_time,
            committer_date: c.committer_date(),
            committer_timestamp: c.committer_time,
        }
    }
}

impl<'a> JsonFinding<'a> {
    pub fn new(f: &'a Finding, show_secrets: bool) -> JsonFinding<'a> {
        JsonFinding {
            kind: f.kind.as_str(),
            risk: f.risk.as_str(),
            key_id: f.key_id.map(|k| k.to_string()),
            key_type: f.key_id.map(|k| k.prefix().what),
            account_id: f.account_id.map(account_string),
            secret: f.secret.as_ref().map(|s| s.render(show_secrets)),
            has_secret: f.secret.is_some(),
            secret_line: f.secret_line,
            session_token: f.session_token.as_ref().map(|s| s.render(show_secrets)),
            has_session_token: f.session_token.is_some(),
            example: f.example,
            repository: f.repository.as_deref().map(|r| shown_name(r, show_secrets)),
            path: shown_name(&f.location.path, show_secrets),
            line: f.location.line,
            column: f.location.column,
            snippet: f.snippet(show_secrets),
            advice: f.advice.shown(show_secrets),
            fingerprint: f.fingerprint.as_str(),
            encoding: f.encoding,
            commit: f
                .commit
                .as_deref()
                .map(|c| JsonCommit::new(c, show_secrets)),
            in_head: f.in_head,
            expired: (f.commit.is_some() || f.presigned.is_some() || f.expires_at.is_some())
                .then_some(f.expired),
            expires_at: f
                .presigned
                .map(|p| p.expires_at)
                .or(f.expires_at.map(Some))
                .map(|at| at.map(|t| rfc3339(t, 0))),
            presigned: f.presigned.as_ref().map(JsonPresigned::new),
            canary: f.canary.is_some(),
            canary_provider: f.canary.map(|c| c.provider.as_str()),
            token_meta: JsonTokenMeta::of(f),
            verified: JsonVerified::of(f),
        }
    }
}

/// A name as JSON carries it: secret-shaped runs redacted unless `show_secrets`; control
/// characters are left to the JSON escaping.
fn shown_name(name: &str, show_secrets: bool) -> String {
    if show_secrets {
        name.to_string()
    } else {
        printable::names::redact_secrets(name).into_owned()
    }
}

#[derive(Serialize)]
struct JsonSuppressed {
    inline: u64,
    path: u64,
    key_id: u64,
    baseline: u64,
    /// Below `--min-risk`.
    min_risk: u64,
}

/// Multi-repository scans: repositories scanned and failed.
#[derive(Serialize)]
pub struct JsonRepositories {
    pub scanned: u64,
    pub failed: u64,
}

#[derive(Serialize)]
struct JsonSummary {
    findings: usize,
    by_risk: BTreeMap<&'static str, usize>,
    by_account: BTreeMap<String, usize>,
    scanned_blobs: u64,
    scanned_bytes: u64,
    allowed_inline: u64,
    suppressed: JsonSuppressed,
    warnings: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    scanned_commits: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repositories: Option<JsonRepositories>,
    /// `--verify`: findings per answer (`active`, `invalid`, `expired`, `error`).
    #[serde(skip_serializing_if = "Option::is_none")]
    verified: Option<BTreeMap<&'static str, usize>>,
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    summary: JsonSummary,
}

/// The last line of a multi-repository scan's JSONL: what `keyleak merge` needs besides the
/// findings to summarise the shards as one run (counts, warnings).
#[derive(Serialize)]
struct SummaryLine {
    summary: JsonSummary,
    warnings: Vec<JsonWarning>,
    /// `--shard K/N`, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    shard: Option<String>,
}

/// A warning as a summary line carries it: names redacted as in findings.
#[derive(Serialize)]
struct JsonWarning {
    subject: String,
    message: String,
}

impl Reporter for Json {
    fn report(&self, out: &mut dyn Write, result: &ScanResult) -> io::Result<()> {
        let show = self.options.show_secrets;
        if self.lines {
            for f in &result.findings {
                printable::json::write_line(out, &JsonFinding::new(f, show))?;
            }
            if result.stats.repositories.is_some() {
                let line = SummaryLine {
                    summary: summary(result),
                    warnings: result
                        .warnings
                        .iter()
                        .map(|w| JsonWarning {
                            subject: shown_name(&w.subject, show),
                            message: shown_name(&w.message, show),
                        })
                        .collect(),
                    shard: result
                        .stats
                        .repositories
                        .and_then(|r| r.shard)
                        .map(|(k, n)| format!("{k}/{n}")),
                };
                printable::json::write_line(out, &line)?;
            }
            return Ok(());
        }
        let doc = Document {
            version: SCHEMA_VERSION,
            findings: result
                .findings
                .iter()
                .map(|f| JsonFinding::new(f, show))
                .collect(),
            summary: summary(result),
        };
        printable::json::write_pretty(out, &doc)
    }
}

fn summary(result: &ScanResult) -> JsonSummary {
    let summary = Summary::of(&result.findings);
    JsonSummary {
        findings: summary.findings,
        by_risk: summary
            .by_risk
            .iter()
            .map(|(r, n)| (r.as_str(), *n))
            .collect(),
        by_account: summary.by_account,
        scanned_blobs: result.stats.blobs,
        scanned_bytes: result.stats.bytes,
        allowed_inline: result.stats.suppressed.inline,
        suppressed: JsonSuppressed {
            inline: result.stats.suppressed.inline,
            path: result.stats.suppressed.path,
            key_id: result.stats.suppressed.key_id,
            baseline: result.stats.suppressed.baseline,
            min_risk: result.stats.suppressed.below_min_risk,
        },
        warnings: result.warnings.len(),
        scanned_commits: result.stats.commits,
        repositories: result.stats.repositories.map(|r| JsonRepositories {
            scanned: r.scanned,
            failed: r.failed,
        }),
        verified: super::verified::counts(&result.findings).map(|c| c.into_iter().collect()),
    }
}
