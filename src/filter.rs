//! The filter stage: what the user said not to report, applied after classification.
//!
//! In order: extra placeholder key IDs are downgraded to `info` examples; then findings are
//! suppressed by inline marker (`keyleak:allow`), allowed path, allowed key ID and baseline,
//! each counted so the summary can say what was left out and why.

use std::collections::BTreeSet;

use globset::GlobSet;

use crate::finding::{Finding, Risk};
use crate::risk::advice::first_step;

/// How many findings each rule suppressed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Suppressed {
    pub inline: u64,
    pub path: u64,
    pub key_id: u64,
    pub baseline: u64,
}

impl Suppressed {
    pub fn total(&self) -> u64 {
        self.inline + self.path + self.key_id + self.baseline
    }
}

#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub placeholders: BTreeSet<String>,
    pub allow_paths: Option<GlobSet>,
    pub allow_key_ids: BTreeSet<String>,
    pub baseline: Option<BTreeSet<String>>,
}

impl Filter {
    pub fn apply(&self, findings: Vec<Finding>) -> (Vec<Finding>, Suppressed) {
        let mut counts = Suppressed::default();
        let mut kept = Vec::with_capacity(findings.len());
        for mut f in findings {
            let key = f.key_id.map(|k| k.to_string());
            if key.as_ref().is_some_and(|k| self.placeholders.contains(k)) {
                f.example = true;
                f.risk = Risk::Info;
                f.advice.first_step = first_step(f.kind, true);
            }
            let counter = if f.allowed_inline {
                &mut counts.inline
            } else if self.allow_paths.as_ref().is_some_and(|g| g.is_match(&f.location.path)) {
                &mut counts.path
            } else if key.as_ref().is_some_and(|k| self.allow_key_ids.contains(k)) {
                &mut counts.key_id
            } else if self.baseline.as_ref().is_some_and(|b| b.contains(f.fingerprint.as_str())) {
                &mut counts.baseline
            } else {
                kept.push(f);
                continue;
            };
            *counter += 1;
        }
        (kept, counts)
    }
}
