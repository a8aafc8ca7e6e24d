//! One finding's diagnostic in the human output: the headline after the risk (what was found,
//! expiry, encoding, canary, presigned URL details), the location, repository and commit, the
//! snippet with carets under the key, then the `=` lines: secret, session token, notes, history,
//! what to do now and instead, and the role setup in two lines.
//!
//! It writes nothing but that finding: the summary, the hidden `info` count and the clean-run
//! line stay in `human`. Nothing from the input is written raw: names and snippets go through
//! [`crate::printable`], secrets are redacted unless `--show-secrets`.

use std::io::{self, Write};

use super::{Human, Paint};
use crate::detect::presigned::SigVersion;
use crate::model::account_string;
use crate::model::commit::rfc3339;
use crate::model::finding::{Finding, Kind};
use crate::model::role::RoleSetup;
use crate::printable;
use crate::report::message::Message;

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
    pub(super) fn finding(&self, out: &mut dyn Write, f: &Finding, p: &Paint) -> io::Result<()> {
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
            eq_line(out, p, &pad, format_args!("repository {shown}"))?;
        }
        if let Some(c) = &f.commit {
            let author = printable::name(&c.author_name, show);
            let email = printable::name(&c.author_email, show);
            let date = c.author_date();
            eq_line(
                out,
                p,
                &pad,
                format_args!("commit {} by {author} <{email}>, {date}", c.id),
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
        if let Some(m) = marked.as_deref()
            && let Some(byte_at) = snippet.find(m)
        {
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
        if !label.is_empty() {
            eq_line(out, p, &pad, format_args!("{label}"))?;
        }
        let m = Message::of(f, show);
        if let Some(secret) = &m.secret {
            let at = f
                .secret_line
                .map(|l| format!(" (line {l})"))
                .unwrap_or_default();
            eq_line(out, p, &pad, format_args!("secret: {secret}{at}"))?;
        }
        if let Some(t) = &f.session_token {
            let token = t.render(show);
            eq_line(out, p, &pad, format_args!("session token: {token}"))?;
        }
        for note in m.notes() {
            eq_line(out, p, &pad, format_args!("{note}"))?;
        }
        if let Some(note) = f.advice.history {
            eq_line(out, p, &pad, format_args!("history: {note}"))?;
        }
        eq_line(out, p, &pad, format_args!("now: {}", m.now))?;
        if let Some(instead) = m.instead {
            eq_line(out, p, &pad, format_args!("instead: {instead}"))?;
        }
        if let Some(role) = &f.advice.role {
            let [who, wiring] = role_lines(role);
            eq_line(out, p, &pad, format_args!("role: {who}"))?;
            eq_line(out, p, &pad, format_args!("wiring: {wiring}"))?;
        }
        writeln!(out)
    }
}

/// One `=` line under the snippet, indented to the line number's gutter (`pad`).
fn eq_line(out: &mut dyn Write, p: &Paint, pad: &str, text: std::fmt::Arguments) -> io::Result<()> {
    writeln!(out, "{pad} {} {text}", p.dim("="))
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
