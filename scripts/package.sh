#!/usr/bin/env bash
# Builds the PyPI distributions into target/wheels/: the wheel for this machine (the release
# binary, stripped, in a py3-none-<platform> wheel; pyproject.toml) and the sdist (the crate's
# files from `cargo package --list` plus pyproject.toml: builds with any Rust toolchain).
# Installs maturin from PyPI when it is missing. The release workflow builds the other
# platforms' wheels (.github/workflows/release.yml); pip installs this one with
#   pip install --no-index --find-links target/wheels keyleak
set -euo pipefail
cd "$(dirname "$0")/.."

PATH="$PATH:$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
PATH="$PATH:$(python3 -m site --user-base)/bin"
if ! command -v maturin >/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check 'maturin>=1.9,<2'
fi

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
rm -f target/wheels/keyleak-"$version"[-.]*
maturin build --release --locked --out target/wheels
maturin sdist --out target/wheels
ls -l target/wheels/keyleak-"$version"[-.]*
