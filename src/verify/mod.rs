//! `--verify`: asks AWS STS whether each found key pair still works (`GetCallerIdentity`,
//! which needs no IAM permission and changes nothing).
//!
//! Owns what is sent and what the answers change. A finding is sent only when it has a key ID
//! and its secret (and its session token, for a temporary key), neither key nor secret is a
//! placeholder, and the key is not a canary key; each distinct credential is sent once per run, at most [`CONCURRENCY`] at a
//! time, with no retries. The answers become [`Verification`]s on the findings and may move
//! their risk and first step ([`apply`]). It must not detect, filter or print: `sts` talks to
//! the endpoint, `sigv4` signs, reporters show the result.

pub mod sigv4;
pub mod sts;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::error::Warning;
use crate::model::finding::{Finding, Kind, Risk};
use crate::model::verification::{Status, Verification};
pub use sts::Endpoint;

/// Requests in flight at once: enough to check a few hundred keys in seconds, few enough to
/// look like one careful client to STS.
pub const CONCURRENCY: usize = 4;

/// How verification runs; `None` in [`crate::settings::Settings`] when it is off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifySettings {
    pub endpoint: Endpoint,
    /// For the whole of one request: connect, send and read the answer.
    pub timeout: Duration,
}

/// First step for a long-term key STS accepted: the top of the risk scale.
pub const ACTIVE_LONG_TERM_STEP: &str = "ACTIVE: this key works right now (verified with STS). \
    Deactivate it now: `aws iam update-access-key --status Inactive --access-key-id <key ID> \
    --user-name <user named in the ARN>`, then check CloudTrail for its use and delete it.";

/// First step for a temporary key STS accepted.
pub const ACTIVE_TEMPORARY_STEP: &str = "ACTIVE: this session works right now (verified with \
    STS) until it expires. Revoke it now: IAM console, the role named in the ARN, Revoke active \
    sessions (`AWSRevokeOlderSessions`); then check CloudTrail for its use.";

/// First step for a key ID STS does not know (deleted, inactive or never issued).
pub const REJECTED_STEP: &str = "STS rejects this key (deleted, deactivated or never issued): \
    it cannot be used as it stands. Remove it from the code anyway, and if it was deactivated \
    rather than deleted, delete it.";

/// The credential a finding would send, when it may be sent at all.
fn credential(f: &Finding) -> Option<sts::Credential<'_>> {
    if f.example || f.canary.is_some() {
        return None;
    }
    let key = f.key_id.as_ref()?;
    if !matches!(f.kind, Kind::AccessKey | Kind::TemporaryAccessKey) {
        return None;
    }
    let secret = f.secret.as_ref()?.expose();
    let token = f.session_token.as_ref().map(|t| t.expose());
    // A stand-in secret (`wJalr…EXAMPLEKEY`, `<your-secret>`) cannot sign for the key.
    if crate::detect::secret::is_placeholder(secret.as_bytes()) {
        return None;
    }
    if f.kind == Kind::TemporaryAccessKey && token.is_none() {
        return None;
    }
    Some(sts::Credential {
        key_id: key.as_str(),
        secret,
        token,
    })
}

