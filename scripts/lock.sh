#!/usr/bin/env bash
# `make lock`: pins every dependency of pyproject.toml, with the hashes of its files, for CPython 3.11 on Linux
# x86_64, through uv (installed into .venv on demand):
#   requirements.lock        runtime + dev (what `make setup` installs)
#   requirements-bench.lock  the same pins + the bench extra (what `make bench` adds), constrained by the first
# Pins already in a lock file are kept where they still fit; UPGRADE=1 moves every package to its newest release.
set -euo pipefail
BIN=${BIN:-.venv/bin}
"$BIN/pip" install --quiet 'uv~=0.13'
header() {
  cat <<TXT
# $1 — $2, pinned with the hashes of their files.
# Generated from pyproject.toml for CPython 3.11 on Linux x86_64 by \`make lock\` (scripts/lock.sh, uv pip
# compile); do not edit by hand. After changing a dependency in pyproject.toml run \`make lock\` and commit the
# lock files: pins that still fit are kept; \`make lock UPGRADE=1\` moves every package to its newest release.
TXT
}
compile() {
  local out=$1 what=$2
  shift 2
  "$BIN/uv" pip compile pyproject.toml "$@" --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
    --generate-hashes --custom-compile-command "make lock" --quiet ${UPGRADE:+--upgrade} -o "$out"
  { header "$out" "$what"; grep -v '^# requirements.*\.lock — \|^# Generated from pyproject\|^# compile); do not\|^# lock files: pins' "$out"; } > "$out.tmp"
  mv "$out.tmp" "$out"
}
compile requirements.lock "what \`make setup\` installs (runtime and dev extras)" --extra dev
compile requirements-bench.lock "requirements.lock plus the bench extra (\`make bench\`)" --extra dev --extra bench \
  --constraint requirements.lock
echo "requirements.lock, requirements-bench.lock: $(grep -c '==' requirements.lock), $(grep -c '==' requirements-bench.lock) packages"
