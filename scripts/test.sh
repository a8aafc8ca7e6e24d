#!/usr/bin/env bash
# The one test command (README "Testing"): installs what the tests need, then runs them all.
# Used as is by .ci/run, so a fresh clone passes with nothing installed by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

# The git tests build repositories with the git CLI.
command -v git >/dev/null || { echo "scripts/test.sh: git is required" >&2; exit 2; }

# What pip installs below must be on PATH even where no shim or ~/.local/bin is: python3's
# scripts directories go at the end of it.
PATH="$PATH:$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
PATH="$PATH:$(python3 -m site --user-base)/bin"
export PATH

# The pre-commit hook is tested with the real framework, from PyPI.
if ! command -v pre-commit >/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check pre-commit
fi
export KEYLEAK_REQUIRE_PRECOMMIT=1

# --verify is tested against moto's STS and IAM on 127.0.0.1 (tests/cli/verify_moto.rs), with
# boto3 (a moto dependency) making the users and keys.
if ! command -v moto_server >/dev/null || ! python3 -c 'import boto3' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check 'moto[server]'
fi
export KEYLEAK_REQUIRE_MOTO=1

# `keyleak role`'s snippets are read by the tools that use them (tests/cli/role_cmd_tools.rs):
# CloudFormation by cfn-lint, Terraform by python-hcl2.
if ! command -v cfn-lint >/dev/null || ! python3 -c 'import hcl2' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check cfn-lint python-hcl2
fi
export KEYLEAK_REQUIRE_IAC_TOOLS=1

# Property tests (proptest, the fuzz oracles' twins) draw the same cases on every run here,
# so that a pass or a failure is the code's and not the draw's; `cargo test` alone draws anew
# each time and explores (a case it finds goes into tests/fuzz_twins/regressions.rs).
export PROPTEST_RNG_SEED=${PROPTEST_RNG_SEED:-1}

cargo test --locked --all-targets "$@"

# The release build: the peer cases below run it, and the wheel is packed from it.
cargo build --locked --release --quiet

# The peers' own AWS cases (../shared/peer-cases, present beside a CI checkout): detection
# must not regress below what keyleak scores now.
cases=../shared/peer-cases
if [ -f "$cases/peer_suite.py" ]; then
  score=$(python3 "$cases/peer_suite.py" "$cases/cases.jsonl" keyleak "$PWD/target/release/keyleak" | tail -n 1)
  echo "peer cases: $score"
  python3 - "$score" <<'PY'
import re, sys
p, pt, n, nt = map(int, re.match(r"positives (\d+)/(\d+) negatives (\d+)/(\d+)", sys.argv[1]).groups())
# The one positive left is A3T0…, not a documented AWS prefix (src/detect/key_id.rs test).
if p < pt - 1 or n < nt:
    sys.exit(f"peer cases regressed: {sys.argv[1]}")
PY
fi

# Installing without a Rust toolchain: the wheel and sdist, the pre-commit mirror with the real
# pre-commit, the GitHub Action's and the GitLab job's scripts with simulated events (20 s to a
# minute on top of the release build; PyPI only, for maturin and setuptools when missing).
./scripts/test-packaging.sh
