//! Fuzz target `decode_hex`: what it checks is in `tests/fuzz_oracle/decode_hex.rs`.
#![no_main]

// Shared with the proptest twins; each target uses one of its oracles.
#[allow(dead_code)]
#[path = "../../tests/fuzz_oracle/mod.rs"]
mod fuzz_oracle;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_oracle::decode_hex::check(data));
