//! [`Advice`]: what to do about one finding, as `risk::advice` chose it from its tables.

use std::borrow::Cow;

use serde::Serialize;

use super::role::RoleSetup;

/// What to do about one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advice {
    /// Where the key sits, as matched by [`CONTEXTS`](crate::risk::advice::CONTEXTS) (`github_actions`, `terraform`, ...).
    pub context: &'static str,
    /// What to do with the leaked credential now.
    pub first_step: &'static str,
    /// The role setup that makes a stored key unnecessary there.
    pub replace_with: &'static str,
    /// History scans: [`DELETED_NOTE`](crate::risk::history::DELETED_NOTE) when HEAD no longer holds a live credential.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<&'static str>,
    /// The role that replaces the key, tailored to this repository and file; `None` where
    /// there is no key to replace (an example, an identifier, a canary token).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleSetup>,
}

impl Advice {
    /// The advice as it may be printed: the role's wiring diff as
    /// [`RoleSetup::shown`] gives it.
    pub fn shown(&self, show_secrets: bool) -> Cow<'_, Advice> {
        match self.role.as_ref().map(|r| r.shown(show_secrets)) {
            Some(Cow::Owned(role)) => Cow::Owned(Advice {
                role: Some(role),
                ..self.clone()
            }),
            _ => Cow::Borrowed(self),
        }
    }
}
