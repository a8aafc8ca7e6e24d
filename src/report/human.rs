//! Human output: one compiler-style diagnostic per finding, then a summary. `info` findings
//! (documentation examples, identifiers) are one count line unless `--show-info`; a clean
//! `--staged` run prints nothing, or one line with `-v` ([`super::CleanRun`]).
//!
//! ```text
//! critical: long-term AWS access key with its secret
//!   --> config/prod.env:2:19
//!    |
//!  2 | AWS_ACCESS_KEY_ID=AKIARZPUZDIKGB2VALC4
//!    |                   ^^^^^^^^^^^^^^^^^^^^ IAM user access key, account 123456789012
//!    = secret: 5dkL… (line 3)
//!    = now: Deactivate and delete this key in IAM now ...
//!    = instead: People: use IAM Identity Center ...
//! ```
//! History findings add, after the location, the commit with its author and date, and a
//! `history:` line when HEAD no longer holds the key:
//! ```text
//!   --> config/prod.env:2:19
//!    = commit 1f0c2d9e4b7a… by Jane Doe <jane@example.com>, 2024-05-01T14:00:00+02:00
//!    = history: deleted from the tree but still in history: rotate the key; ...
//! ```
//! Colour (ANSI) only when `ReportOptions::color` says so (terminal, no `NO_COLOR`). Names
//! and snippets go through [`crate::printable`]: no control character from the input is
//! written raw, and a secret-shaped run in a name is redacted.

use std::io::{self, Write};

use super::message::Message;
use super::{CleanRun, HiddenInfo, ReportOptions, Reporter, Summary};
use crate::detect::presigned::SigVersion;
use crate::model::account_string;
use crate::model::commit::rfc3339;
use crate::model::finding::{Finding, Kind, Risk};
use crate::model::result::ScanResult;
use crate::model::role::RoleSetup;
use crate::printable;

pub struct Human {
    pub options: ReportOptions,
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn risk(&self, risk: Risk) -> String {
        let code = match risk {
            Risk::Critical => "1;31",
            Risk::High => "31",
            Risk::Medium => "33",
            Risk::Low => "36",
            Risk::Info => "2",
        };
        self.wrap(code, risk.as_str())
    }

    fn dim(&self, text: &str) -> String {
        self.wrap("34", text)
    }

    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
}

/// The headline after the risk.
fn headline(f: &Finding) -> String {
    let mut s = f.kind.title().to_string();
    match f.kind {
        Kind::AccessKey | Kind::TemporaryAccessKey => {
            match (f.secret.is_some(), f.session_token.is_some()) {
                (true, true) => s.push_str(" with its secret and session token"),
                (true, false) => s.push_str(" with its secret"),
                (false, true) => s.push_str(" with a session token"),
                (false, false) => s.push_str(" ID (no secret found next to it)"),
            }
        }
        Kind::SecretAccessKey => s.push_str(" (no key ID found next to it)"),
        Kind::SessionToken => s.push_str(" (no key ID found next to it)"),
        Kind::PresignedUrl => s.push_str(&presigned_note(f)),
        _ => {}
    }
    if let Some(c) = f.canary {
        s.push_str(&format!(": canary token of {}", c.provider.as_str()));
    }
    if f.example {
        s.push_str(": documentation or placeholder example");
    }
    if f.kind != Kind::PresignedUrl {
        match f.expires_at {
            Some(t) if f.expired => s.push_str(&format!(" (expired {})", rfc3339(t, 0))),
            Some(t) => s.push_str(&format!(" (valid until {})", rfc3339(t, 0))),
            None if f.expired => s.push_str(" (expired)"),
            None => {}
        }
    }
    if let Some(encoding) = f.encoding {
        // The line below shows the decoded text; the position is where the encoding starts.
        let how = match encoding {
            "escaped" => "hidden in escaped text",
            "percent" => "hidden in URL-encoded text",
            "base64" => "hidden in base64 text",
            "utf16" => "hidden in UTF-16 text",
            "hex" => "hidden in hex-encoded bytes",
            "joined" => "split across string literals",
            other => other,
        };
        s.push_str(&format!(", {how}"));
    }
    s
}

/// Signature version, expiry and a session token, for a presigned URL's headline.
fn presigned_note(f: &Finding) -> String {
    let Some(p) = f.presigned else {
        return String::new();
    };
    let version = match p.version {
        SigVersion::V4 => "SigV4",
        SigVersion::V2 => "SigV2",
    };
    let when = match p.expires_at {
        Some(t) if f.expired => format!("expired {}", rfc3339(t, 0)),
        Some(t) => format!("valid until {}", rfc3339(t, 0)),
        None => "expiry unknown".to_string(),
    };
    let capped = if p.lifetime_capped() {
        ", X-Amz-Expires over the 7-day maximum"
    } else {
        ""
    };
    let token = if f.session_token.is_some() {
        ", signed with temporary credentials"
    } else {
        ""
    };
    format!(" ({version}, {when}{capped}{token})")
}

