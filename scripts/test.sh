#!/usr/bin/env bash
# The one test command (README "Testing"): installs what the tests need, then runs them all.
# Used as is by .ci/run, so a fresh clone passes with nothing installed by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

# The git-history tests drive the git CLI to build repositories.
command -v git >/dev/null || { echo "scripts/test.sh: git is required" >&2; exit 2; }

cargo test --locked --all-targets "$@"
