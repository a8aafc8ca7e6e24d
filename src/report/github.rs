//! `--format github`: GitHub Actions workflow commands, one annotation per finding
//! (`::error file=…,line=…,col=…,title=…::message`), shown on the pull request's diff.
//!
//! Level by risk: critical and high are `error`, medium and low `warning`, info `notice`.
//! GitHub keeps only [`PER_LEVEL`] annotations per level and step: the most severe go first
//! and a last notice counts the rest; `info` findings are one count notice unless
//! `--show-info`.
//! Values are escaped as the runner expects (`%`, CR, LF everywhere; `:` and `,` in
//! properties) and every other control character is written visibly, so each finding is
//! exactly one line and a path, snippet or STS answer cannot end it or start a command of its
//! own. Paths go through [`crate::printable::name`] first: a newline in a file name shows as
//! `\n`, a secret-shaped run as its redacted form. Secrets stay redacted.

use std::io::{self, Write};

use super::message::Message;
use super::{HiddenInfo, ReportOptions, Reporter};
use crate::model::finding::{Finding, Risk};
use crate::model::result::ScanResult;
use crate::printable;

pub struct Github {
    pub options: ReportOptions,
}

fn command(risk: Risk) -> &'static str {
    match risk {
        Risk::Critical | Risk::High => "error",
        Risk::Medium | Risk::Low => "warning",
        Risk::Info => "notice",
    }
}

/// Escapes a message (the part after `::`) as the runner unescapes it: `%`, CR and LF. Every
/// other control character (ESC, BEL, DEL, C1, bidirectional overrides) is written as its
/// visible escape (`\x1b`): the runner would pass it to the log raw.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if printable::is_unprintable(c) => printable::push_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value (`file=`, `title=`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `KEY (account A). Secret S. …. Now: …` and `Instead: …` on a line of its own.
fn message(f: &Finding, show_secrets: bool) -> String {
    let m = Message::of(f, show_secrets);
    let mut s = String::new();
    if let Some(k) = m.key_id {
        s.push_str(&k.to_string());
        if let Some(a) = &m.account {
            s.push_str(&format!(" (account {a})"));
        }
        s.push_str(". ");
    }
    if let Some(secret) = &m.secret {
        s.push_str(&format!("Secret {secret}. "));
    }
    for note in m.notes() {
        s.push_str(note);
        s.push_str(". ");
    }
    s.push_str("Now: ");
    s.push_str(m.now);
    if let Some(instead) = m.instead {
        s.push_str("\nInstead: ");
        s.push_str(instead);
    }
    s
}

/// Annotations GitHub shows per step at each level; it drops the rest without a word. "10
/// warning annotations, 10 error annotations, and 10 notice annotations per step" (and 50 per
/// job): actions/toolkit, `docs/problem-matchers.md`, "Limitations".
pub const PER_LEVEL: usize = 10;

/// The levels, in the order of [`command`]'s result.
const LEVELS: [&str; 3] = ["error", "warning", "notice"];

fn level(risk: Risk) -> usize {
    LEVELS
        .iter()
        .position(|l| *l == command(risk))
        .expect("every command is a level")
}

/// A notice without a file: keyleak's own word in the annotation list.
fn note(out: &mut dyn Write, text: &str) -> io::Result<()> {
    writeln!(out, "::notice title=keyleak::{}", escape_data(text))
}

impl Reporter for Github {
    /// Most severe first (report order within a risk), at most [`PER_LEVEL`] per level, so
    /// what GitHub keeps is what matters most; `info` findings are one count notice unless
    /// `--show-info`; and when the cap leaves findings out, a last notice says how many and
    /// where to see them. One notice is kept free for it.
    fn report(&self, out: &mut dyn Write, scan: &ScanResult) -> io::Result<()> {
        let hidden = HiddenInfo::of(&scan.findings, &self.options);
        let mut shown: Vec<&Finding> = scan
            .findings
            .iter()
            .filter(|f| hidden.is_none() || f.risk != Risk::Info)
            .collect();
        shown.sort_by_key(|f| std::cmp::Reverse(f.risk));
        let mut per_level = [0usize; 3];
        for f in &shown {
            per_level[level(f.risk)] += 1;
        }
        let notes = usize::from(hidden.is_some());
        let mut budget = [PER_LEVEL, PER_LEVEL, PER_LEVEL - notes];
        let overflow = per_level.iter().zip(budget).any(|(n, b)| *n > b);
        if overflow {
            budget[2] -= 1;
        }
        let mut left = Vec::new();
        for f in shown {
            let at = level(f.risk);
            if budget[at] == 0 {
                left.push(f.risk);
                continue;
            }
            budget[at] -= 1;
            let mut title = format!("{}: {}", f.risk, f.kind.title());
            if let Some(repo) = &f.repository {
                let shown = printable::name(repo, self.options.show_secrets);
                title.push_str(&format!(" in {shown}"));
            }
            writeln!(
                out,
                "::{} file={},line={},col={},title={}::{}",
                command(f.risk),
                escape_property(&printable::name(
                    &f.location.path,
                    self.options.show_secrets
                )),
                f.location.line,
                f.location.column,
                escape_property(&title),
                escape_data(&message(f, self.options.show_secrets)),
            )?;
        }
        if let Some(hidden) = &hidden {
            note(out, &hidden.line())?;
        }
        if !left.is_empty() {
            note(out, &overflow_text(&left))?;
        }
        Ok(())
    }
}

/// The last notice when the cap left findings (`left`, most severe first) unannotated.
fn overflow_text(left: &[Risk]) -> String {
    let by_risk: Vec<String> = Risk::ALL
        .iter()
        .filter_map(|r| {
            let n = left.iter().filter(|l| *l == r).count();
            (n > 0).then(|| format!("{n} {r}"))
        })
        .collect();
    let noun = if left.len() == 1 {
        "finding is"
    } else {
        "findings are"
    };
    format!(
        "{} more {noun} not annotated ({}): GitHub shows at most {PER_LEVEL} error, \
         {PER_LEVEL} warning and {PER_LEVEL} notice annotations per step. Every finding is in \
         keyleak's human output (`--format human`, in the job log) and in SARIF \
         (`--format sarif`, for code scanning).",
        left.len(),
        by_risk.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
        assert_eq!(
            escape_data("a\x1b[2J\x07\r\n::stop-commands::x\u{9b}\u{202e}"),
            "a\\x1b[2J\\x07%0D%0A::stop-commands::x\\u{9b}\\u{202e}"
        );
        assert_eq!(
            escape_property("m\x1b]0;x\x07\n::error file=a,line=1::b"),
            "m\\x1b]0;x\\x07%0A%3A%3Aerror file=a%2Cline=1%3A%3Ab"
        );
    }

    #[test]
    fn escaped_values_hold_no_control_character() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        for out in [escape_data(&all), escape_property(&all)] {
            assert!(!out.chars().any(printable::is_unprintable));
        }
    }
}
