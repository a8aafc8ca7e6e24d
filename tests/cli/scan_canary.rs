//! Canary (honeytoken) keys: a key ID whose decoded account belongs to a canary-token service
//! is reported, never dropped, with `canary: true`, the service, at most `low`, and the advice
//! not to test it. Key IDs for those accounts are generated here ([`key_for_account`]), so
//! every published account is checked, not only the two in testdata/positive/canary.

use serde_json::Value;

use crate::common::{FIXED_NOW, account_of, scan_at, scan_stdin_at};

const TRIPWIRE: &str = "this key is a tripwire: using it alerts its owner; do not test it";
const THINKST: &str = "canarytokens.org (Thinkst)";
const LOOKALIKE: &str = "canarytokens.org look-alike";
const UNNAMED: &str = "unnamed honeytoken service";

/// The published canary accounts and who runs them, as the sources named in
/// src/risk/canary.rs list them (trufflehog's Thinkst and "off brand" lists, Kingfisher's
/// canary/honeypot skip list).
const CANARIES: &[(&str, &str)] = &[
    ("052310077262", THINKST),
    ("171436882533", THINKST),
    ("266735846894", THINKST),
    ("534261010715", THINKST),
    ("595918472158", THINKST),
    ("717712589309", THINKST),
    ("730335385048", THINKST),
    ("819147034852", THINKST),
    ("893192397702", THINKST),
    ("992382622183", THINKST),
    ("044858866125", LOOKALIKE),
    ("251535659677", LOOKALIKE),
    ("344043088457", LOOKALIKE),
    ("351906852752", LOOKALIKE),
    ("390477818340", LOOKALIKE),
    ("426127672474", LOOKALIKE),
    ("427150556519", LOOKALIKE),
    ("439872796651", LOOKALIKE),
    ("445142720921", LOOKALIKE),
    ("465867158099", LOOKALIKE),
    ("637958123769", LOOKALIKE),
    ("693412236332", LOOKALIKE),
    ("732624840810", LOOKALIKE),
    ("735421457923", LOOKALIKE),
    ("959235150393", LOOKALIKE),
    ("982842642351", LOOKALIKE),
    ("528757803018", UNNAMED),
    ("538784191382", UNNAMED),
    ("729780141977", UNNAMED),
];

/// A key ID (`prefix` + 16 base32 characters) that encodes `account`: the body is 80 bits,
/// of which bits 79–32 are the first six bytes; there bit 47 is set (as in every current key,
/// which keeps the fifth character off `I`/`J`), bits 7–46 hold the account, and every other
/// bit comes from `seed` through a xorshift generator.
fn key_for_account(prefix: &str, account: u64, seed: u64) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut x = seed | 1;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let first_six = (1u128 << 47) | (u128::from(account) << 7) | u128::from(next() & 0x7f);
    let bits = (first_six << 32) | u128::from(next() & 0xffff_ffff);
    let body: String = (0..16)
        .rev()
        .map(|i| ALPHABET[((bits >> (5 * i)) & 31) as usize] as char)
        .collect();
    format!("{prefix}{body}")
}

#[test]
fn the_generator_encodes_the_account() {
    for (account, _) in CANARIES {
        let n: u64 = account.parse().unwrap();
        for seed in [1, 7, 0x5eed] {
            let key = key_for_account("AKIA", n, seed);
            assert_eq!(key.len(), 20);
            assert_eq!(account_of(&key).as_deref(), Some(*account), "{key}");
        }
        assert_ne!(key_for_account("AKIA", n, 1), key_for_account("AKIA", n, 2));
    }
    assert_eq!(
        account_of(&key_for_account("ASIA", 0, 3)).as_deref(),
        Some("000000000000")
    );
}

/// Account, risk, `canary` and `canary_provider` of a finding.
type CanaryFields = (String, String, Value, Value);

fn canary_fields(f: &Value) -> CanaryFields {
    (
        f["account_id"].as_str().unwrap().to_string(),
        f["risk"].as_str().unwrap().to_string(),
        f["canary"].clone(),
        f["canary_provider"].clone(),
    )
}