impl Human {
    fn finding(&self, out: &mut dyn Write, f: &Finding, p: &Paint) -> io::Result<()> {
        let show = self.options.show_secrets;
        writeln!(out, "{}: {}", p.risk(f.risk), p.bold(&headline(f)))?;
        let loc = &f.location;
        let gutter = loc.line.to_string().len();
        let pad = " ".repeat(gutter);
        writeln!(
            out,
            "{pad}{} {}:{}:{}",
            p.dim("-->"),
            printable::name(&loc.path, show),
            loc.line,
            loc.column
        )?;
        if let Some(repo) = &f.repository {
            let shown = printable::name(repo, show);
            writeln!(out, "{pad} {} repository {shown}", p.dim("="))?;
        }
        if let Some(c) = &f.commit {
            writeln!(
                out,
                "{pad} {} commit {} by {} <{}>, {}",
                p.dim("="),
                c.id,
                printable::name(&c.author_name, show),
                printable::name(&c.author_email, show),
                c.author_date()
            )?;
        }
        writeln!(out, "{pad} {}", p.dim("|"))?;
        let snippet = printable::escape_controls(&f.snippet(show)).into_owned();
        writeln!(
            out,
            "{} {} {}",
            p.dim(&loc.line.to_string()),
            p.dim("|"),
            snippet
        )?;
        let marked = f
            .key_id
            .map(|k| k.to_string())
            .or_else(|| f.secret.as_ref().map(|s| s.render(show)))
            .or_else(|| f.session_token.as_ref().map(|s| s.render(show)));
        let mut label = match (f.key_id, f.account_id) {
            (Some(k), _) if f.example => k.prefix().what.to_string(),
            (Some(k), Some(a)) => format!("{}, account {}", k.prefix().what, account_string(a)),
            (Some(k), None) => format!("{}, account not encoded in this ID", k.prefix().what),
            (None, _) => String::new(),
        };
        if let Some(m) = marked.as_deref() {
            if let Some(byte_at) = snippet.find(m) {
                let col = snippet[..byte_at].chars().count();
                let carets = "^".repeat(m.chars().count().min(40));
                label = format!(
                    "{}{} {label}",
                    " ".repeat(col),
                    p.risk_carets(f.risk, &carets)
                );
                writeln!(out, "{pad} {} {}", p.dim("|"), label.trim_end())?;
                label.clear();
            }
        }
        if !label.is_empty() {
            writeln!(out, "{pad} {} {label}", p.dim("="))?;
        }
        let m = Message::of(f, show);
        if let Some(secret) = &m.secret {
            let at = f
                .secret_line
                .map(|l| format!(" (line {l})"))
                .unwrap_or_default();
            writeln!(out, "{pad} {} secret: {secret}{at}", p.dim("="))?;
        }
        if let Some(t) = &f.session_token {
            writeln!(
                out,
                "{pad} {} session token: {}",
                p.dim("="),
                t.render(show)
            )?;
        }
        for note in m.notes() {
            writeln!(out, "{pad} {} {note}", p.dim("="))?;
        }
        if let Some(note) = f.advice.history {
            writeln!(out, "{pad} {} history: {note}", p.dim("="))?;
        }
        writeln!(out, "{pad} {} now: {}", p.dim("="), m.now)?;
        if let Some(instead) = m.instead {
            writeln!(out, "{pad} {} instead: {instead}", p.dim("="))?;
        }
        if let Some(role) = &f.advice.role {
            let [who, wiring] = role_lines(role);
            writeln!(out, "{pad} {} role: {who}", p.dim("="))?;
            writeln!(out, "{pad} {} wiring: {wiring}", p.dim("="))?;
        }
        writeln!(out)
    }
}

/// The role setup in two lines: who assumes it (and what JSON adds), and the wiring's first
/// line. Both are keyleak's own text and the remote's host: no secret is in them.
fn role_lines(role: &RoleSetup) -> [String; 2] {
    let who = match &role.principal {
        Some(p) => {
            let json = match (&role.trust_policy, &role.wiring_diff) {
                (Some(_), Some(_)) => "; trust policy and workflow diff: --format json",
                (Some(_), None) => "; trust policy: --format json",
                _ => "",
            };
            format!("assumed by {p}{json}")
        }
        None => "none, an IAM user keeps this key".to_string(),
    };
    let wiring = role.wiring.lines().next().unwrap_or_default().to_string();
    [who, wiring]
}

