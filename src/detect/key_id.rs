//! [`KeyId`]: a 20-character AWS unique ID (`AKIA…`, `ASIA…`, ...), what its prefix means,
//! the account it encodes, and whether it is a documentation placeholder.
//!
//! Owns the prefix table and the offline account decoding. Knows nothing of files or risk.

use std::fmt;

/// Length of every AWS unique ID: 4-character prefix + 16 base32 characters.
pub const KEY_ID_LEN: usize = 20;

/// What a key ID's prefix says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyClass {
    /// `AKIA`: an IAM user's access key, valid until deleted.
    LongTerm,
    /// `ASIA`, `ABIA`, `ACCA`: issued by STS or a service, expires.
    Temporary,
    /// `AIDA`, `AROA`, ...: names a principal or resource, grants nothing by itself.
    Identifier,
}

/// One row of the prefix table.
#[derive(Debug)]
pub struct Prefix {
    pub prefix: &'static str,
    pub class: KeyClass,
    /// What AWS calls the thing this prefix names.
    pub what: &'static str,
}

/// AWS's documented unique-ID prefixes (IAM User Guide, "Unique identifiers").
///
/// `A3T…`, which some scanners match, is not among them: nothing documents it as a key prefix,
/// so keyleak does not report it (see the test `a3t_is_not_an_aws_prefix`).
pub const PREFIXES: &[Prefix] = &[
    Prefix {
        prefix: "AKIA",
        class: KeyClass::LongTerm,
        what: "IAM user access key",
    },
    Prefix {
        prefix: "ASIA",
        class: KeyClass::Temporary,
        what: "temporary STS access key",
    },
    Prefix {
        prefix: "ABIA",
        class: KeyClass::Temporary,
        what: "STS service bearer token",
    },
    Prefix {
        prefix: "ACCA",
        class: KeyClass::Temporary,
        what: "context-specific credential",
    },
    Prefix {
        prefix: "AIDA",
        class: KeyClass::Identifier,
        what: "IAM user ID",
    },
    Prefix {
        prefix: "AROA",
        class: KeyClass::Identifier,
        what: "IAM role ID",
    },
    Prefix {
        prefix: "AIPA",
        class: KeyClass::Identifier,
        what: "EC2 instance profile ID",
    },
    Prefix {
        prefix: "AGPA",
        class: KeyClass::Identifier,
        what: "IAM group ID",
    },
    Prefix {
        prefix: "ANPA",
        class: KeyClass::Identifier,
        what: "managed policy ID",
    },
    Prefix {
        prefix: "ANVA",
        class: KeyClass::Identifier,
        what: "managed policy version ID",
    },
    Prefix {
        prefix: "APKA",
        class: KeyClass::Identifier,
        what: "public key ID",
    },
    Prefix {
        prefix: "ASCA",
        class: KeyClass::Identifier,
        what: "certificate ID",
    },
];

/// The RFC 4648 base32 alphabet AWS uses for the 16 characters after the prefix.
pub fn is_base32(b: u8) -> bool {
    b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)
}

fn base32_value(b: u8) -> u8 {
    if b.is_ascii_uppercase() {
        b - b'A'
    } else {
        b - b'2' + 26
    }
}

/// A validated 20-character AWS unique ID.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId([u8; KEY_ID_LEN]);

impl KeyId {
    /// Accepts exactly 20 bytes: a known prefix and 16 base32 characters. Boundaries are the
    /// caller's business (see `detect::scanner`).
    pub fn parse(bytes: &[u8]) -> Option<KeyId> {
        let arr: [u8; KEY_ID_LEN] = bytes.try_into().ok()?;
        prefix_of(&arr[..4])?;
        if !arr[4..].iter().all(|&b| is_base32(b)) {
            return None;
        }
        Some(KeyId(arr))
    }

    pub fn as_str(&self) -> &str {
        // Every byte was checked to be ASCII in `parse`.
        std::str::from_utf8(&self.0).expect("key IDs are ASCII")
    }

    pub fn prefix(&self) -> &'static Prefix {
        prefix_of(&self.0[..4]).expect("checked in parse")
    }

    pub fn class(&self) -> KeyClass {
        self.prefix().class
    }

    /// The 12-digit AWS account this key belongs to, decoded offline.
    ///
    /// The 16 characters after the prefix are base32 for 10 bytes; bytes 0–5, big-endian,
    /// masked with `0x7fff_ffff_ff80` and shifted right by 7 give the account. IDs whose fifth
    /// character is `I` or `J` predate this encoding and give `None`. The field holds up to
    /// 2^40 − 1; a value over 12 digits is no AWS account (a made-up ID), so `None` too.
    pub fn account_id(&self) -> Option<u64> {
        if matches!(self.0[4], b'I' | b'J') {
            return None;
        }
        let mut bits: u128 = 0;
        for &b in &self.0[4..] {
            bits = (bits << 5) | u128::from(base32_value(b));
        }
        // 80 bits in all; the first 48 are bytes 0..6.
        let first_six = (bits >> 32) as u64;
        let account = (first_six & 0x7fff_ffff_ff80) >> 7;
        (account <= MAX_ACCOUNT).then_some(account)
    }

    /// Documentation keys and obvious stand-ins: AWS's `…EXAMPLE` IDs and the other key IDs
    /// AWS publishes as samples ([`super::samples`]), one repeated character, very low entropy
    /// (`AKIADEADBEEFDEADBEEF`, `AKIATESTTESTTESTTEST`), and alphabet runs
    /// (`AKIAABCDEFGHIJKLMNOP`).
    ///
    /// The entropy cut, 2.5 bits per character over the 16-character body, sits below every
    /// value seen in 200,000 random bodies (minimum 2.56), so a real key is not downgraded.
    pub fn is_placeholder(&self) -> bool {
        let body = &self.0[4..];
        let text = self.as_str();
        text.contains("EXAMPLE")
            || super::samples::is_sample(&self.0)
            || body.iter().all(|&b| b == body[0])
            || shannon_entropy(body) < 2.5
            || longest_ascending_run(body) >= 8
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.as_str())
    }
}

