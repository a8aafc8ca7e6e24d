//! [`CanaryAccount`]: a canary-token service's AWS account, as `risk::canary` lists them.

/// Who runs a canary account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Provider {
    /// Thinkst's canarytokens.org (and Thinkst Canary consoles).
    Canarytokens,
    /// Other AWS canary services modelled on canarytokens.org.
    CanarytokensLookalike,
    /// Listed as a canary or honeypot account without naming the service.
    Unattributed,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Canarytokens => "canarytokens.org (Thinkst)",
            Provider::CanarytokensLookalike => "canarytokens.org look-alike",
            Provider::Unattributed => "unnamed honeytoken service",
        }
    }
}

/// One known canary account.
#[derive(Debug, PartialEq, Eq)]
pub struct CanaryAccount {
    pub account: u64,
    pub provider: Provider,
}