impl Paint {
    fn risk_carets(&self, risk: Risk, carets: &str) -> String {
        match risk {
            Risk::Critical | Risk::High => self.wrap("31", carets),
            Risk::Medium => self.wrap("33", carets),
            Risk::Low => self.wrap("36", carets),
            Risk::Info => self.wrap("2", carets),
        }
    }
}

impl Reporter for Human {
    fn report(&self, out: &mut dyn Write, result: &ScanResult) -> io::Result<()> {
        let p = Paint {
            on: self.options.color,
        };
        if result.findings.is_empty() {
            match self.options.clean {
                CleanRun::Summary => {}
                CleanRun::Silent => return Ok(()),
                CleanRun::OneLine => {
                    let files = match result.stats.blobs {
                        1 => "file",
                        _ => "files",
                    };
                    return writeln!(
                        out,
                        "keyleak: {} {files} scanned, no keys{}",
                        result.stats.blobs,
                        left_out(result)
                    );
                }
            }
        }
        let hidden = HiddenInfo::of(&result.findings, &self.options);
        for f in &result.findings {
            if hidden.is_none() || f.risk != Risk::Info {
                self.finding(out, f, &p)?;
            }
        }
        if let Some(hidden) = &hidden {
            writeln!(out, "{}", hidden.line())?;
        }
        let summary = Summary::of(&result.findings);
        let counts: Vec<String> = summary
            .by_risk
            .iter()
            .map(|(r, n)| format!("{n} {}", p.risk(*r)))
            .collect();
        let noun = if summary.findings == 1 {
            "finding"
        } else {
            "findings"
        };
        writeln!(
            out,
            "{} {} {noun}: {}",
            p.bold("summary:"),
            summary.findings,
            counts.join(", ")
        )?;
        if !summary.by_account.is_empty() {
            let accounts: Vec<String> = summary
                .by_account
                .iter()
                .map(|(a, n)| format!("{a} ({n})"))
                .collect();
            writeln!(out, "{} {}", p.bold("by account:"), accounts.join(", "))?;
        }
        if let Some(counts) = super::verified::counts(&result.findings) {
            let parts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
            writeln!(out, "{} {}", p.bold("verified:"), parts.join(", "))?;
            let active = super::verified::active_long_term(&result.findings);
            if active > 0 {
                let noun = if active == 1 {
                    "key works"
                } else {
                    "keys work"
                };
                writeln!(
                    out,
                    "{} {active} long-term {noun} right now: deactivate {} first \
                     (`aws iam update-access-key --status Inactive`)",
                    p.risk_carets(Risk::Critical, "ACTIVE:"),
                    if active == 1 { "it" } else { "them" }
                )?;
            }
        }
        let unit = match (result.stats.commits.is_some(), result.stats.blobs == 1) {
            (false, true) => "file",
            (false, false) => "files",
            (true, true) => "blob",
            (true, false) => "blobs",
        };
        let mut scanned = format!(
            "scanned {} {unit}, {}",
            result.stats.blobs,
            human_bytes(result.stats.bytes)
        );
        if let Some(commits) = result.stats.commits {
            let noun = if commits == 1 { "commit" } else { "commits" };
            scanned.push_str(&format!(" from {commits} {noun}"));
        }
        scanned.push_str(&left_out(result));
        writeln!(out, "{scanned}")?;
        if let Some(r) = result.stats.repositories {
            writeln!(
                out,
                "repositories: {} scanned, {} failed",
                r.scanned, r.failed
            )?;
        }
        Ok(())
    }
}

/// What the summary adds after "scanned …": findings left out by each rule, and warnings.
fn left_out(result: &ScanResult) -> String {
    let s = result.stats.suppressed;
    let mut text = String::new();
    for (n, why) in [
        (s.inline, "allowed by keyleak:allow"),
        (s.path, "in allowed paths"),
        (s.key_id, "allowed key IDs"),
        (s.baseline, "suppressed by the baseline"),
        (s.below_min_risk, "below --min-risk"),
    ] {
        if n > 0 {
            text.push_str(&format!("; {n} {why}"));
        }
    }
    if !result.warnings.is_empty() {
        text.push_str(&format!("; {} warnings (on stderr)", result.warnings.len()));
    }
    text
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64;
    let mut unit = "B";
    for u in UNITS {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{v:.1} {unit}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn bytes() {
        assert_eq!(super::human_bytes(12), "12 B");
        assert_eq!(super::human_bytes(2048), "2.0 KiB");
        assert_eq!(super::human_bytes(5 << 20), "5.0 MiB");
    }
}
