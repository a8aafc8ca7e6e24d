//! Token metadata on generated tokens: the structure public decodings describe, built here
//! with random filler where real tokens carry signatures and encrypted data.

use proptest::prelude::*;

use super::*;

/// A deterministic byte stream (xorshift64*), so generated tokens are reproducible.
struct Noise(u64);

impl Noise {
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n)
            .map(|_| {
                self.0 ^= self.0 >> 12;
                self.0 ^= self.0 << 25;
                self.0 ^= self.0 >> 27;
                (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
            })
            .collect()
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_bytes(out: &mut Vec<u8>, field: u64, body: &[u8]) {
    put_varint(out, field << 3 | 2);
    put_varint(out, body.len() as u64);
    out.extend_from_slice(body);
}

fn put_number(out: &mut Vec<u8>, field: u64, v: u64) {
    put_varint(out, field << 3);
    put_varint(out, v);
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A token laid out like a real `IQoJ…` one: format byte, `origin_ec`, key number, region,
/// signature, the nested message with the account, creation time, encrypted data.
pub(crate) fn generate(region: Option<&str>, account: Option<&str>, seed: u64) -> String {
    let mut noise = Noise(seed | 1);
    let mut msg = vec![FORMAT_BYTE];
    put_bytes(&mut msg, 1, b"origin_ec");
    put_number(&mut msg, 2, 58);
    if let Some(r) = region {
        put_bytes(&mut msg, 3, r.as_bytes());
    }
    let mut der = vec![0x30, 0x46, 0x02, 0x21, 0x00];
    der.extend(noise.bytes(67));
    put_bytes(&mut msg, 4, &der);
    let mut user = Vec::new();
    put_number(&mut user, 1, (-93i64) as u64);
    put_number(&mut user, 2, 1);
    if let Some(a) = account {
        put_bytes(&mut user, 3, a.as_bytes());
    }
    put_bytes(&mut user, 4, &noise.bytes(12));
    put_bytes(&mut user, 5, &noise.bytes(401));
    put_bytes(&mut msg, 5, &user);
    put_number(&mut msg, 6, 1_715_700_000);
    put_bytes(&mut msg, 7, &noise.bytes(165));
    base64(&msg)
}

fn meta(region: Option<&str>, account: Option<u64>) -> Option<TokenMeta> {
    Some(TokenMeta {
        region: region.map(str::to_string),
        account,
    })
}

#[test]
fn generated_tokens_look_like_real_ones() {
    let t = generate(Some("us-east-1"), Some("381492067153"), 7);
    assert!(t.starts_with(META_PREFIX), "{t}");
    // What real tokens from us-east-1 continue with: key number 58, then the region field.
    assert!(t.starts_with("IQoJb3JpZ2luX2VjEDoaCXVzLWVhc3QtMS"), "{t}");
    assert!(t.len() > 900, "{}", t.len());
}

#[test]
fn region_and_account_are_read() {
    for (region, account) in [
        ("us-east-1", "381492067153"),
        ("eu-west-3", "720615384209"),
        ("ap-southeast-2", "205836917442"),
        ("us-gov-west-1", "000123456789"),
        ("cn-north-1", "999999999999"),
        ("us-isob-east-1", "100000000000"),
    ] {
        let t = generate(Some(region), Some(account), 3);
        assert_eq!(
            read(t.as_bytes()),
            meta(Some(region), account.parse().ok()),
            "{region} {account}"
        );
    }
}

#[test]
fn either_value_may_be_missing() {
    let t = generate(Some("eu-central-1"), None, 5);
    assert_eq!(read(t.as_bytes()), meta(Some("eu-central-1"), None));
    let t = generate(None, Some("720615384209"), 5);
    assert_eq!(read(t.as_bytes()), meta(None, Some(720_615_384_209)));
    let t = generate(None, None, 5);
    assert_eq!(read(t.as_bytes()), None);
}

#[test]
fn padding_and_truncation() {
    let t = generate(Some("sa-east-1"), Some("205836917442"), 11);
    let want = meta(Some("sa-east-1"), Some(205_836_917_442));
    assert_eq!(read(t.trim_end_matches('=').as_bytes()), want);
    // Cut inside the nested message, right after the account: still read.
    assert_eq!(read(&t.as_bytes()[..180]), want);
    // Cut before the account ends: the region alone.
    assert_eq!(read(&t.as_bytes()[..140]), meta(Some("sa-east-1"), None));
    // Cut inside the region: nothing.
    assert_eq!(read(&t.as_bytes()[..24]), None);
    // Text after the token's end (a quote, a newline) is not decoded.
    let quoted = format!("{t}\"\n{}", generate(Some("us-west-2"), None, 1));
    assert_eq!(read(quoted.as_bytes()), want);
}

#[test]
fn other_tokens_and_shapes_give_nothing() {
    let t = generate(Some("us-east-1"), Some("381492067153"), 2);
    // The 2017-2020 and older formats carry no readable region.
    let old = format!("FwoGZXIvYXdz{}", &t[16..]);
    assert_eq!(read(old.as_bytes()), None);
    assert_eq!(read(b"IQoJb3JpZ2luX2Vj"), None);
    assert_eq!(read(b""), None);
    // A different format byte: not this layout.
    let mut other = t.into_bytes();
    other[0] = b'J';
    assert_eq!(read(&other), None);
}

#[test]
fn region_shapes() {
    for r in [
        "us-east-1",
        "ap-southeast-2",
        "us-gov-west-1",
        "us-iso-east-1",
        "us-isob-east-1",
        "cn-northwest-1",
        "il-central-1",
        "eusc-de-east-1",
        "ap-southeast-7",
    ] {
        assert!(is_region(r.as_bytes()), "{r}");
    }
    for r in [
        "origin_ec",
        "us-east",
        "useast-1",
        "US-EAST-1",
        "us-east-123",
        "us--east-1",
        "us-east-1-",
        "u-east-1",
        "us-east-x",
        "a-very-long-made-up-region-name-1",
    ] {
        assert!(!is_region(r.as_bytes()), "{r}");
    }
}

#[test]
fn mismatch_needs_both_accounts() {
    let m = TokenMeta {
        region: None,
        account: Some(381_492_067_153),
    };
    assert_eq!(m.account_mismatch(Some(381_492_067_153)), Some(false));
    assert_eq!(m.account_mismatch(Some(720_615_384_209)), Some(true));
    assert_eq!(m.account_mismatch(None), None);
    let no_account = TokenMeta {
        region: Some("us-east-1".into()),
        account: None,
    };
    assert_eq!(no_account.account_mismatch(Some(381_492_067_153)), None);
}

const REGIONS: &[&str] = &["us-east-1", "eu-west-3", "us-gov-west-1", "cn-north-1"];

proptest! {
    /// Whatever follows the prefix (binary junk, quotes, newlines): no panic, bounded work.
    #[test]
    fn arbitrary_bytes_after_the_prefix_never_panic(
        tail in prop::collection::vec(any::<u8>(), 0..3000)
    ) {
        let mut t = META_PREFIX.as_bytes().to_vec();
        t.extend(tail);
        let _ = read(&t);
    }

    /// Arbitrary base64 after the prefix decodes to arbitrary messages: the walk must survive
    /// any tag, wire type and length.
    #[test]
    fn arbitrary_base64_after_the_prefix_never_panics(
        tail in "[A-Za-z0-9+/]{0,1500}={0,2}"
    ) {
        let t = format!("{META_PREFIX}{tail}");
        if let Some(m) = read(t.as_bytes()) {
            prop_assert!(m.region.as_deref().is_none_or(|r| is_region(r.as_bytes())));
            prop_assert!(m.account.is_none_or(|a| a <= 999_999_999_999));
        }
    }

    #[test]
    fn any_region_and_account_round_trip(
        r in 0..REGIONS.len(),
        account in 0u64..1_000_000_000_000,
        seed in any::<u64>(),
    ) {
        let a = format!("{account:012}");
        let t = generate(Some(REGIONS[r]), Some(&a), seed);
        prop_assert_eq!(read(t.as_bytes()), meta(Some(REGIONS[r]), Some(account)));
    }
}