/// One lone key ID per published account (alone, such a key is `high`): each is a canary of
/// its service, at `low`, with the tripwire advice.
#[test]
fn every_published_canary_account_is_a_tripwire() {
    let text: String = CANARIES
        .iter()
        .enumerate()
        .map(|(i, (a, _))| {
            format!(
                "key_{i} = {}\n",
                key_for_account("AKIA", a.parse().unwrap(), i as u64 + 11)
            )
        })
        .collect();
    let run = scan_stdin_at(FIXED_NOW, text.as_bytes(), &["--format", "json"]);
    assert_eq!(run.code, 1, "low fails at the default --fail-on");
    let findings = run.findings();
    assert_eq!(findings.len(), CANARIES.len());
    for (f, (account, provider)) in findings.iter().zip(CANARIES) {
        assert_eq!(
            canary_fields(f),
            (
                account.to_string(),
                "low".into(),
                Value::Bool(true),
                Value::from(*provider)
            )
        );
        assert_eq!(f["kind"], "aws_access_key");
        assert!(
            f["advice"]["first_step"]
                .as_str()
                .unwrap()
                .contains(TRIPWIRE),
            "{f}"
        );
    }
}

/// The accounts next to a canary account are ordinary keys.
#[test]
fn neighbouring_accounts_are_not_canaries() {
    let text = format!(
        "a = {}\nb = {}\n",
        key_for_account("AKIA", 52_310_077_261, 5),
        key_for_account("AKIA", 52_310_077_263, 6)
    );
    let run = scan_stdin_at(FIXED_NOW, text.as_bytes(), &["--format", "json"]);
    for f in run.findings() {
        assert_eq!(f["risk"], "high");
        assert!(
            f.get("canary").is_none() && f.get("canary_provider").is_none(),
            "{f}"
        );
        assert!(
            !f["advice"]["first_step"]
                .as_str()
                .unwrap()
                .contains("tripwire")
        );
    }
}

/// testdata/positive/canary/credentials: a Thinkst canary with its secret (critical for any
/// other account) and a look-alike's key alone (high otherwise), both `low`.
#[test]
fn canary_testdata_exact() {
    let run = scan_at(FIXED_NOW, &["testdata/positive/canary", "--format", "json"]);
    let got: Vec<(u64, u64, String, bool, CanaryFields)> = run
        .findings()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["key_id"].as_str().unwrap().to_string(),
                f["has_secret"].as_bool().unwrap(),
                canary_fields(f),
            )
        })
        .collect();
    let row = |line, key: &str, secret, account: &str, provider: &str| {
        (
            line,
            21,
            key.to_string(),
            secret,
            (
                account.to_string(),
                "low".to_string(),
                Value::Bool(true),
                Value::from(provider),
            ),
        )
    };
    assert_eq!(
        got,
        [
            row(3, "AKIAQYLPMN5HP35U6F6W", true, "052310077262", THINKST),
            row(7, "AKIAQU4OL7HG7MMCLTU6", false, "044858866125", LOOKALIKE),
        ]
    );
}

/// A presigned URL signed by a canary key is both: a `presigned_url` with `canary: true`.
#[test]
fn a_canary_key_can_sign_a_presigned_url() {
    let key = key_for_account("AKIA", 717_712_589_309, 9);
    let url = |date: &str| {
        format!(
            "https://b.s3.amazonaws.com/k?X-Amz-Credential={key}%2F20260601%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date={date}&X-Amz-Expires=3600&X-Amz-Signature=00\n"
        )
    };
    for (date, risk) in [("20260601T113000Z", "low"), ("20250601T113000Z", "info")] {
        let run = scan_stdin_at(FIXED_NOW, url(date).as_bytes(), &["--format", "json"]);
        let f = &run.findings()[0];
        assert_eq!(f["kind"], "presigned_url");
        assert_eq!(
            canary_fields(f),
            (
                "717712589309".into(),
                risk.into(),
                Value::Bool(true),
                Value::from(THINKST)
            )
        );
        assert!(
            f["advice"]["first_step"]
                .as_str()
                .unwrap()
                .contains(TRIPWIRE)
        );
    }
}

/// Every format names the tripwire and leaves out the "replace the key with a role" advice,
/// which is for keys you own.
#[test]
fn reports_name_the_tripwire() {
    let path = "testdata/positive/canary/credentials";
    let human = scan_at(FIXED_NOW, &[path]).stdout;
    assert!(human.contains("low: long-term AWS access key with its secret: canary token of canarytokens.org (Thinkst)"), "{human}");
    assert!(human.contains("low: long-term AWS access key ID (no secret found next to it): canary token of canarytokens.org look-alike"), "{human}");
    assert_eq!(human.matches(TRIPWIRE).count(), 2);
    assert!(!human.contains("instead:"), "{human}");
    assert!(!human.contains("role:"), "{human}");
    for format in ["sarif", "github"] {
        let out = scan_at(FIXED_NOW, &[path, "--format", format]).stdout;
        assert_eq!(out.matches(TRIPWIRE).count(), 2, "{format}");
        assert!(!out.contains("Instead:"), "{format}");
    }
}
