//! [`Verification`]: what STS said about a credential, as `verify` attaches it to findings.

/// What STS said about a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// It signs requests right now.
    Active,
    /// STS rejects it: no such key, an inactive one, or the wrong secret for the key.
    Invalid,
    /// A temporary credential whose session has ended.
    Expired,
    /// No usable answer (network, timeout, throttling, not an STS endpoint): unknown.
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Invalid => "invalid",
            Status::Expired => "expired",
            Status::Error => "error",
        }
    }
}

/// The result of one check, as attached to every finding of that credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub status: Status,
    /// The caller STS names for an active credential: the IAM user or assumed role.
    pub arn: Option<String>,
    pub account: Option<String>,
    pub user_id: Option<String>,
    /// STS's error code (`InvalidClientTokenId`, ...), when it answered with one.
    pub code: Option<String>,
    /// Why, for anything but `active`: STS's code and message, or the transport error.
    pub detail: Option<String>,
}

impl Verification {
    pub fn error(detail: impl Into<String>) -> Verification {
        Verification {
            status: Status::Error,
            arn: None,
            account: None,
            user_id: None,
            code: None,
            detail: Some(detail.into()),
        }
    }
}
