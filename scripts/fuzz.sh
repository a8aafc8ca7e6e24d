#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 60): `scripts/fuzz.sh [SECONDS]`.
#
# Installs cargo-fuzz when missing; without it (no network) prints a notice and exits 0, since
# the oracles also run as proptest twins in the normal suite (tests/fuzz_twins.rs). Exits 1 on
# the first crash, timeout or leak, repeating the panic message and printing the reproducer in
# base64 last, so that a CI log cut to its end still carries the input. Targets are whatever
# `cargo fuzz list` reports, so a new one needs no change here.
#
# The stable toolchain runs cargo-fuzz's nightly flags with RUSTC_BOOTSTRAP=1. No sanitizer:
# keyleak forbids unsafe code, the oracles look for wrong answers and panics, and AddressSanitizer
# would halve the executions per second. Seeds: testdata/ for every target, plus edge cases
# checked in under fuzz/seeds/TARGET;
# what libFuzzer adds goes to fuzz/corpus/TARGET (ignored by git, kept between runs).
#
# libFuzzer's draw is fixed (FUZZ_SEED, default 1): from the same corpus (CI has only the
# seeds), a run is a prefix of any longer run with the same seed, so a CI pass or failure can
# be replayed here. FUZZ_SEED=0 draws anew each run (libFuzzer's own default), for exploring.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
case $seconds in
  '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2 ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "scripts/fuzz.sh: installing cargo-fuzz" >&2
  if ! cargo install cargo-fuzz --locked --quiet; then
    echo "scripts/fuzz.sh: cargo-fuzz is not installed and could not be; fuzzing skipped" >&2
    exit 0
  fi
fi

export RUSTC_BOOTSTRAP=1
cd fuzz
cargo fuzz build --sanitizer none
for target in $(cargo fuzz list); do
  corpus=corpus/$target
  mkdir -p "$corpus" "artifacts/$target"
  # Every target also starts from the realistic files in testdata/ (read, never written).
  seeds=(../testdata)
  [ -d "seeds/$target" ] && seeds+=("seeds/$target")
  echo "scripts/fuzz.sh: $target for ${seconds}s" >&2
  # -timeout: an input taking 10 s is a hang, reported like a crash.
  log=$(mktemp)
  if ! cargo fuzz run --sanitizer none "$target" "$corpus" "${seeds[@]}" -- \
      -max_total_time="$seconds" -seed="${FUZZ_SEED:-1}" -timeout=10 -dict=keyleak.dict -print_final_stats=1 \
      2>&1 | tee "$log"; then
    reproducer=$(ls -t "artifacts/$target"/* 2>/dev/null | head -n 1 || true)
    # CI keeps only the end of its log: repeat the failure there, with the input itself, so
    # a failure on a machine that is gone can still be replayed.
    echo "scripts/fuzz.sh: $target failed; the oracle said:" >&2
    grep -m 1 -A 3 -E "panicked at|ERROR: libFuzzer" "$log" >&2 || true
    if [ -n "$reproducer" ]; then
      echo "scripts/fuzz.sh: reproducer fuzz/$reproducer, $(wc -c < "$reproducer") bytes, base64:" >&2
      base64 -w 0 "$reproducer" >&2
      echo >&2
    fi
    echo "  replay: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none $target ${reproducer:-}" >&2
    echo "  (or: base64 -d > crash; same command with that file)" >&2
    echo "  then make it a regression test in tests/fuzz_twins/regressions.rs" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
done
