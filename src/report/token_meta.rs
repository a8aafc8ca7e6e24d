//! A session token's own region and account (`detect::token_meta`) as reporters show them:
//! three optional JSON fields and one human line. Kept apart so every format says the same.

use serde::Serialize;

use crate::model::account_string;
use crate::model::finding::Finding;

/// Flattened into each JSON finding; every field is left out when unknown.
#[derive(Serialize)]
pub struct JsonTokenMeta<'a> {
    /// The region that issued the session token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_region: Option<&'a str>,
    /// The account the session token names, 12 digits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_account: Option<String>,
    /// Whether `token_account` differs from `account_id`; present only when both are known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_account_mismatch: Option<bool>,
}

impl<'a> JsonTokenMeta<'a> {
    pub fn of(f: &'a Finding) -> Option<JsonTokenMeta<'a>> {
        let meta = f.token_meta.as_ref()?;
        Some(JsonTokenMeta {
            token_region: meta.region.as_deref(),
            token_account: meta.account.map(account_string),
            token_account_mismatch: meta.account_mismatch(f.account_id),
        })
    }
}

/// `token: region eu-west-3, account 381492067153`, and when the paired key ID encodes
/// another account, says so: the two may not belong together.
pub fn human_line(f: &Finding) -> Option<String> {
    let meta = f.token_meta.as_ref()?;
    let mut parts = Vec::new();
    if let Some(r) = &meta.region {
        parts.push(format!("region {r}"));
    }
    if let Some(a) = meta.account {
        parts.push(format!("account {}", account_string(a)));
    }
    let mut line = format!("token: {}", parts.join(", "));
    if meta.account_mismatch(f.account_id) == Some(true) {
        let key_account = f.account_id.map(account_string).unwrap_or_default();
        line.push_str(&format!(
            ", not the key's account {key_account}: they may not belong together"
        ));
    }
    Some(line)
}
