//! Plain data shared by every stage: a blob of input and where it came from, what a finding is, what a run found (`ScanResult`, its
//! warnings and counts), what the run fails on, how an account is written. Types and their
//! small methods only: no I/O, no tables, no policy.
//!
//! Imports nothing above `detect`, `redact` and `printable`; every other stage imports it.

pub mod advice;
pub mod blob;
pub mod canary;
pub mod commit;
pub mod finding;
pub mod result;
pub mod role;
pub mod verification;
pub mod warning;

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
