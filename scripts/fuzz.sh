#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 60): `scripts/fuzz.sh [SECONDS]`,
# or CI's fixed pass: `scripts/fuzz.sh --ci`.
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
# `scripts/fuzz.sh --ci` is CI's pass (.ci/run): each target runs the number of inputs that
# fuzz/ci-runs lists, with a fixed draw (-seed=1) from the seeds alone (a fresh corpus); 300 s
# per target stops it early on a slow machine. The draw is fixed but coverage feedback is not
# (hash tables are seeded at random, so the corpus grows differently), so a CI failure need not
# replay by rerunning the pass: replay the input the log ends with. Run it before pushing a
# change to the oracles. Plain `scripts/fuzz.sh [SECONDS]` explores: a new
# draw each run (FUZZ_SEED to fix one), growing fuzz/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."

ci=false
if [ "${1:-}" = --ci ]; then
  ci=true
  seconds=300
else
  seconds=${1:-60}
fi
case $seconds in
  '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS | --ci]" >&2; exit 2 ;;
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
  budget=(-seed="${FUZZ_SEED:-0}")
  if $ci; then
    corpus=$(mktemp -d)
    runs=$(awk -v t="$target" '$1 == t { print $2 }' ci-runs)
    [ -n "$runs" ] || { echo "scripts/fuzz.sh: fuzz/ci-runs has no line for $target" >&2; exit 2; }
    budget=(-seed=1 -runs="$runs")
  fi
  mkdir -p "$corpus" "artifacts/$target"
  # Every target also starts from the realistic files in testdata/ (read, never written).
  seeds=(../testdata)
  [ -d "seeds/$target" ] && seeds+=("seeds/$target")
  echo "scripts/fuzz.sh: $target for ${seconds}s ${budget[*]}" >&2
  # -timeout: an input taking 10 s is a hang, reported like a crash.
  log=$(mktemp)
  if ! cargo fuzz run --sanitizer none "$target" "$corpus" "${seeds[@]}" -- \
      -max_total_time="$seconds" "${budget[@]}" -timeout=10 -dict=keyleak.dict -print_final_stats=1 \
      2>&1 | tee "$log"; then
    reproducer=$(ls -t "artifacts/$target"/* 2>/dev/null | head -n 1 || true)
    # CI keeps only the end of its log: repeat the failure there, with the input itself, so
    # a failure on a machine that is gone can still be replayed.
    echo "  replay: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none $target ${reproducer:-}" >&2
    echo "  (or: base64 -d > crash with the last line below; same command with that file)" >&2
    echo "  then make it a regression test in tests/fuzz_twins/regressions.rs" >&2
    echo "scripts/fuzz.sh: $target failed; the oracle said:" >&2
    grep -m 1 -A 3 -E "panicked at|ERROR: libFuzzer" "$log" >&2 || true
    if [ -n "$reproducer" ]; then
      echo "scripts/fuzz.sh: reproducer fuzz/$reproducer, $(wc -c < "$reproducer") bytes, base64:" >&2
      base64 -w 0 "$reproducer" >&2
      echo >&2
    fi
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  if $ci; then rm -rf "$corpus"; fi
done