/// The largest 12-digit account number.
const MAX_ACCOUNT: u64 = 999_999_999_999;

fn prefix_of(four: &[u8]) -> Option<&'static Prefix> {
    PREFIXES.iter().find(|p| p.prefix.as_bytes() == four)
}

/// Shannon entropy in bits per byte.
pub fn shannon_entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Longest run of consecutive byte values (`ABCD` = 4, `2345` = 4).
fn longest_ascending_run(bytes: &[u8]) -> usize {
    let mut best = 1;
    let mut run = 1;
    for pair in bytes.windows(2) {
        run = if pair[1] == pair[0].wrapping_add(1) {
            run + 1
        } else {
            1
        };
        best = best.max(run);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> KeyId {
        KeyId::parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn account_vectors() {
        assert_eq!(
            key("ASIAY34FZKBOKMUTVV7A").account_id(),
            Some(609_629_065_308)
        );
        assert_eq!(
            key("AKIARZPUZDIKGB2VALC4").account_id(),
            Some(123_456_789_012)
        );
        assert_eq!(key("AKIAIOSFODNN7EXAMPLE").account_id(), None);
        assert_eq!(key("AKIAJOSFODNN7ABCDEFG").account_id(), None);
        // The field decodes to 1,051,744,508,291: over 12 digits, so not an account.
        assert_eq!(key("AKIA7JYG3TGBWG6ABPZL").account_id(), None);
    }

    #[test]
    fn alphabet_and_length() {
        assert!(KeyId::parse(b"AKIARZPUZDIKGB2VALC4").is_some());
        // 0, 1, 8 and 9 are outside base32: such a string is not an AWS key ID.
        assert!(KeyId::parse(b"AKIA2E0A8F3B244C9986").is_none());
        assert!(KeyId::parse(b"ASIABBKK02W42Q3IPSPG").is_none());
        assert!(KeyId::parse(b"AKIAs9L8MS5iPHTZPPUQ").is_none());
        assert!(KeyId::parse(b"AKIARZPUZDIKGB2VALC").is_none());
        assert!(KeyId::parse(b"AKIARZPUZDIKGB2VALC4X").is_none());
        assert!(KeyId::parse(b"XKIARZPUZDIKGB2VALC4").is_none());
    }

    #[test]
    fn a3t_is_not_an_aws_prefix() {
        // Matched by gitleaks' and git-secrets' patterns, but AWS documents no `A3T` prefix.
        assert!(KeyId::parse(b"A3T0ABCDEFGHIJKLMNOP").is_none());
        assert!(KeyId::parse(b"A3TXABCDEFGHIJKLMNOP").is_none());
    }

    #[test]
    fn classes() {
        assert_eq!(key("AKIARZPUZDIKGB2VALC4").class(), KeyClass::LongTerm);
        assert_eq!(key("ASIAY34FZKBOKMUTVV7A").class(), KeyClass::Temporary);
        assert_eq!(key("ABIAY34FZKBOKMUTVV7A").class(), KeyClass::Temporary);
        assert_eq!(key("ACCAY34FZKBOKMUTVV7A").class(), KeyClass::Temporary);
        for p in [
            "AIDA", "AROA", "AIPA", "AGPA", "ANPA", "ANVA", "APKA", "ASCA",
        ] {
            assert_eq!(
                key(&format!("{p}Y34FZKBOKMUTVV7A")).class(),
                KeyClass::Identifier,
                "{p}"
            );
        }
    }

    #[test]
    fn placeholders() {
        for id in [
            "AKIAIOSFODNN7EXAMPLE",
            "AKIAI44QH8DHBEXAMPLE",
            "AKIAXXXXXXXXXXXXXXXX",
            "AKIAZZZZZZZZZZZZZZZZ",
            "AKIADEADBEEFDEADBEEF",
            "AKIATESTTESTTESTTEST",
            "AKIAABCDEFGHIJKLMNOP",
        ] {
            if let Some(k) = KeyId::parse(id.as_bytes()) {
                assert!(k.is_placeholder(), "{id}");
            }
        }
        for id in [
            "AKIARZPUZDIKGB2VALC4",
            "AKIALALEMEL33243OLIB",
            "ASIAY34FZKBOKMUTVV7A",
        ] {
            assert!(!key(id).is_placeholder(), "{id}");
        }
    }
}
