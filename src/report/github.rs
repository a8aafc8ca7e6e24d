//! `--format github`: GitHub Actions workflow commands, one annotation per finding
//! (`::error file=…,line=…,col=…,title=…::message`), shown on the pull request's diff.
//!
//! Level by risk: critical and high are `error`, medium and low `warning`, info `notice`.
//! Values are escaped as the runner expects (`%`, CR, LF everywhere; `:` and `,` in
//! properties) and every other control character is written visibly, so each finding is
//! exactly one line and a path, snippet or STS answer cannot end it or start a command of its
//! own. Paths go through [`crate::printable::name`] first: a newline in a file name shows as
//! `\n`, a secret-shaped run as its redacted form. Secrets stay redacted.

use std::io::{self, Write};

use super::{ReportOptions, Reporter, account_string};
use crate::finding::{Finding, Risk};
use crate::printable;
use crate::scan::ScanResult;

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

fn message(f: &Finding, show_secrets: bool) -> String {
    let mut m = String::new();
    if let Some(k) = f.key_id {
        m.push_str(&k.to_string());
        if let Some(a) = f.account_id {
            m.push_str(&format!(" (account {})", account_string(a)));
        }
        m.push_str(". ");
    }
    if let Some(s) = &f.secret {
        m.push_str(&format!("Secret {}. ", s.render(show_secrets)));
    }
    if let Some(line) = super::token_meta::human_line(f) {
        m.push_str(&line);
        m.push_str(". ");
    }
    if let Some(v) = &f.verification {
        m.push_str(&super::verified::sentence(v));
        m.push_str(". ");
    }
    m.push_str("Now: ");
    m.push_str(f.advice.first_step);
    if !f.example && f.canary.is_none() {
        m.push_str("\nInstead: ");
        m.push_str(f.advice.replace_with);
    }
    m
}

impl Reporter for Github {
    fn report(&self, out: &mut dyn Write, scan: &ScanResult) -> io::Result<()> {
        for f in &scan.findings {
            let title = format!("{}: {}", f.risk, f.kind.title());
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
        Ok(())
    }
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
