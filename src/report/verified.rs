//! What `--verify` learned (`crate::verify`), as reporters show it: JSON fields, one human
//! sentence, and the per-status counts of the summary. Kept apart so every format says the
//! same.

use serde::Serialize;

use crate::model::finding::{Finding, Kind};
use crate::model::verification::{Status, Verification};

/// Flattened into each JSON finding; absent when the credential was not sent.
#[derive(Serialize)]
pub struct JsonVerified<'a> {
    /// `active`, `invalid`, `expired` or `error`.
    pub verified: &'static str,
    /// The caller STS named (active only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_arn: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_user_id: Option<&'a str>,
    /// STS's error code and message, or the transport error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_detail: Option<&'a str>,
}

impl<'a> JsonVerified<'a> {
    pub fn of(f: &'a Finding) -> Option<JsonVerified<'a>> {
        let v = f.verification.as_ref()?;
        Some(JsonVerified {
            verified: v.status.as_str(),
            verified_arn: v.arn.as_deref(),
            verified_account: v.account.as_deref(),
            verified_user_id: v.user_id.as_deref(),
            verified_detail: v.detail.as_deref(),
        })
    }
}

/// `verified: ACTIVE as arn:aws:iam::123456789012:user/ci`, or the state and why. What STS
/// (or whatever answered at `--sts-endpoint`) said is escaped: no control character of its
/// reaches a terminal or a workflow command.
pub fn sentence(v: &Verification) -> String {
    let said = |s: &str| crate::printable::escape_controls(s).into_owned();
    match (v.status, &v.arn, &v.detail) {
        (Status::Active, Some(arn), _) => format!("verified: ACTIVE as {}", said(arn)),
        (status, _, Some(detail)) => format!("verified: {} ({})", status.as_str(), said(detail)),
        (status, _, None) => format!("verified: {}", status.as_str()),
    }
}

/// Per-status counts over the findings that were sent, every status listed in the order
/// active, invalid, expired, error; `None` when none was (verification off, or nothing
/// eligible).
pub fn counts(findings: &[Finding]) -> Option<Vec<(&'static str, usize)>> {
    let sent: Vec<Status> = findings
        .iter()
        .filter_map(|f| f.verification.as_ref().map(|v| v.status))
        .collect();
    (!sent.is_empty()).then(|| {
        [
            Status::Active,
            Status::Invalid,
            Status::Expired,
            Status::Error,
        ]
        .iter()
        .map(|s| (s.as_str(), sent.iter().filter(|x| *x == s).count()))
        .collect()
    })
}

/// Findings that are long-term keys STS accepted: the ones to deactivate first.
pub fn active_long_term(findings: &[Finding]) -> usize {
    findings
        .iter()
        .filter(|f| {
            f.kind == Kind::AccessKey
                && f.verification
                    .as_ref()
                    .is_some_and(|v| v.status == Status::Active)
        })
        .count()
}
