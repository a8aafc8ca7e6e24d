//! Plain data shared by every stage: what a finding is, what the run fails on, how an account
//! is written. Types and their small methods only: no I/O, no tables, no policy.
//!
//! Imports nothing above `detect` and `redact`; every other stage imports it.

pub mod advice;
pub mod canary;
pub mod commit;
pub mod finding;
pub mod verification;

use finding::Risk;

/// Which findings make the run exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    AtLeast(Risk),
    Never,
}

impl FailOn {
    pub fn fails(self, risk: Risk) -> bool {
        match self {
            FailOn::AtLeast(threshold) => risk >= threshold,
            FailOn::Never => false,
        }
    }
}

/// Twelve digits, zero-padded, as AWS prints account IDs.
pub fn account_string(account: u64) -> String {
    format!("{account:012}")
}
