//! `--format gitlab`: GitLab's Secret Detection report (`gl-secret-detection-report.json`,
//! schema 15.2.1), which a GitLab CI job hands over as `artifacts: reports: secret_detection:`
//! so findings show in merge requests and the vulnerability report.
//!
//! One vulnerability per finding: a UUID-shaped `id` derived from the fingerprint and the
//! commit (stable across runs), the kind's title as `name`, a Markdown `description` of what
//! was found with the advice (secrets redacted unless `--show-secrets`), the advice again as
//! `solution` (with the role setup: trust policy, wiring, permissions), `severity` from risk,
//! the kind as the primary identifier, and a `location` with path, lines and the introducing
//! commit. The schema requires a commit; file, standard-input
//! and staged findings have none and get `0000000`, as GitLab's own analyzer writes. The source
//! line is left out (`raw_source_code_extract` is meant to be unsanitised). Built from serde
//! structs; validated against GitLab's schema, vendored in `tests/schemas/`. Names (path,
//! author) are redacted and strings written as in JSON ([`crate::printable`]).
//!
//! This module owns the schema's structs, the ids and the report; the Markdown of
//! `description` and `solution` is written in `markdown`.

use std::collections::HashSet;
use std::io::{self, Write};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::message::Message;
use super::{ReportOptions, Reporter};
use crate::model::commit::rfc3339;
use crate::model::finding::{Finding, Kind, Risk};
use crate::model::result::ScanResult;
use crate::printable::names::redact_secrets;

mod markdown;

use markdown::{description, solution};

/// The report schema version written; the vendored copy in `tests/schemas/` is this one.
pub const SCHEMA_VERSION: &str = "15.2.1";

/// The commit of a finding that has none: the schema requires `location.commit.sha`.
pub const NO_COMMIT: &str = "0000000";

pub struct Gitlab {
    pub options: ReportOptions,
    /// Unix seconds: when the scan started and finished ([`super::ScanTimes`]).
    pub started: i64,
    pub finished: i64,
}

fn severity(risk: Risk) -> &'static str {
    match risk {
        Risk::Critical => "Critical",
        Risk::High => "High",
        Risk::Medium => "Medium",
        Risk::Low => "Low",
        Risk::Info => "Info",
    }
}

/// `yyyy-mm-ddThh:mm:ss`, UTC without a zone: the only form the schema's times allow.
fn schema_time(unix: i64) -> String {
    let mut t = rfc3339(unix, 0);
    t.pop(); // the `Z`
    t
}

#[derive(Serialize)]
struct Report<'a> {
    version: &'static str,
    scan: Scan,
    vulnerabilities: Vec<Vulnerability<'a>>,
}

#[derive(Serialize)]
struct Scan {
    analyzer: Tool,
    scanner: Tool,
    #[serde(rename = "type")]
    kind: &'static str,
    start_time: String,
    end_time: String,
    status: &'static str,
    /// Every identifier keyleak can report: GitLab resolves those no longer found.
    primary_identifiers: Vec<Identifier>,
}

#[derive(Serialize)]
struct Tool {
    id: &'static str,
    name: &'static str,
    url: &'static str,
    version: &'static str,
    vendor: Vendor,
}

#[derive(Serialize)]
struct Vendor {
    name: &'static str,
}

fn keyleak() -> Tool {
    Tool {
        id: "keyleak",
        name: "keyleak",
        url: env!("CARGO_PKG_REPOSITORY"),
        version: env!("CARGO_PKG_VERSION"),
        vendor: Vendor { name: "keyleak" },
    }
}

#[derive(Serialize)]
struct Identifier {
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    value: &'static str,
    url: String,
}

fn identifier(kind: Kind) -> Identifier {
    Identifier {
        kind: "keyleak_rule_id",
        name: format!("keyleak rule ID {}", kind.as_str()),
        value: kind.as_str(),
        url: format!("{}#what-is-detected", env!("CARGO_PKG_REPOSITORY")),
    }
}

#[derive(Serialize)]
struct Vulnerability<'a> {
    id: String,
    name: String,
    description: String,
    severity: &'static str,
    solution: String,
    identifiers: [Identifier; 1],
    location: Location<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    flags: Vec<Flag>,
}

