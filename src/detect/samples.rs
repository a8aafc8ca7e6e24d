//! AWS's published sample credentials: key IDs, secret access keys and session tokens that AWS
//! documentation and the AWS SDKs' test suites print as examples, such as the SNS API
//! reference's `AKIAJHS4T6XPF7XIURNA` or the old S3 signing examples' secret, which no shape
//! rule can tell from a real key.
//!
//! Owns the table (`samples.txt`, one value a line with the repository and path it was taken
//! from) and the exact lookup in it. The shape rules for stand-ins (`EXAMPLE`, repeated
//! characters, placeholder words) stay in `key_id` and `secret`; risk is not decided here.

use std::collections::HashSet;
use std::sync::LazyLock;

/// The table, `VALUE SOURCE…` a line; `#` starts a comment line.
const TABLE: &str = include_str!("samples.txt");

/// One published sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub value: &'static str,
    /// Where it was taken from and what AWS uses it for.
    pub source: &'static str,
}

/// Every sample in the table, in its order.
pub fn all() -> impl Iterator<Item = Sample> {
    TABLE
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (value, source) = l.split_once(' ').unwrap_or((l, ""));
            Sample {
                value,
                source: source.trim(),
            }
        })
}

/// The values, read from the table once: the lookup runs for every secret candidate.
static VALUES: LazyLock<HashSet<&'static [u8]>> =
    LazyLock::new(|| all().map(|s| s.value.as_bytes()).collect());

/// Is `value` (a key ID, secret or session token, exactly) a published AWS sample?
pub fn is_sample(value: &[u8]) -> bool {
    VALUES.contains(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::key_id::KeyId;
    use crate::detect::{secret, token};
    use std::collections::BTreeSet;

    #[test]
    fn every_entry_is_a_credential_shape_with_its_source() {
        let mut seen = BTreeSet::new();
        for s in all() {
            assert!(seen.insert(s.value), "duplicate {}", s.value);
            // `owner/repo path: what it is`.
            let (repo, rest) = s.source.split_once(' ').expect(s.value);
            assert!(repo.contains('/') && rest.contains(": "), "{}", s.value);
            let v = s.value.as_bytes();
            let shaped = KeyId::parse(v).is_some()
                || (v.len() == secret::SECRET_LEN && v.iter().all(|&b| secret::is_secret_byte(b)))
                || (v.len() >= token::MIN_TOKEN_LEN
                    && v.iter().all(|&b| token::is_token_byte(b))
                    && token::padded_only_at_end(v));
            assert!(shaped, "{} is no key ID, secret or token", s.value);
        }
        assert!(seen.len() >= 20, "{}", seen.len());
    }

    #[test]
    fn samples_are_placeholders_wherever_classified() {
        for s in all() {
            let v = s.value.as_bytes();
            match KeyId::parse(v) {
                Some(k) => assert!(k.is_placeholder(), "{}", s.value),
                None => assert!(secret::is_placeholder(v), "{}", s.value),
            }
        }
    }

    #[test]
    fn lookup_is_exact() {
        assert!(is_sample(b"AKIAJHS4T6XPF7XIURNA"));
        assert!(is_sample(b"OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV"));
        assert!(!is_sample(b"AKIAJHS4T6XPF7XIURN"));
        assert!(!is_sample(b"AKIAJHS4T6XPF7XIURNAX"));
        assert!(!is_sample(b"akiajhs4t6xpf7xiurna"));
        assert!(!is_sample(b""));
        // A random-looking key in a test suite that AWS does not publish as a sample
        // (aws-sdk-go's first SigV2 signer test, replaced by `AKID` there) is no sample.
        assert!(!is_sample(b"AKIAJG6V72ZBDMWPMSWQ"));
        let real = KeyId::parse(b"AKIARZPUZDIKGB2VALC4").unwrap();
        assert!(!real.is_placeholder());
        assert!(!secret::is_placeholder(
            b"5dkLVuqpZhD6V3Zym1hivdSHOzh6FGPjwplXD+5f"
        ));
    }
}