/// Checks every eligible finding's credential once against `settings.endpoint`, attaches the
/// answers and applies them ([`apply`]). Requests are dated by the clock, never by
/// `KEYLEAK_NOW`: STS refuses a request more than five minutes off. Returns warnings: one
/// per distinct failure, naming the key IDs it concerns; one notice for canary keys held back.
pub fn verify(findings: &mut [Finding], settings: &VerifySettings) -> Vec<Warning> {
    // Distinct credentials, in report order so that warnings are deterministic.
    let mut distinct: Vec<sts::Credential<'_>> = Vec::new();
    let mut index: BTreeMap<(&str, &str, Option<&str>), usize> = BTreeMap::new();
    let mut of_finding: Vec<Option<usize>> = Vec::with_capacity(findings.len());
    let mut canaries = Vec::new();
    for f in findings.iter() {
        if f.canary.is_some() && f.secret.is_some() && !f.example {
            canaries.extend(f.key_id.map(|k| k.to_string()));
        }
        of_finding.push(credential(f).map(|c| {
            *index
                .entry((c.key_id, c.secret, c.token))
                .or_insert_with(|| {
                    distinct.push(c);
                    distinct.len() - 1
                })
        }));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let answers = check_all(&distinct, settings, now);
    let mut warnings = failure_warnings(&distinct, &answers);
    canaries.dedup();
    if !canaries.is_empty() {
        warnings.push(Warning::new(
            "--verify",
            format!(
                "not sent, canary keys (tripwires that alert their owner): {}",
                canaries.join(", ")
            ),
        ));
    }
    for (f, slot) in findings.iter_mut().zip(of_finding) {
        if let Some(i) = slot {
            apply(f, answers[i].clone());
        }
    }
    warnings
}

/// Sends each credential once, [`CONCURRENCY`] at a time; answers in the same order.
fn check_all(
    credentials: &[sts::Credential<'_>],
    settings: &VerifySettings,
    now: i64,
) -> Vec<Verification> {
    if credentials.is_empty() {
        return Vec::new();
    }
    let agent = sts::agent(&settings.endpoint, settings.timeout);
    let next = AtomicUsize::new(0);
    let answers: Mutex<Vec<Option<Verification>>> = Mutex::new(vec![None; credentials.len()]);
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENCY.min(credentials.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(c) = credentials.get(i) else { break };
                    let v = sts::get_caller_identity(&agent, &settings.endpoint, *c, now);
                    answers.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(v);
                }
            });
        }
    });
    answers
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|v| v.unwrap_or_else(|| Verification::error("not checked")))
        .collect()
}

/// One warning per distinct error detail, with the key IDs it hit (first five named).
fn failure_warnings(credentials: &[sts::Credential<'_>], answers: &[Verification]) -> Vec<Warning> {
    let mut by_detail: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (c, v) in credentials.iter().zip(answers) {
        if v.status == Status::Error {
            by_detail
                .entry(v.detail.as_deref().unwrap_or("unknown error"))
                .or_default()
                .push(c.key_id);
        }
    }
    by_detail
        .into_iter()
        .map(|(detail, mut keys)| {
            keys.sort_unstable();
            keys.dedup();
            let more = keys.len().saturating_sub(5);
            let mut named = keys[..keys.len().min(5)].join(", ");
            if more > 0 {
                named.push_str(&format!(" and {more} more"));
            }
            Warning::new(
                "--verify",
                format!("could not verify {named} (risk left as found): {detail}"),
            )
        })
        .collect()
}

/// Attaches `v` to `f` and moves its risk and first step:
/// - active long-term key: `critical`, "deactivate it now";
/// - active temporary key: `high`, "revoke the sessions now";
/// - unknown key ID (`InvalidClientTokenId`) or ended session: `low`, no longer usable;
/// - wrong secret for an existing key, or no answer: unchanged.
pub fn apply(f: &mut Finding, v: Verification) {
    match (v.status, f.kind) {
        (Status::Active, Kind::AccessKey) => {
            f.risk = Risk::Critical;
            f.advice.first_step = ACTIVE_LONG_TERM_STEP;
        }
        (Status::Active, _) => {
            f.risk = f.risk.max(Risk::High);
            f.advice.first_step = ACTIVE_TEMPORARY_STEP;
        }
        (Status::Expired, _) => {
            f.risk = f.risk.min(Risk::Low);
            f.advice.first_step = crate::risk::history::EXPIRED_STEP;
        }
        (Status::Invalid, _) if v.code.as_deref() == Some(sts::UNKNOWN_KEY) => {
            f.risk = f.risk.min(Risk::Low);
            f.advice.first_step = REJECTED_STEP;
        }
        _ => {}
    }
    f.verification = Some(v);
}
