//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
//!
//! One rule per finding kind and risk (`aws_access_key/critical`; all of them, in a fixed
//! order, so `ruleIndex` is stable) with the risk's `security-severity`, which GitHub reads
//! from the rule, not the result; one result per finding with its level, `security-severity`,
//! a physical location (path, line, column in Unicode code points, as `columnKind` says), the
//! finding's fingerprint as a `partialFingerprints` entry so alerts survive lines moving, and
//! the advice as the message. Secrets appear redacted unless `--show-secrets`. Built from serde
//! structs; validated against the OASIS schema in `tests/`. The `uri` has secret-shaped runs
//! redacted like every printed name, then is percent-encoded ([`super::uri`]); strings are
//! written by [`crate::printable::json`].

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;

use super::message::Message;
use super::{ReportOptions, Reporter};
use crate::model::account_string;
use crate::model::finding::{Finding, Kind, Risk};
use crate::model::result::ScanResult;
use crate::model::role::RoleSetup;

pub struct Sarif {
    pub options: ReportOptions,
}

/// The kinds with a rule, in rule-index order.
const RULE_KINDS: [Kind; 6] = Kind::ALL;

/// The key under which fingerprints are published; bump the version if their recipe changes.
pub const FINGERPRINT_KEY: &str = "keyleak/v1";

fn level(risk: Risk) -> &'static str {
    match risk {
        Risk::Critical | Risk::High => "error",
        Risk::Medium | Risk::Low => "warning",
        Risk::Info => "note",
    }
}

/// GitHub's `security-severity` bands: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium,
/// 0.1–3.9 low. `info` has none: GitHub then shows the rule's level (`note`).
fn security_severity(risk: Risk) -> Option<&'static str> {
    match risk {
        Risk::Critical => Some("9.5"),
        Risk::High => Some("8.0"),
        Risk::Medium => Some("5.5"),
        Risk::Low => Some("3.0"),
        Risk::Info => None,
    }
}

/// A rule per kind and risk, in [`rule_index`] order: GitHub takes an alert's severity from
/// its rule, so one rule per kind would show a documentation example as critical.
fn rules() -> Vec<Rule> {
    RULE_KINDS
        .iter()
        .flat_map(|k| Risk::ALL.iter().map(|r| rule(*k, *r)))
        .collect()
}

/// The index of `kind`'s rule at `risk`: the same in every run.
fn rule_index(kind: Kind, risk: Risk) -> usize {
    let k = RULE_KINDS.iter().position(|x| *x == kind).unwrap_or(0);
    let r = Risk::ALL.iter().position(|x| *x == risk).unwrap_or(0);
    k * Risk::ALL.len() + r
}

fn rule_id(kind: Kind, risk: Risk) -> String {
    format!("{}/{}", kind.as_str(), risk.as_str())
}

fn rule_help(kind: Kind) -> &'static str {
    match kind {
        Kind::AccessKey => {
            "A long-term IAM user access key (AKIA) stays valid until deleted. Deactivate and delete it, check CloudTrail, and replace it with a role (OIDC for CI, task/execution roles or instance profiles for services, IAM Identity Center for people)."
        }
        Kind::TemporaryAccessKey => {
            "A temporary STS access key (ASIA/ABIA/ACCA) is valid for up to 12 h (36 h from GetSessionToken). Revoke the role's active sessions and stop storing temporary credentials."
        }
        Kind::SecretAccessKey => {
            "A secret access key without its key ID is still half a credential. Find its access key in IAM, deactivate and delete it."
        }
        Kind::SessionToken => {
            "An STS session token. Revoke the issuing role's active sessions; it expires within 36 h at most."
        }
        Kind::UniqueId => {
            "An IAM unique identifier names a principal or resource and grants nothing by itself."
        }
        Kind::PresignedUrl => {
            "A presigned URL lets anyone holding it make the request it signs until it expires (SigV4: at most 7 days). It cannot be revoked on its own: deactivate the signing key or revoke the role's sessions if it must stop sooner, and remove it from the file."
        }
    }
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Text,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: [&'static str; 3],
    precision: &'static str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    partial_fingerprints: std::collections::BTreeMap<&'static str, &'a str>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_column: u32,
    snippet: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    risk: &'static str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
    key_id: Option<String>,
    account_id: Option<String>,
    example: bool,
    /// Multi-repository scans: the repository (path or URL) the finding is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    repository: Option<String>,
    advice_context: &'static str,
    /// The role that replaces the key, as JSON's `advice.role`; absent when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    advice_role: Option<Cow<'a, RoleSetup>>,
    /// The session token's region and account, as in JSON; absent when unknown.
    #[serde(flatten)]
    token_meta: Option<super::token_meta::JsonTokenMeta<'a>>,
    /// `--verify`: the same fields as in JSON, absent when not sent.
    #[serde(flatten)]
    verified: Option<super::verified::JsonVerified<'a>>,
}

