//! Fuzz target `pairing`: what it checks is in `tests/fuzz_oracle/pairing.rs`.
#![no_main]

// Shared with the proptest twins; each target uses one of its oracles.
#[allow(dead_code)]
#[path = "../../tests/fuzz_oracle/mod.rs"]
mod fuzz_oracle;

use keyleak::detect::DetectOptions;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The low bit of the first byte turns on IAM unique IDs, so both prefix sets are fuzzed.
    let include_identifiers = data.first().is_some_and(|b| b & 1 == 1);
    fuzz_oracle::pairing::check(
        data,
        DetectOptions {
            include_identifiers,
        },
    );
});
