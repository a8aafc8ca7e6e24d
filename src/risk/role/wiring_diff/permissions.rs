//! `id-token: write` merged into a workflow's or job's `permissions:`, whatever form it has:
//! a block (added, or `id-token` set to `write`), `read-all` (spelt out, so no read is lost), a
//! flow mapping (made a block), `write-all` (left: it grants it). Owns that merge only; which
//! `permissions:` applies to a job is [`super::plan`]'s choice.

use super::super::workflow::{Line, block, child, scalar, value_of};
use super::Edits;

/// What `permissions: read-all` grants, spelt out so that adding `id-token: write` keeps it.
const READ_ALL: &[&str] = &[
    "actions",
    "attestations",
    "checks",
    "contents",
    "deployments",
    "discussions",
    "issues",
    "packages",
    "pages",
    "pull-requests",
    "repository-projects",
    "security-events",
    "statuses",
];
/// `id-token: write` in the `permissions:` at `lines[at]`.
pub(super) fn grant(lines: &[Line<'_>], at: usize, edits: &mut Edits) {
    let line = lines[at];
    let p = " ".repeat(line.indent);
    let value = scalar(value_of(line.text, "permissions").unwrap_or(""));
    let as_block = |entries: Vec<String>| {
        let mut new = vec![format!("{p}permissions:"), format!("{p}  id-token: write")];
        new.extend(entries.into_iter().map(|e| format!("{p}  {e}")));
        new
    };
    let under = block(lines, at);
    match value {
        "" if under.is_empty() => {
            edits
                .instead
                .insert(line.no, as_block(vec!["contents: read".into()]));
        }
        "" => match child(under, "id-token") {
            Some(k) if value_of(under[k].text, "id-token").map(scalar) == Some("write") => {}
            Some(k) => {
                let q = " ".repeat(under[k].indent);
                edits
                    .instead
                    .insert(under[k].no, vec![format!("{q}id-token: write")]);
            }
            None => {
                let q = " ".repeat(under[0].indent);
                edits.before(under[0].no, vec![format!("{q}id-token: write")]);
            }
        },
        "read-all" => {
            let reads = READ_ALL.iter().map(|s| format!("{s}: read")).collect();
            edits.instead.insert(line.no, as_block(reads));
        }
        flow if flow.starts_with('{') && flow.ends_with('}') => {
            let entries = flow[1..flow.len() - 1]
                .split(',')
                .filter_map(|e| e.split_once(':'))
                .map(|(k, v)| (k.trim(), v.trim()))
                .filter(|(k, _)| !k.is_empty() && scalar(k) != "id-token")
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            edits.instead.insert(line.no, as_block(entries));
        }
        // `write-all` already grants it; an expression is left alone.
        _ => {}
    }
}
