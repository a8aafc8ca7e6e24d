//! `--format json` (one document: findings + summary) and `--format jsonl` (one finding per
//! line), from serde structs. Field meanings are documented in README's "JSON output".
//!
//! History scans add `commit`, `in_head` and `expired` to each finding and `scanned_commits`
//! to the summary; file, standard input and staged scans leave them out, so their documents
//! are unchanged.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::token_meta::JsonTokenMeta;
use super::{ReportOptions, Reporter, Summary, account_string};
use crate::finding::Finding;
use crate::risk::advice::Advice;
use crate::scan::ScanResult;
use crate::source::CommitInfo;

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
    pub path: &'a str,
    pub line: u32,
    pub column: u32,
    pub snippet: String,
    pub advice: &'a Advice,
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
}

/// The commit a history finding is attributed to.
#[derive(Serialize)]
pub struct JsonCommit<'a> {
    pub id: &'a str,
    pub author_name: &'a str,
    pub author_email: &'a str,
    /// RFC 3339, in the author's UTC offset.
    pub author_date: String,
    /// Unix seconds.
    pub author_timestamp: i64,
    /// RFC 3339, UTC: what expiry is measured from.
    pub committer_date: String,
    pub committer_timestamp: i64,
}

impl<'a> JsonCommit<'a> {
    fn new(c: &'a CommitInfo) -> JsonCommit<'a> {
        JsonCommit {
            id: &c.id,
            author_name: &c.author_name,
            author_email: &c.author_email,
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
            path: &f.location.path,
            line: f.location.line,
            column: f.location.column,
            snippet: f.snippet(show_secrets),
            advice: &f.advice,
            fingerprint: f.fingerprint.as_str(),
            encoding: f.encoding,
            commit: f.commit.as_deref().map(JsonCommit::new),
            in_head: f.in_head,
            expired: f.commit.is_some().then_some(f.expired),
            token_meta: JsonTokenMeta::of(f),
        }
    }
}

#[derive(Serialize)]
struct JsonSuppressed {
    inline: u64,
    path: u64,
    key_id: u64,
    baseline: u64,
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
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    summary: JsonSummary,
}

impl Reporter for Json {
    fn report(&self, out: &mut dyn Write, result: &ScanResult) -> io::Result<()> {
        let show = self.options.show_secrets;
        if self.lines {
            for f in &result.findings {
                serde_json::to_writer(&mut *out, &JsonFinding::new(f, show))?;
                out.write_all(b"\n")?;
            }
            return Ok(());
        }
        let summary = Summary::of(&result.findings);
        let doc = Document {
            version: SCHEMA_VERSION,
            findings: result
                .findings
                .iter()
                .map(|f| JsonFinding::new(f, show))
                .collect(),
            summary: JsonSummary {
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
                },
                warnings: result.warnings.len(),
                scanned_commits: result.stats.commits,
            },
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        out.write_all(b"\n")
    }
}
