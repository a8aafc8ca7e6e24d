//! What a GitHub Actions workflow says about who will assume its role: the branches its
//! `on: push: branches:` trigger names and the environments its jobs name. Read line by line
//! from the YAML's block structure (no YAML library): enough for the usual layouts, and a
//! layout it cannot read gives nothing, so the caller falls back and says it guessed.
//!
//! The line reader here (`lines`, `block`, `child`) is also what
//! [`super::wiring_diff`] edits the workflow with.

/// The subjects a workflow's OIDC token can carry.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Triggers {
    /// `on: push: branches:` entries, `**` as `*`; negations and unreadable patterns left out.
    pub branches: Vec<String>,
    /// `environment: NAME` (or `environment: name: NAME`) of any job; expressions left out.
    pub environments: Vec<String>,
}

/// A line that holds YAML (not blank, not only a comment).
#[derive(Debug, Clone, Copy)]
pub(super) struct Line<'a> {
    /// Its index among the file's lines, from 0.
    pub no: usize,
    pub indent: usize,
    /// Without indentation, comment and trailing space.
    pub text: &'a str,
}

pub(super) fn lines(content: &str) -> Vec<Line<'_>> {
    content
        .lines()
        .enumerate()
        .filter_map(|(no, raw)| {
            let text = raw.trim_start();
            let indent = raw.len() - text.len();
            let text = match text.find(" #") {
                Some(at) => &text[..at],
                None if text.starts_with('#') => "",
                None => text,
            }
            .trim_end();
            (!text.is_empty()).then_some(Line { no, indent, text })
        })
        .collect()
}

/// The value after `key:` on `text`, when `text` is that key (quoted or not).
pub(super) fn value_of<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    [key.to_string(), format!("\"{key}\""), format!("'{key}'")]
        .iter()
        .find_map(|k| text.strip_prefix(k.as_str())?.strip_prefix(':'))
        .map(str::trim)
}

/// The lines of the block under line `at`: those after it indented deeper.
pub(super) fn block<'a, 'b>(all: &'b [Line<'a>], at: usize) -> &'b [Line<'a>] {
    let indent = all[at].indent;
    let rest = &all[at + 1..];
    let end = rest
        .iter()
        .position(|l| l.indent <= indent && !(l.text.starts_with("- ") && l.indent == indent))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The index, in `lines`, of `key` among the shallowest keys of `lines`.
pub(super) fn child(lines: &[Line<'_>], key: &str) -> Option<usize> {
    let indent = lines.iter().map(|l| l.indent).min()?;
    lines
        .iter()
        .position(|l| l.indent == indent && value_of(l.text, key).is_some())
}

/// A scalar as written, unquoted.
pub(super) fn scalar(s: &str) -> &str {
    s.trim().trim_matches(|c| c == '"' || c == '\'')
}

/// A branch filter as a `StringLike` pattern: `**` is `*` there; negations and characters
/// outside a plain branch name or `*` are not kept.
fn branch_pattern(s: &str) -> Option<String> {
    let s = scalar(s);
    let ok = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._/-*".contains(&b));
    ok.then(|| s.replace("**", "*"))
}

/// The items of a sequence, inline (`[a, b]`, `a`) or as `- a` lines under the key.
pub(super) fn items(inline: &str, under: &[Line<'_>]) -> Vec<String> {
    let raw: Vec<&str> = if inline.is_empty() {
        under
            .iter()
            .filter_map(|l| l.text.strip_prefix("- "))
            .collect()
    } else {
        let inner = inline.trim_start_matches('[').trim_end_matches(']');
        inner.split(',').collect()
    };
    raw.into_iter().filter_map(branch_pattern).collect()
}

fn push_branches(all: &[Line<'_>]) -> Vec<String> {
    let Some(on) = all
        .iter()
        .position(|l| l.indent == 0 && value_of(l.text, "on").is_some_and(str::is_empty))
    else {
        return Vec::new();
    };
    let triggers = block(all, on);
    let Some(push) = child(triggers, "push") else {
        return Vec::new();
    };
    let push_block = block(triggers, push);
    let Some(branches) = child(push_block, "branches") else {
        return Vec::new();
    };
    let inline = value_of(push_block[branches].text, "branches").unwrap_or("");
    items(inline, block(push_block, branches))
}

fn environments(all: &[Line<'_>]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for (at, line) in all.iter().enumerate() {
        let Some(value) = value_of(line.text, "environment") else {
            continue;
        };
        let name = if value.is_empty() {
            let under = block(all, at);
            child(under, "name").and_then(|n| value_of(under[n].text, "name"))
        } else {
            Some(value)
        };
        let Some(name) = name.map(scalar) else {
            continue;
        };
        let plain = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._- ".contains(&b));
        if plain && !found.iter().any(|f| f == name) {
            found.push(name.to_string());
        }
    }
    found
}

/// Reads a workflow file's branches and environments.
pub fn read(content: &[u8]) -> Triggers {
    let text = String::from_utf8_lossy(content);
    let all = lines(&text);
    Triggers {
        branches: push_branches(&all),
        environments: environments(&all),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn branches(yaml: &str) -> Vec<String> {
        read(yaml.as_bytes()).branches
    }

    #[test]
    fn push_branches_as_list_inline_and_quoted() {
        let list = "name: ci\non:\n  push:\n    branches:\n      - main\n      - 'release/**'\n      - '!old'\n  pull_request:\njobs:\n  a:\n    runs-on: x\n";
        assert_eq!(branches(list), ["main", "release/*"]);
        let inline = "\"on\":\n  push:\n    branches: [main, \"dev\"]  # both\n";
        assert_eq!(branches(inline), ["main", "dev"]);
        let flush = "on:\n  push:\n    branches:\n    - trunk\n  workflow_dispatch:\n";
        assert_eq!(branches(flush), ["trunk"]);
        let scalar = "on:\n  push:\n    branches: main\n";
        assert_eq!(branches(scalar), ["main"]);
    }

    #[test]
    fn no_push_branches() {
        assert!(branches("on: push\n").is_empty());
        assert!(branches("on: [push, pull_request]\n").is_empty());
        assert!(branches("on:\n  push:\n    tags: [v1]\n").is_empty());
        assert!(branches("on:\n  pull_request:\n    branches: [main]\n").is_empty());
        // `branches` of another key at a deeper level is not the trigger's.
        assert!(
            branches("on:\n  workflow_dispatch:\njobs:\n  push:\n    branches: [x]\n").is_empty()
        );
    }

    #[test]
    fn environments_scalar_and_named() {
        let yaml = "jobs:\n  a:\n    environment: production\n  b:\n    environment:\n      name: staging\n      url: https://x\n  c:\n    environment: ${{ inputs.env }}\n  d:\n    environment: production\n";
        assert_eq!(
            read(yaml.as_bytes()).environments,
            ["production", "staging"]
        );
    }
}
