#!/usr/bin/env bash
# The GitHub Action's install step (action.yml): the keyleak wheel from PyPI into a directory
# of its own under RUNNER_TEMP, whose bin directory goes on GITHUB_PATH. `--target` keeps it
# out of the runner's Python (which PEP 668 marks externally managed on Ubuntu) and needs no
# venv module. PIP_* variables (an index, find-links) are honoured as usual.
#
# Environment: VERSION (required), PYTHON (default python3), RUNNER_TEMP, GITHUB_PATH.
set -euo pipefail
version="${VERSION:?VERSION is required}"
python="${PYTHON:-python3}"
dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/keyleak-$version"
"$python" -m pip install --disable-pip-version-check --quiet --target "$dir" "keyleak==$version"
# Scripts land in bin/ (POSIX) or Scripts/ (Windows).
for bin in "$dir/bin" "$dir/Scripts"; do
  if [ -d "$bin" ]; then
    echo "$bin" >> "${GITHUB_PATH:-/dev/null}"
    "$bin/keyleak" --version
  fi
done
