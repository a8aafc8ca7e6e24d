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

use std::collections::HashSet;
use std::io::{self, Write};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::message::Message;
use super::{ReportOptions, Reporter};
use crate::model::commit::rfc3339;
use crate::model::finding::{Finding, Kind, Risk};
use crate::model::result::ScanResult;
use crate::model::role::RoleSetup;
use crate::printable::names::redact_secrets;

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

/// GitLab's limit on `solution`, in characters.
const SOLUTION_MAX: usize = 7000;

/// What to do, as Markdown: the first step, the replacement, the role setup, the history
/// note. The role's trust policy is left out if the whole would pass [`SOLUTION_MAX`]
/// (a workflow naming many branches), and the role too if even that would.
fn solution(f: &Finding, m: &Message) -> String {
    let mut parts = vec![format!("**Now:** {}", m.now)];
    if let Some(instead) = m.instead {
        parts.push(format!("**Instead:** {instead}"));
    }
    let history = f.advice.history.map(|note| format!("**History:** {note}"));
    let role = f.advice.role.as_ref().filter(|_| m.instead.is_some());
    let candidates = [
        role.map(|r| role_markdown(r, true)),
        role.map(|r| role_markdown(r, false)),
        None,
    ];
    candidates
        .into_iter()
        .map(|role| {
            let all: Vec<&str> = parts
                .iter()
                .chain(&role)
                .chain(&history)
                .map(String::as_str)
                .collect();
            all.join("\n\n")
        })
        .find(|s| s.chars().count() <= SOLUTION_MAX)
        .unwrap_or_else(|| parts.join("\n\n"))
}

/// The role setup as Markdown: principal, trust policy (as a JSON block when `policy`),
/// wiring, permissions, what was guessed.
fn role_markdown(role: &RoleSetup, policy: bool) -> String {
    let mut s = match &role.principal {
        Some(p) => format!("**Role:** assumed by `{p}`."),
        None => "**Role:** none: an IAM user keeps this key.".to_string(),
    };
    match (&role.trust_policy, policy) {
        (Some(p), true) => {
            let json = serde_json::to_string_pretty(p).unwrap_or_default();
            s.push_str(&format!("\n\nTrust policy:\n\n```json\n{json}\n```"));
        }
        (Some(_), false) => s.push_str(" Trust policy: in the JSON report's `advice.role`."),
        (None, _) => {}
    }
    // A snippet after the first line (an SSO profile) stays a block.
    match role.wiring.split_once('\n') {
        Some((text, block)) => {
            s.push_str(&format!("\n\n**Wiring:** {text}\n\n```ini\n{block}\n```"))
        }
        None => s.push_str(&format!("\n\n**Wiring:** {}", role.wiring)),
    }
    let hint = &role.permissions_hint;
    let services: Vec<String> = hint.services.iter().map(|x| format!("`{x}`")).collect();
    s.push_str("\n\n**Permissions:** ");
    if !services.is_empty() {
        s.push_str(&format!("{}. ", services.join(", ")));
    }
    s.push_str(hint.note);
    if !role.guessed.is_empty() {
        s.push_str(&format!("\n\n**Guessed:** {}.", role.guessed.join("; ")));
    }
    s
}

/// What was found, as Markdown, then the advice. Key IDs in full; secrets and tokens as the
/// other formats show them (redacted unless `--show-secrets`).
fn description(f: &Finding, m: &Message, show_secrets: bool) -> String {
    let mut facts = vec![format!("Risk **{}**.", f.risk)];
    if let Some(repo) = &f.repository {
        let shown = match show_secrets {
            true => repo.to_string(),
            false => redact_secrets(repo).into_owned(),
        };
        facts.push(format!("Repository `{shown}`."));
    }
    if let Some(k) = m.key_id {
        let account = m
            .account
            .as_ref()
            .map(|a| format!(", account `{a}`"))
            .unwrap_or_default();
        facts.push(format!("Key ID `{k}` ({}{account}).", k.prefix().what));
    }
    if let Some(secret) = &m.secret {
        let line = f
            .secret_line
            .map(|l| format!(", line {l}"))
            .unwrap_or_default();
        facts.push(format!("Secret access key `{secret}`{line}."));
    }
    if let Some(t) = &f.session_token {
        facts.push(format!("Session token `{}`.", t.render(show_secrets)));
    }
    if let Some(line) = &m.token {
        facts.push(format!("{line}."));
    }
    if let Some(c) = f.canary {
        facts.push(format!("A canary token of {}.", c.provider.as_str()));
    }
    if f.example {
        facts.push("A documentation or placeholder value.".to_string());
    }
    if let Some(how) = f.encoding {
        facts.push(format!(
            "Found by decoding ({how}); the line is where the encoded text starts."
        ));
    }
    if f.expired {
        facts.push("Expired.".to_string());
    }
    if f.in_head == Some(false) {
        facts.push("No longer in HEAD's tree, still in history.".to_string());
    }
    // Unlike the other messages, the verification comes last: after how and where it was found.
    if let Some(verified) = &m.verified {
        facts.push(format!("{verified}."));
    }
    format!("{}\n\n{}", facts.join(" "), solution(f, m))
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
mod tests {
    use super::*;

    #[test]
    fn times_have_the_schema_shape() {
        assert_eq!(schema_time(0), "1970-01-01T00:00:00");
        assert_eq!(schema_time(1_714_572_000), "2024-05-01T14:00:00");
    }

    #[test]
    fn names_are_capitalised_titles() {
        assert_eq!(name(Kind::AccessKey), "Long-term AWS access key");
        assert_eq!(name(Kind::PresignedUrl), "Presigned AWS URL");
    }

    #[test]
    fn every_risk_has_its_severity() {
        let got: Vec<&str> = Risk::ALL.iter().map(|r| severity(*r)).collect();
        assert_eq!(got, ["Critical", "High", "Medium", "Low", "Info"]);
    }
}
