//! Fuzz target `no_leak`: what it checks is in `tests/fuzz_oracle/no_leak.rs`.
#![no_main]

// Shared with the proptest twins; each target uses one of its oracles.
#[allow(dead_code)]
#[path = "../../tests/fuzz_oracle/mod.rs"]
mod fuzz_oracle;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    fuzz_oracle::no_leak::check(data);
});
