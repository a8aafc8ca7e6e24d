//! Canary (honeytoken) keys: key IDs whose decoded account belongs to a canary-token service.
//!
//! Such a key was made to be found: it grants nothing, and any use of it (even a harmless
//! `aws sts get-caller-identity`) alerts whoever planted it. keyleak never calls AWS, so it
//! cannot set one off; it reports the key with `canary` and advice not to test it, at most
//! [`CANARY_RISK`], and never drops it.
//!
//! Data, not code: [`CANARY_ACCOUNTS`] is the published list; a new account is one row.

use crate::model::canary::{CanaryAccount, Provider};
use crate::model::finding::Risk;

const fn row(account: u64, provider: Provider) -> CanaryAccount {
    CanaryAccount { account, provider }
}

use Provider::*;

/// AWS accounts that issue canary access keys, sorted by account.
///
/// Sources, read 2026-11-23:
/// - `Canarytokens` and `CanarytokensLookalike`: trufflesecurity/trufflehog,
///   `pkg/detectors/aws/access_keys/canary.go` at commit 9ad33042674d
///   (<https://github.com/trufflesecurity/trufflehog>): `thinkstCanaryList` ("an AWS canary
///   token generated at canarytokens.org") and `thinkstKnockoffsCanaryList` ("an off brand
///   AWS Canary inspired by canarytokens.org").
/// - `Unattributed`: the three further accounts of mongodb/kingfisher,
///   `crates/kingfisher-scanner/src/validation/aws.rs` at commit 2a2b7b5a7e5a
///   (<https://github.com/mongodb/kingfisher>), `BUILTIN_SKIP_ACCOUNT_IDS` ("known
///   canary/honeypot AWS account IDs").
pub const CANARY_ACCOUNTS: &[CanaryAccount] = &[
    row(44_858_866_125, CanarytokensLookalike),
    row(52_310_077_262, Canarytokens),
    row(171_436_882_533, Canarytokens),
    row(251_535_659_677, CanarytokensLookalike),
    row(266_735_846_894, Canarytokens),
    row(344_043_088_457, CanarytokensLookalike),
    row(351_906_852_752, CanarytokensLookalike),
    row(390_477_818_340, CanarytokensLookalike),
    row(426_127_672_474, CanarytokensLookalike),
    row(427_150_556_519, CanarytokensLookalike),
    row(439_872_796_651, CanarytokensLookalike),
    row(445_142_720_921, CanarytokensLookalike),
    row(465_867_158_099, CanarytokensLookalike),
    row(528_757_803_018, Unattributed),
    row(534_261_010_715, Canarytokens),
    row(538_784_191_382, Unattributed),
    row(595_918_472_158, Canarytokens),
    row(637_958_123_769, CanarytokensLookalike),
    row(693_412_236_332, CanarytokensLookalike),
    row(717_712_589_309, Canarytokens),
    row(729_780_141_977, Unattributed),
    row(730_335_385_048, Canarytokens),
    row(732_624_840_810, CanarytokensLookalike),
    row(735_421_457_923, CanarytokensLookalike),
    row(819_147_034_852, Canarytokens),
    row(893_192_397_702, Canarytokens),
    row(959_235_150_393, CanarytokensLookalike),
    row(982_842_642_351, CanarytokensLookalike),
    row(992_382_622_183, Canarytokens),
];

/// The highest risk a canary key is reported at: it grants nothing, but it stays visible and
/// fails a build at the default `--fail-on low`, so a planted tripwire is a reviewed decision
/// (a baseline entry) rather than a silent one.
pub const CANARY_RISK: Risk = Risk::Low;

/// What to do about a canary key.
pub const CANARY_STEP: &str = "Canary token: this key is a tripwire: using it alerts its owner; \
    do not test it. It belongs to a honeytoken service's account and grants nothing: there is \
    no key of yours to deactivate. If your team planted it, record it in a baseline (an allow-list entry or \
    inline marker would tell an intruder it is a trap); if not, find out who put it here.";

/// The canary account `account` is, if it is one.
pub fn lookup(account: u64) -> Option<&'static CanaryAccount> {
    CANARY_ACCOUNTS
        .binary_search_by_key(&account, |c| c.account)
        .ok()
        .map(|i| &CANARY_ACCOUNTS[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::key_id::KeyId;

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(
            CANARY_ACCOUNTS
                .windows(2)
                .all(|w| w[0].account < w[1].account)
        );
        assert!(CANARY_ACCOUNTS.iter().all(|c| c.account <= 999_999_999_999));
    }

    #[test]
    fn lookups() {
        assert_eq!(
            lookup(52_310_077_262).map(|c| c.provider),
            Some(Canarytokens)
        );
        assert_eq!(
            lookup(44_858_866_125).map(|c| c.provider),
            Some(CanarytokensLookalike)
        );
        assert_eq!(
            lookup(729_780_141_977).map(|c| c.provider),
            Some(Unattributed)
        );
        assert_eq!(lookup(123_456_789_012), None);
        assert_eq!(lookup(0), None);
    }

    /// Encodes `account` into a key ID body the way AWS does (see [`KeyId::account_id`]):
    /// bit 47 set as in every current key, the account in bits 7–46, `noise` elsewhere.
    fn key_for(account: u64, noise: u64) -> KeyId {
        const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let first_six = (1u128 << 47) | (u128::from(account) << 7) | u128::from(noise & 0x7f);
        let bits = (first_six << 32) | u128::from(noise >> 7 & 0xffff_ffff);
        let mut id = b"AKIA".to_vec();
        id.extend(
            (0..16)
                .rev()
                .map(|i| ALPHABET[(bits >> (5 * i) & 31) as usize]),
        );
        KeyId::parse(&id).expect("a well-formed key ID")
    }

    #[test]
    fn every_listed_account_is_found_from_a_key_id() {
        for (i, c) in CANARY_ACCOUNTS.iter().enumerate() {
            let key = key_for(c.account, 0x5eed_1234_5678 ^ (i as u64 * 0x9e37_79b9));
            assert_eq!(key.account_id(), Some(c.account), "{key}");
            assert_eq!(key.account_id().and_then(lookup), Some(c), "{key}");
        }
    }
}
