//! What a finding's prose says, chosen once for every format that writes it: the human
//! diagnostic's `=` lines, the SARIF and GitHub messages, GitLab's description and solution.
//! [`Message::of`] picks the facts (key ID and account, the secret as shown, the session
//! token's region and account, what `--verify` learned) and the advice (what to do now, and
//! what to use instead when there is a key to replace); each format adds only its own words
//! and punctuation around them, so a new fact or a new rule for the advice is one change here.
//!
//! The human headline is not built here: it names the kind and how it was found (pairing,
//! canary, expiry, encoding), which the messages do not repeat.

use crate::detect::key_id::KeyId;
use crate::model::account_string;
use crate::model::finding::Finding;

/// The facts and advice of one finding, as text.
pub struct Message {
    pub key_id: Option<KeyId>,
    /// The account the key ID encodes, 12 digits; shown with the key ID.
    pub account: Option<String>,
    /// The secret access key, redacted unless `--show-secrets`.
    pub secret: Option<String>,
    /// The session token's region and account ([`super::token_meta::human_line`]).
    pub token: Option<String>,
    /// What `--verify` learned ([`super::verified::sentence`]).
    pub verified: Option<String>,
    /// What to do with the credential now.
    pub now: &'static str,
    /// The role setup that replaces the key; `None` for an example, an identifier or a canary
    /// token, where there is nothing to replace.
    pub instead: Option<&'static str>,
}

impl Message {
    pub fn of(f: &Finding, show_secrets: bool) -> Message {
        let replaceable = f.replaceable();
        Message {
            key_id: f.key_id,
            account: f.account_id.map(account_string),
            secret: f.secret.as_ref().map(|s| s.render(show_secrets)),
            token: super::token_meta::human_line(f),
            verified: f.verification.as_ref().map(super::verified::sentence),
            now: f.advice.first_step,
            instead: replaceable.then_some(f.advice.replace_with),
        }
    }

    /// The facts after the key and the secret, in the order every message gives them: the
    /// session token's region and account, then what `--verify` learned.
    pub fn notes(&self) -> impl Iterator<Item = &str> {
        self.token.iter().chain(&self.verified).map(String::as_str)
    }
}
