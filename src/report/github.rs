//! `--format github`: GitHub Actions workflow commands, one annotation per finding
//! (`::error file=…,line=…,col=…,title=…::message`), shown on the pull request's diff.
//!
//! Level by risk: critical and high are `error`, medium and low `warning`, info `notice`.
//! Values are escaped as the runner expects (`%`, CR, LF everywhere; `:` and `,` in
//! properties) so a path or snippet cannot inject a command. Secrets stay redacted.

use std::io::{self, Write};

use super::{ReportOptions, Reporter, account_string};
use crate::finding::{Finding, Risk};
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

/// Escapes a message (the part after `::`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
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
                escape_property(&f.location.path),
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
    }
}
