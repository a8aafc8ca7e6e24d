//! Proptest twins of the fuzz targets (`fuzz/fuzz_targets/`): the same oracles
//! (`fuzz_oracle`), run in the normal test suite on arbitrary bytes and on planted text
//! (`planted`), so that the deep paths (pairing, decoded layers, classification, reporting)
//! are reached and not only the prefilter. Inputs found failing stay as tests
//! (`regressions`). A new fuzz target gets its twin here, one `#[test]` per input kind.

mod fuzz_oracle;
#[path = "fuzz_twins/planted.rs"]
mod planted;
#[path = "fuzz_twins/regressions.rs"]
mod regressions;

use std::collections::BTreeMap;

use keyleak::detect::{DetectOptions, Detection};
use planted::{archive, bytes, planted, planted_binary, planted_utf16};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

fn options(include_identifiers: bool) -> DetectOptions {
    DetectOptions {
        include_identifiers,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn detect_on_bytes(hay in bytes(), include in any::<bool>()) {
        fuzz_oracle::detect::check(&hay, options(include));
    }

    #[test]
    fn detect_on_planted_text(hay in planted(), include in any::<bool>()) {
        fuzz_oracle::detect::check(&hay, options(include));
    }

    #[test]
    fn detect_on_utf16_text(hay in planted_utf16(), include in any::<bool>()) {
        fuzz_oracle::detect::check(&hay, options(include));
    }

    #[test]
    fn detect_on_planted_binary(hay in planted_binary(), include in any::<bool>()) {
        fuzz_oracle::detect::check(&hay, options(include));
    }

    #[test]
    fn no_leak_on_planted_binary(hay in planted_binary()) {
        fuzz_oracle::no_leak::check(&hay);
    }

    #[test]
    fn no_leak_on_bytes(hay in bytes()) {
        fuzz_oracle::no_leak::check(&hay);
    }

    #[test]
    fn no_leak_on_planted_text(
        head in prop::collection::vec(any::<u8>(), 42),
        hay in planted(),
    ) {
        fuzz_oracle::no_leak::check(&[head, hay].concat());
    }

    #[test]
    fn pairing_on_bytes(hay in bytes(), include in any::<bool>()) {
        fuzz_oracle::pairing::check(&hay, options(include));
    }

    #[test]
    fn pairing_on_planted_text(hay in planted(), include in any::<bool>()) {
        fuzz_oracle::pairing::check(&hay, options(include));
    }

    #[test]
    fn decode_escapes_on_bytes(hay in bytes()) {
        fuzz_oracle::decode_escapes::check(&hay);
    }

    #[test]
    fn decode_escapes_on_planted_text(hay in planted()) {
        fuzz_oracle::decode_escapes::check(&hay);
    }

    #[test]
    fn decode_base64_on_bytes(hay in bytes()) {
        fuzz_oracle::decode_base64::check(&hay);
    }

    #[test]
    fn decode_base64_on_planted_text(hay in planted()) {
        fuzz_oracle::decode_base64::check(&hay);
    }

    #[test]
    fn decode_hex_on_bytes(hay in bytes()) {
        fuzz_oracle::decode_hex::check(&hay);
    }

    #[test]
    fn decode_hex_on_planted_text(hay in planted()) {
        fuzz_oracle::decode_hex::check(&hay);
    }

    #[test]
    fn decode_percent_on_bytes(hay in bytes()) {
        fuzz_oracle::decode_percent::check(&hay);
    }

    #[test]
    fn decode_percent_on_planted_text(hay in planted()) {
        fuzz_oracle::decode_percent::check(&hay);
    }

    #[test]
    fn decode_utf16_on_bytes(hay in bytes()) {
        fuzz_oracle::decode_utf16::check(&hay);
    }

    #[test]
    fn decode_utf16_on_utf16_text(hay in planted_utf16()) {
        fuzz_oracle::decode_utf16::check(&hay);
    }

    #[test]
    fn archive_on_bytes(hay in bytes()) {
        fuzz_oracle::archive::check(&hay);
    }

    #[test]
    fn archive_on_real_and_damaged_archives(hay in archive()) {
        fuzz_oracle::archive::check(&hay);
    }

    #[test]
    fn lines_on_bytes(hay in bytes()) {
        fuzz_oracle::lines::check(&hay);
    }

    #[test]
    fn lines_on_planted_text(hay in planted()) {
        fuzz_oracle::lines::check(&hay);
    }
}

/// The planted text reaches what the oracles are about: paired keys, lone secrets, lone
/// tokens, and keys found in every kind of decoded layer. Without this the twins could
/// silently test noise.
#[test]
fn planted_text_reaches_the_deep_paths() {
    let detector = fuzz_oracle::detector(options(false));
    let mut runner = TestRunner::deterministic();
    let (mut paired, mut secrets, mut tokens) = (0, 0, 0);
    let mut layers: BTreeMap<&str, usize> = BTreeMap::new();
    for i in 0..300 {
        let hay = if i % 3 == 0 {
            planted_utf16().new_tree(&mut runner).unwrap().current()
        } else {
            planted().new_tree(&mut runner).unwrap().current()
        };
        let found = detector.detect_layers(&hay);
        let decoded = found.decoded.iter().flat_map(|l| &l.detections);
        for d in found.plain.iter().chain(decoded) {
            match d {
                Detection::Key {
                    secret: Some(_), ..
                } => paired += 1,
                Detection::Secret { .. } => secrets += 1,
                Detection::Token { .. } => tokens += 1,
                _ => {}
            }
        }
        for layer in &found.decoded {
            *layers.entry(layer.encoding().as_str()).or_default() += 1;
        }
    }
    let enough = ["escaped", "base64", "percent", "utf16"]
        .iter()
        .all(|e| layers.get(e).is_some_and(|&n| n >= 5));
    assert!(
        paired >= 20 && secrets >= 10 && tokens >= 10 && enough,
        "in 300 inputs: paired {paired}, lone secrets {secrets}, lone tokens {tokens}, \
         layers {layers:?}"
    );
}

/// The archive twin is not vacuous: a sound zip holding a zip gives every member of both, and
/// the inner zip's own bytes (its headers, under its name).
#[test]
fn archive_oracle_sees_nested_members() {
    let members = vec![
        ("a.txt".to_string(), b"one".to_vec()),
        ("b/c.txt".to_string(), b"two".to_vec()),
    ];
    assert_eq!(
        fuzz_oracle::archive::members(&planted::zip(&members, true)),
        5
    );
}
