//! The Markdown texts of a GitLab vulnerability: `description` (the finding's facts, the
//! verification last, then the advice) and `solution` (what to do now and instead, the role
//! setup, the history note), kept under GitLab's length limit by leaving out the trust
//! policy, then the role.
//!
//! Strings only: the schema's structs, the ids and the report stay in `gitlab`. Secrets,
//! tokens and repository names are shown as every format shows them (redacted unless
//! `--show-secrets`); nothing here adds a value the other formats leave out.

use crate::model::finding::Finding;
use crate::model::role::RoleSetup;
use crate::printable::names::redact_secrets;
use crate::report::message::Message;

/// GitLab's limit on `solution`, in characters.
const SOLUTION_MAX: usize = 7000;

/// What to do, as Markdown: the first step, the replacement, the role setup, the history
/// note. The role's trust policy is left out if the whole would pass [`SOLUTION_MAX`]
/// (a workflow naming many branches), and the role too if even that would.
pub(super) fn solution(f: &Finding, m: &Message) -> String {
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
pub(super) fn description(f: &Finding, m: &Message, show_secrets: bool) -> String {
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
