//! Baselines: the findings a repository already had when it adopted keyleak.
//!
//! `--baseline-out FILE` writes the current findings' fingerprints (with kind, account, path
//! and risk for a reviewer; never a secret, and no key ID either, so scanning the baseline
//! file itself finds nothing); `--baseline FILE` suppresses exactly those
//! fingerprints, so a new key still fails. Fingerprints leave the line out, so a baseline
//! survives code moving around.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::model::finding::Finding;

pub const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    pub version: u32,
    pub findings: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub kind: String,
    pub account_id: Option<String>,
    pub path: String,
    pub risk: String,
}

impl BaselineFile {
    pub fn of(findings: &[Finding]) -> BaselineFile {
        let mut entries: Vec<Entry> = findings
            .iter()
            .map(|f| Entry {
                fingerprint: f.fingerprint.as_str().to_string(),
                kind: f.kind.as_str().to_string(),
                account_id: f.account_id.map(crate::model::account_string),
                path: f.location.path.clone(),
                risk: f.risk.as_str().to_string(),
            })
            .collect();
        entries.sort();
        entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        BaselineFile {
            version: VERSION,
            findings: entries,
        }
    }

    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let mut text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        text.push('\n');
        std::fs::write(path, text)
    }

    /// The fingerprints in a baseline file; errors say what is wrong with it.
    pub fn load_fingerprints(path: &Path) -> Result<BTreeSet<String>, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
        // serde_json quotes the value it could not read: hidden if it could be a secret.
        let file: BaselineFile = serde_json::from_str(&text).map_err(|e| {
            let why = crate::printable::values::hide_quoted(&e.to_string());
            format!("not a keyleak baseline: {why}")
        })?;
        if file.version != VERSION {
            return Err(format!(
                "baseline version {} is not supported (expected {VERSION})",
                file.version
            ));
        }
        Ok(file.findings.into_iter().map(|e| e.fingerprint).collect())
    }
}