#[derive(Serialize)]
struct Location<'a> {
    /// The path, a secret-shaped run redacted unless `--show-secrets` (as in every format).
    file: std::borrow::Cow<'a, str>,
    start_line: u32,
    end_line: u32,
    commit: Commit<'a>,
}

#[derive(Serialize)]
struct Commit<'a> {
    sha: &'a str,
    /// The author's name, redacted as any name is unless `--show-secrets`.
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
}

#[derive(Serialize)]
struct Flag {
    #[serde(rename = "type")]
    kind: &'static str,
    origin: &'static str,
    description: &'static str,
}

/// A UUID-shaped id (RFC 9562 version 8: custom) from the fingerprint and the commit, so the
/// same finding keeps its id from run to run. `occurrence` tells apart the same credential
/// at one path and commit written twice (0 for the first: it leaves the hash alone).
fn vulnerability_id(f: &Finding, occurrence: u32) -> String {
    let mut h = Sha256::new();
    h.update(f.fingerprint.as_str().as_bytes());
    h.update([0u8]);
    h.update(f.commit.as_ref().map_or("", |c| c.id.as_str()).as_bytes());
    // Multi-repository scans: the same key at the same path in two repositories is two.
    if let Some(repo) = &f.repository {
        h.update([0u8]);
        h.update(repo.as_bytes());
    }
    if occurrence > 0 {
        h.update([0u8]);
        h.update(occurrence.to_le_bytes());
    }
    let mut b: [u8; 16] = h.finalize()[..16].try_into().expect("16 of 32 bytes");
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The kind's title with a capital: names the kind of leak, never the leaked value.
fn name(kind: Kind) -> String {
    let title = kind.title();
    let mut chars = title.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

fn vulnerability(f: &Finding, id: String, show_secrets: bool) -> Vulnerability<'_> {
    let flags = if f.example {
        vec![Flag {
            kind: "flagged-as-likely-false-positive",
            origin: "keyleak",
            description: "A documentation or placeholder value, not a credential.",
        }]
    } else {
        Vec::new()
    };
    let m = Message::of(f, show_secrets);
    Vulnerability {
        id,
        name: name(f.kind),
        description: description(f, &m, show_secrets),
        severity: severity(f.risk),
        solution: solution(f, &m),
        identifiers: [identifier(f.kind)],
        location: Location {
            file: if show_secrets {
                (&f.location.path).into()
            } else {
                redact_secrets(&f.location.path)
            },
            start_line: f.location.line,
            end_line: f
                .secret_line
                .map_or(f.location.line, |l| l.max(f.location.line)),
            commit: match &f.commit {
                Some(c) => Commit {
                    sha: &c.id,
                    author: Some(if show_secrets {
                        c.author_name.clone()
                    } else {
                        redact_secrets(&c.author_name).into_owned()
                    }),
                    date: Some(c.author_date()),
                },
                None => Commit {
                    sha: NO_COMMIT,
                    author: None,
                    date: None,
                },
            },
        },
        flags,
    }
}

impl Reporter for Gitlab {
    fn report(&self, out: &mut dyn Write, result: &ScanResult) -> io::Result<()> {
        let show = self.options.show_secrets;
        let mut ids = HashSet::new();
        let vulnerabilities = result
            .findings
            .iter()
            .map(|f| {
                let id = (0..)
                    .map(|n| vulnerability_id(f, n))
                    .find(|id| ids.insert(id.clone()))
                    .expect("an unused id");
                vulnerability(f, id, show)
            })
            .collect();
        let report = Report {
            version: SCHEMA_VERSION,
            scan: Scan {
                analyzer: keyleak(),
                scanner: keyleak(),
                kind: "secret_detection",
                start_time: schema_time(self.started),
                end_time: schema_time(self.finished),
                status: "success",
                primary_identifiers: Kind::ALL.iter().map(|k| identifier(*k)).collect(),
            },
            vulnerabilities,
        };
        crate::printable::json::write_pretty(out, &report)
    }
}

#[cfg(test)]
mod tests;
