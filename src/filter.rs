//! The filter stage: what the user said not to report, applied after classification.
//!
//! In order: extra placeholder key IDs are downgraded to `info` examples; then findings are
//! suppressed by inline marker (`keyleak:allow`), allowed path and allowed key ID
//! ([`Filter::apply`]), then by the baseline ([`Filter::apply_baseline`], separate so
//! `--baseline-out` can record what the baseline would hide), and last by `--min-risk`
//! ([`Filter::apply_min_risk`], applied by `run` after `--verify`, which can move a risk, so
//! a baseline written with it still records every finding). Each rule is counted so the summary can say what was left out and why.

use std::collections::BTreeSet;

use crate::config::allow_paths::AllowPaths;
use crate::model::finding::{Finding, Risk};
use crate::model::result::Suppressed;
use crate::risk::advice::first_step;

#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub placeholders: BTreeSet<String>,
    pub allow_paths: Option<AllowPaths>,
    pub allow_key_ids: BTreeSet<String>,
    pub baseline: Option<BTreeSet<String>>,
    /// `--min-risk`: findings below it are not reported and do not fail the run.
    pub min_risk: Option<Risk>,
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
                // A placeholder's decoded account names nobody's account.
                f.account_id = None;
                f.advice.first_step = first_step(f.kind, true);
                // Nothing to replace.
                f.advice.role = None;
            }
            // The config file lists the placeholders it declares: not a finding there.
            let declared_here = f.location.path.ends_with(crate::config::FILE_NAME)
                && key.as_ref().is_some_and(|k| self.placeholders.contains(k));
            let counter = if f.allowed_inline {
                &mut counts.inline
            } else if self
                .allow_paths
                .as_ref()
                .is_some_and(|g| g.is_match(&f.location.path))
            {
                &mut counts.path
            } else if declared_here || key.as_ref().is_some_and(|k| self.allow_key_ids.contains(k))
            {
                &mut counts.key_id
            } else {
                kept.push(f);
                continue;
            };
            *counter += 1;
        }
        (kept, counts)
    }

    /// Drops the findings recorded in the baseline, counting them.
    pub fn apply_baseline(&self, findings: Vec<Finding>, counts: &mut Suppressed) -> Vec<Finding> {
        let Some(baseline) = &self.baseline else {
            return findings;
        };
        let before = findings.len();
        let kept: Vec<Finding> = findings
            .into_iter()
            .filter(|f| !baseline.contains(f.fingerprint.as_str()))
            .collect();
        counts.baseline += (before - kept.len()) as u64;
        kept
    }

    /// Drops the findings below `--min-risk`, counting them.
    pub fn apply_min_risk(&self, findings: Vec<Finding>, counts: &mut Suppressed) -> Vec<Finding> {
        let Some(min) = self.min_risk else {
            return findings;
        };
        let before = findings.len();
        let kept: Vec<Finding> = findings.into_iter().filter(|f| f.risk >= min).collect();
        counts.below_min_risk += (before - kept.len()) as u64;
        kept
    }
}