fn rule(kind: Kind, risk: Risk) -> Rule {
    let name: String = kind
        .as_str()
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<String>()
        + &risk.as_str()[..1].to_ascii_uppercase()
        + &risk.as_str()[1..];
    Rule {
        id: rule_id(kind, risk),
        name,
        short_description: Text {
            text: format!("{} ({risk})", kind.title()),
        },
        full_description: Text {
            text: rule_help(kind).to_string(),
        },
        help: Text {
            text: rule_help(kind).to_string(),
        },
        default_configuration: Configuration { level: level(risk) },
        properties: RuleProperties {
            tags: ["security", "secret", "aws"],
            precision: "high",
            security_severity: security_severity(risk),
        },
    }
}

/// `Title (risk): KEY, account A; secret S; …. Now: … Instead: …`: one paragraph.
fn message(f: &Finding, show_secrets: bool) -> String {
    let m = Message::of(f, show_secrets);
    let mut s = format!("{} ({})", f.kind.title(), f.risk);
    if let Some(k) = m.key_id {
        s.push_str(&format!(": {k}"));
        if let Some(a) = &m.account {
            s.push_str(&format!(", account {a}"));
        }
    }
    if let Some(secret) = &m.secret {
        s.push_str(&format!("; secret {secret}"));
    }
    if f.session_token.is_some() {
        s.push_str("; with a session token");
    }
    if f.example {
        s.push_str("; a documentation or placeholder value");
    }
    for note in m.notes() {
        s.push_str(&format!("; {note}"));
    }
    s.push_str(&format!(". Now: {}", m.now));
    if let Some(instead) = m.instead {
        s.push_str(&format!(" Instead: {instead}"));
    }
    s
}

/// The path, its secret-shaped runs redacted unless `--show-secrets`, as a URI reference.
fn artifact_location(path: &str, show_secrets: bool) -> ArtifactLocation {
    let (uri, uri_base_id) = if show_secrets {
        super::uri::artifact_uri(path)
    } else {
        super::uri::artifact_uri(&crate::printable::names::redact_secrets(path))
    };
    ArtifactLocation { uri, uri_base_id }
}

fn result(f: &Finding, show_secrets: bool) -> SarifResult<'_> {
    let width = f.key_id.map_or(40, |_| 20);
    let mut partial_fingerprints = std::collections::BTreeMap::new();
    partial_fingerprints.insert(FINGERPRINT_KEY, f.fingerprint.as_str());
    SarifResult {
        rule_id: rule_id(f.kind, f.risk),
        rule_index: rule_index(f.kind, f.risk),
        level: level(f.risk),
        message: Text {
            text: message(f, show_secrets),
        },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: artifact_location(&f.location.path, show_secrets),
                region: Region {
                    start_line: f.location.line,
                    start_column: f.location.column,
                    end_column: f.location.column + width,
                    snippet: Text {
                        text: f.snippet(show_secrets),
                    },
                },
            },
        }],
        partial_fingerprints,
        properties: ResultProperties {
            risk: f.risk.as_str(),
            security_severity: security_severity(f.risk),
            key_id: f.key_id.map(|k| k.to_string()),
            account_id: f.account_id.map(account_string),
            example: f.example,
            repository: f.repository.as_deref().map(|r| match show_secrets {
                true => r.to_string(),
                false => crate::printable::names::redact_secrets(r).into_owned(),
            }),
            advice_context: f.advice.context,
            advice_role: f.advice.role.as_ref().map(|r| r.shown(show_secrets)),
            token_meta: super::token_meta::JsonTokenMeta::of(f),
            verified: super::verified::JsonVerified::of(f),
        },
    }
}

impl Reporter for Sarif {
    fn report(&self, out: &mut dyn Write, scan: &ScanResult) -> io::Result<()> {
        let show = self.options.show_secrets;
        let log = Log {
            schema: "https://json.schemastore.org/sarif-2.1.0.json",
            version: "2.1.0",
            runs: vec![Run {
                tool: Tool {
                    driver: Driver {
                        name: "keyleak",
                        version: env!("CARGO_PKG_VERSION"),
                        rules: rules(),
                    },
                },
                column_kind: "unicodeCodePoints",
                results: scan.findings.iter().map(|f| result(f, show)).collect(),
            }],
        };
        crate::printable::json::write_pretty(out, &log)
    }
}
