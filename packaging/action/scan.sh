#!/usr/bin/env bash
# The GitHub Action's scan step (action.yml at the repository root): picks what to scan from
# the event, runs keyleak, and reports through the runner's files. It owns the range logic;
# installing keyleak and uploading SARIF are action.yml's steps.
#
# What is scanned:
#   pull_request, pull_request_target   BASE..HEAD, BASE = the event's pull_request.base.sha
#   merge_group                         BASE..HEAD, BASE = the event's merge_group.base_sha
#   push                                BEFORE..HEAD, BEFORE = the event's `before`
#   any other event (schedule, workflow_dispatch, ...)   the whole history (--git)
# When the base is all zeros (a new branch or tag) or not in the clone (a force push dropped
# it, or a shallow clone), it scans what HEAD adds over the nearest other remote-tracking
# branch (MERGE_BASE..HEAD; for a pull request, its base branch), or HEAD's whole history when
# there is no other branch, with a notice saying so.
#
# One scan writes both reports: annotations to the log (`--output github=-`) and SARIF to a
# file (`--output sarif=FILE`, written with or without findings, never half); its exit code,
# by --fail-on, is the step's.
#
# Environment: the runner's GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REF, GITHUB_BASE_REF,
# GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP; the action's inputs INPUT_FAIL_ON, INPUT_ARGS,
# INPUT_SARIF_FILE; KEYLEAK, the binary (default: keyleak on PATH); PYTHON (default python3).
# Outputs: exit-code, findings, sarif-file (empty when no file was asked for), scope.
# Exit: keyleak's code (0 clean, 1 findings at or above fail-on, 2 error).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
keyleak="${KEYLEAK:-keyleak}"
python="${PYTHON:-python3}"
zero=0000000000000000000000000000000000000000

output() { echo "$1=$2" >> "${GITHUB_OUTPUT:-/dev/null}"; }

# A field of the event JSON (dotted path), empty when absent.
event_field() {
  [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -f "$GITHUB_EVENT_PATH" ] || return 0
  "$python" - "$GITHUB_EVENT_PATH" "$1" <<'PY'
import json, sys
value = json.load(open(sys.argv[1], encoding="utf-8"))
for key in sys.argv[2].split("."):
    value = value.get(key) if isinstance(value, dict) else None
print(value if isinstance(value, str) else "")
PY
}

is_commit() { git rev-parse --quiet --verify "$1^{commit}" >/dev/null 2>&1; }

# Sets `scope` to what HEAD adds over the nearest other remote-tracking branch: the merge base
# with the fewest commits up to HEAD. The pushed branch's own remote-tracking ref is HEAD itself
# and is skipped. With no other branch, HEAD's whole history.
scope_without_base() {
  local own="" ref mb n best="" best_n="" refs
  case "${GITHUB_REF:-}" in refs/heads/*) own="${GITHUB_REF#refs/heads/}" ;; esac
  refs="$(git for-each-ref --format='%(refname)' refs/remotes)"
  # A pull request's HEAD is a merge commit: compare with its base branch, not its own head.
  if [ -n "${GITHUB_BASE_REF:-}" ] && is_commit "refs/remotes/origin/$GITHUB_BASE_REF"; then
    refs="refs/remotes/origin/$GITHUB_BASE_REF"
  fi
  while read -r ref; do
    [ -n "$ref" ] || continue
    case "$ref" in */HEAD) continue ;; esac
    [ -n "$own" ] && [ "${ref#refs/remotes/*/}" = "$own" ] && continue
    mb="$(git merge-base HEAD "$ref" 2>/dev/null)" || continue
    n="$(git rev-list --count "$mb..HEAD")"
    if [ -z "$best_n" ] || [ "$n" -lt "$best_n" ]; then best="$mb" best_n="$n"; fi
  done <<< "$refs"
  if [ -n "$best" ]; then
    scope=(--range "$best..HEAD")
    echo "::notice title=keyleak::$1: scanning what HEAD adds over the nearest other branch (${best:0:12}..HEAD, $best_n commit(s))"
  else
    scope=(--ref HEAD)
    echo "::notice title=keyleak::$1: no other branch to compare with, scanning all of HEAD's history"
  fi
}

base=""
case "${GITHUB_EVENT_NAME:-}" in
  pull_request | pull_request_target) base="$(event_field pull_request.base.sha)" ;;
  merge_group) base="$(event_field merge_group.base_sha)" ;;
  push) base="$(event_field before)" ;;
esac

if [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = true ]; then
  echo "::warning title=keyleak::shallow clone: the base commit may be missing. Check out with fetch-depth: 0."
fi
case "${GITHUB_EVENT_NAME:-}" in
  pull_request | pull_request_target | merge_group | push)
    if [ -z "$base" ] || [ "$base" = "$zero" ]; then
      scope_without_base "no base commit (new branch or tag)"
    elif ! is_commit "$base"; then
      scope_without_base "base ${base:0:12} is not in this clone (force push or shallow clone)"
    else
      scope=(--range "$base..HEAD")
    fi
    ;;
  *) scope=(--git) ;;
esac
echo "keyleak: scanning ${scope[*]}"

fail_on=()
[ -n "${INPUT_FAIL_ON:-}" ] && fail_on=(--fail-on "$INPUT_FAIL_ON")
# Extra arguments are split on whitespace, never glob-expanded or evaluated.
set -f
# shellcheck disable=SC2206
extra=(${INPUT_ARGS:-})
set +f

sarif="${INPUT_SARIF_FILE:-}"
[ -n "$sarif" ] || sarif="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/keyleak-$$.sarif"

"$keyleak" scan "${scope[@]}" "${fail_on[@]}" "${extra[@]}" \
  --output github=- --output "sarif=$sarif"
code=$?
output exit-code "$code"
output scope "${scope[*]}"
if [ "$code" -ge 2 ]; then
  echo "::error title=keyleak::keyleak exited with $code (an error, not findings): see its message above"
  exit "$code"
fi

# The job summary (a table of findings by risk) from the SARIF just written; prints the count.
findings="$("$python" "$here/summary.py" "$sarif" "${scope[*]}")" || findings=""
output findings "$findings"
output sarif-file "${INPUT_SARIF_FILE:-}"
exit "$code"
