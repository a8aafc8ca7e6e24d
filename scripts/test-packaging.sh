#!/usr/bin/env bash
# Tests the ways keyleak is installed without a Rust toolchain, as a user meets them:
#   1. versions: Cargo.toml, the pre-commit mirror's pin and action.yml's default agree, and the
#      mirror's hook file is what scripts/stamp-mirror.sh derives from .pre-commit-hooks.yaml;
#   2. the wheel and sdist (scripts/package.sh): the wheel installs offline into a fresh venv
#      (`pip install --no-index --find-links`) and scans; the sdist holds what cargo needs and
#      nothing else;
#   3. the pre-commit mirror with the real `pre-commit`, pip finding the wheel built here: a
#      staged key pair is blocked and named, a clean commit passes without a report, and
#      `pre-commit run --all-files` / `--files` find a key committed past the hook;
#   4. the GitHub Action's scan script with simulated push, new-branch, force-push, pull-request
#      and schedule events: one scan each; the range, annotations, the SARIF file (written with
#      and without findings), job summary, outputs and exit code;
#   5. the GitLab CI template's script with simulated merge request, push, new-branch,
#      force-push and schedule pipelines: one scan each; the range, the Secret Detection report
#      (written with and without findings) and the exit code.
# Prints the timings. Network: PyPI only, for maturin, pre-commit and setuptools when missing
# (setuptools builds the mirror's package; it is downloaded once into target/packaging-deps).
# Run by scripts/test.sh after the release build, so the wheel build reuses it (seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
tmp="$(mktemp -d)"
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT

PATH="$PATH:$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
PATH="$PATH:$(python3 -m site --user-base)/bin"
export PATH
if ! command -v pre-commit >/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check pre-commit
fi

KEY=AKIAUJZDEGXDNCF32EPF
SECRET=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
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
check() { # check DESCRIPTION EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "ok: $1"; else fail "$1: expected '$2', got '$3'"; fi
}
contains() { # contains DESCRIPTION NEEDLE HAYSTACK
  case "$3" in *"$2"*) echo "ok: $1" ;; *) fail "$1: '$2' not in: $3" ;; esac
}
lacks() { # lacks DESCRIPTION NEEDLE HAYSTACK
  case "$3" in *"$2"*) fail "$1: '$2' found in: $3" ;; *) echo "ok: $1" ;; esac
}
now() { python3 -c 'import time; print(time.time())'; }
since() { python3 -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$1"; }
git_init() {
  git init -q -b main "$1"
  git -C "$1" config user.name Test
  git -C "$1" config user.email test@example.com
  git -C "$1" config commit.gpgsign false
}

echo "== 1. versions"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
mirror=packaging/pre-commit-mirror
check "mirror pins keyleak==$version" "dependencies = [\"keyleak==$version\"]" \
  "$(grep '^dependencies' "$mirror/pyproject.toml")"
check "mirror package version" "version = \"$version\"" "$(grep '^version' "$mirror/pyproject.toml")"
check "mirror README rev" "    rev: v$version" "$(grep 'rev: v' "$mirror/README.md")"
check "action.yml default version" "    default: \"$version\"" \
  "$(sed -n '/^  version:/,/default:/p' action.yml | grep 'default:')"
cp -R "$mirror" "$tmp/stamped"
scripts/stamp-mirror.sh "$version" "$tmp/stamped" >/dev/null
if diff -r "$mirror" "$tmp/stamped"; then echo "ok: the mirror is as stamp-mirror.sh makes it"; else fail "run scripts/stamp-mirror.sh $version"; fi
scripts/stamp-mirror.sh 9.8.7 "$tmp/stamped" >/dev/null
check "stamping pins the new version" 'dependencies = ["keyleak==9.8.7"]' \
  "$(grep '^dependencies' "$tmp/stamped/pyproject.toml")"
check "stamping keeps the hook's entry" "$(grep 'entry:' .pre-commit-hooks.yaml)" \
  "$(grep 'entry:' "$tmp/stamped/.pre-commit-hooks.yaml")"
check "the mirror's hook is given the files" "  pass_filenames: true" \
  "$(grep 'pass_filenames:' "$tmp/stamped/.pre-commit-hooks.yaml")"
check "the mirror's hook is language: python" "  language: python" \
  "$(grep 'language:' "$tmp/stamped/.pre-commit-hooks.yaml")"

echo "== 2. wheel and sdist"
start="$(now)"
scripts/package.sh >/dev/null 2>&1 || { scripts/package.sh; exit 1; }
echo "time: scripts/package.sh $(since "$start") s"
wheel="$(ls target/wheels/keyleak-"$version"-*.whl)"
sdist="target/wheels/keyleak-$version.tar.gz"
echo "wheel: $(basename "$wheel"), $(du -k "$wheel" | cut -f1) KiB"
python3 -m venv "$tmp/venv"
start="$(now)"
"$tmp/venv/bin/pip" install --quiet --disable-pip-version-check --no-index \
  --find-links target/wheels keyleak
check "keyleak --version from the venv" "keyleak $version" "$("$tmp/venv/bin/keyleak" --version)"
echo "time: pip install (offline, fresh venv) to keyleak --version $(since "$start") s"
mkdir "$tmp/files"
printf 'AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n' "$KEY" "$SECRET" > "$tmp/files/deploy.env"
set +e
out="$("$tmp/venv/bin/keyleak" scan "$tmp/files" --color never 2>&1)"
code=$?
set -e
check "a scan from the wheel exits 1 on a key pair" 1 "$code"
contains "the wheel's scan names the key" "$KEY" "$out"
lacks "the wheel's scan hides the secret" "$SECRET" "$out"
listing="$(tar tzf "$sdist" | sed "s|^keyleak-$version/||")"
for need in Cargo.toml Cargo.lock pyproject.toml README.md LICENSE-MIT LICENSE-APACHE src/main.rs src/lib.rs PKG-INFO; do
  contains "the sdist holds $need" $'\n'"$need"$'\n' $'\n'"$listing"$'\n'
done
for leave in target/ fuzz/ packaging/ .github/ .ci/ action.yml; do
  lacks "the sdist leaves out $leave" $'\n'"$leave" $'\n'"$listing"
done
echo "sdist: $(basename "$sdist"), $(du -k "$sdist" | cut -f1) KiB, $(echo "$listing" | grep -vc '/$') files"

echo "== 3. pre-commit mirror"
# setuptools builds the mirror's (empty) package; with it beside the wheel, pip needs no index
# and cannot take keyleak from anywhere but this build.
deps=target/packaging-deps
if ! ls "$deps"/setuptools-*.whl >/dev/null 2>&1; then
  python3 -m pip download --quiet --disable-pip-version-check --only-binary :all: \
    --dest "$deps" 'setuptools>=61'
fi
cp -R "$mirror" "$tmp/mirror"
git_init "$tmp/mirror"
git -C "$tmp/mirror" add -A
git -C "$tmp/mirror" commit -q -m "keyleak $version"
git -C "$tmp/mirror" tag "v$version"
project="$tmp/project"
git_init "$project"
printf 'repos:\n  - repo: %s\n    rev: v%s\n    hooks:\n      - id: keyleak\n' "$tmp/mirror" "$version" \
  > "$project/.pre-commit-config.yaml"
(
  cd "$project"
  export PRE_COMMIT_HOME="$tmp/pre-commit-home" PIP_NO_INDEX=1
  export PIP_FIND_LINKS="$root/target/wheels $root/$deps"
  pre-commit install >/dev/null
  start="$(now)"
  pre-commit install-hooks >/dev/null
  echo "time: mirror hook first install $(since "$start") s"
  git add .pre-commit-config.yaml
  echo '# project' > README.md
  git add README.md
  if out="$(git commit -q -m clean 2>&1)"; then echo "ok: a clean commit passes"; else fail "clean commit blocked: $out"; fi
  lacks "a clean commit: no report" "summary:" "$out"
  printf 'AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n' "$KEY" "$SECRET" > deploy.env
  git add deploy.env
  if out="$(git commit -q -m leak 2>&1)"; then fail "a key pair was committed: $out"; else echo "ok: a staged key pair is blocked"; fi
  contains "the hook names the key" "$KEY" "$out"
  contains "the hook says critical" "critical" "$out"
  lacks "the hook hides the secret" "$SECRET" "$out"
  check "HEAD stays at the clean commit" clean "$(git log -1 --format=%s)"
  # Committed past the hook: what pre-commit.ci and CI runs of pre-commit must catch.
  git commit -q --no-verify -m leak
  if out="$(pre-commit run --all-files 2>&1)"; then fail "--all-files passed a committed key: $out"; else echo "ok: --all-files fails on a committed key"; fi
  contains "--all-files names the key" "$KEY" "$out"
  contains "--all-files names the place" " --> deploy.env:1:19" "$out"
  lacks "--all-files hides the secret" "$SECRET" "$out"
  if out="$(pre-commit run --files deploy.env 2>&1)"; then fail "--files deploy.env passed: $out"; else echo "ok: --files deploy.env fails"; fi
  contains "--files names the key" "$KEY" "$out"
  if out="$(pre-commit run --files README.md 2>&1)"; then echo "ok: --files README.md passes"; else fail "--files README.md failed: $out"; fi
  lacks "--files README.md: no report" "summary:" "$out"
) || fail "pre-commit mirror section"

echo "== 4. GitHub Action scan script"
keyleak_bin="$tmp/venv/bin/keyleak"
repo="$tmp/action-repo"
git_init "$repo"
(
  cd "$repo"
  echo '# app' > README.md && git add README.md && git commit -q -m A
  printf 'From the AWS docs:\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n' > docs.md
  git add docs.md && git commit -q -m "B: docs example"
  git update-ref refs/remotes/origin/main HEAD
  git checkout -q -b feature
  printf 'AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n' "$KEY" "$SECRET" > deploy.env
  git add deploy.env && git commit -q -m "C: leak"
  echo 'print("hi")' > app.py && git add app.py && git commit -q -m "D: clean"
  git update-ref refs/remotes/origin/feature HEAD
)
rev() { git -C "$repo" rev-parse "$1"; }
# keyleak through a wrapper that logs each run's arguments to $KEYLEAK_RUNS (one line a run),
# so a check can count the scans a simulated job makes.
mkdir "$tmp/counted"
printf '#!/usr/bin/env bash\necho "$*" >> "${KEYLEAK_RUNS:-/dev/null}"\nexec %q "$@"\n' \
  "$keyleak_bin" > "$tmp/counted/keyleak"
chmod +x "$tmp/counted/keyleak"
# scans NAME: the runs of keyleak NAME's job made that wrote a report (--output).
scans() { grep -c -- '--output' "$tmp/$1.runs" || true; }
B="$(rev HEAD~2)" C="$(rev HEAD~1)"
zero=0000000000000000000000000000000000000000

# run_action NAME EVENT EVENT_JSON [VAR=VALUE...]: runs scan.sh in the repository as the runner
# would, leaving its exit code, outputs, log and summary in $tmp/NAME.*
run_action() {
  local name="$1" event="$2" json="$3"
  shift 3
  echo "$json" > "$tmp/$name.event.json"
  : > "$tmp/$name.output"
  : > "$tmp/$name.summary"
  : > "$tmp/$name.runs"
  rm -f "$repo/keyleak.sarif"  # each check reads the SARIF its own run wrote
  set +e
  (cd "$repo" && env GITHUB_EVENT_NAME="$event" GITHUB_EVENT_PATH="$tmp/$name.event.json" \
    GITHUB_REF=refs/heads/feature GITHUB_OUTPUT="$tmp/$name.output" \
    GITHUB_STEP_SUMMARY="$tmp/$name.summary" RUNNER_TEMP="$tmp" \
    KEYLEAK="$tmp/counted/keyleak" KEYLEAK_RUNS="$tmp/$name.runs" \
    INPUT_FAIL_ON= INPUT_ARGS= INPUT_SARIF_FILE=keyleak.sarif "$@" \
    bash "$root/packaging/action/scan.sh" > "$tmp/$name.log" 2>&1)
  echo $? > "$tmp/$name.code"
  set -e
}
out_of() { sed -n "s/^$2=//p" "$tmp/$1.output"; }
results() { python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["runs"][0]["results"]))' "$1"; }

run_action push push "{\"before\": \"$C\"}"
check "push: scans before..HEAD" "--range $C..HEAD" "$(out_of push scope)"
check "push: a clean push exits 0" 0 "$(cat "$tmp/push.code")"
check "push: no findings" 0 "$(out_of push findings)"
check "push: SARIF written, no results" 0 "$(results "$repo/keyleak.sarif")"
check "push: one scan" 1 "$(scans push)"
contains "push: summary" "| critical | 0 |" "$(cat "$tmp/push.summary")"

run_action leak push "{\"before\": \"$B\"}"
check "leak: scans before..HEAD" "--range $B..HEAD" "$(out_of leak scope)"
check "leak: exits 1 (fail-on low by default)" 1 "$(cat "$tmp/leak.code")"
check "leak: exit-code output" 1 "$(out_of leak exit-code)"
check "leak: one finding" 1 "$(out_of leak findings)"
check "leak: SARIF output path" keyleak.sarif "$(out_of leak sarif-file)"
check "leak: SARIF written despite the failing scan" 1 "$(results "$repo/keyleak.sarif")"
check "leak: one scan writes annotations and SARIF" 1 "$(scans leak)"
contains "leak: annotation" "::error file=deploy.env,line=1" "$(cat "$tmp/leak.log")"
lacks "leak: the log hides the secret" "$SECRET" "$(cat "$tmp/leak.log")"
contains "leak: summary counts" "| critical | 1 |" "$(cat "$tmp/leak.summary")"
contains "leak: summary row" "| critical | deploy.env:1 | $KEY |" "$(cat "$tmp/leak.summary")"

run_action new-branch push "{\"before\": \"$zero\"}"
check "new branch: what HEAD adds over origin/main" "--range $B..HEAD" "$(out_of new-branch scope)"
check "new branch: exits 1" 1 "$(cat "$tmp/new-branch.code")"
contains "new branch: says why" "no base commit (new branch or tag)" "$(cat "$tmp/new-branch.log")"
check "new branch: SARIF written with the key" 1 "$(results "$repo/keyleak.sarif")"
contains "new branch: annotation" "::error file=deploy.env,line=1" "$(cat "$tmp/new-branch.log")"

run_action force-push push '{"before": "1234567890123456789012345678901234567890"}'
check "force push: falls back to origin/main" "--range $B..HEAD" "$(out_of force-push scope)"
contains "force push: says why" "is not in this clone" "$(cat "$tmp/force-push.log")"

run_action pr pull_request "{\"pull_request\": {\"base\": {\"sha\": \"$B\"}}}" \
  INPUT_FAIL_ON=never INPUT_SARIF_FILE=
check "pull request: scans base.sha..HEAD" "--range $B..HEAD" "$(out_of pr scope)"
check "pull request: fail-on never exits 0" 0 "$(cat "$tmp/pr.code")"
check "pull request: still one finding" 1 "$(out_of pr findings)"
check "pull request: no SARIF path when none asked" "" "$(out_of pr sarif-file)"
contains "pull request: annotation" "::error file=deploy.env,line=1" "$(cat "$tmp/pr.log")"

run_action critical pull_request "{\"pull_request\": {\"base\": {\"sha\": \"$B\"}}}" INPUT_FAIL_ON=critical
check "fail-on critical with a critical finding exits 1" 1 "$(cat "$tmp/critical.code")"

# A pull request's checkout is a merge commit (base tip + the pull request's head); with its
# base.sha gone, the fallback compares with the base branch, not the head's own branch.
git -C "$repo" checkout -q --detach refs/remotes/origin/main
git -C "$repo" merge -q --no-ff -m "Merge feature" feature
run_action pr-fallback pull_request '{"pull_request": {"base": {"sha": "1234567890123456789012345678901234567890"}}}' \
  GITHUB_REF=refs/pull/1/merge GITHUB_BASE_REF=main
check "pull request, base gone: what it adds over its base branch" "--range $B..HEAD" "$(out_of pr-fallback scope)"
check "pull request, base gone: the key" 1 "$(out_of pr-fallback findings)"
git -C "$repo" checkout -q feature

git -C "$repo" update-ref -d refs/remotes/origin/main
run_action only-branch push "{\"before\": \"$zero\"}"
check "no other branch: all of HEAD's history" "--ref HEAD" "$(out_of only-branch scope)"
check "no other branch: the key and the docs example" 2 "$(out_of only-branch findings)"
contains "no other branch: summary counts info" "| info | 1 |" "$(cat "$tmp/only-branch.summary")"

run_action schedule schedule '{}'
check "schedule: the whole history" "--git" "$(out_of schedule scope)"
check "schedule: exits 1 on the key" 1 "$(cat "$tmp/schedule.code")"
check "schedule: SARIF written, the key and the docs example" 2 "$(results "$repo/keyleak.sarif")"
check "schedule: one scan" 1 "$(scans schedule)"

# Without a finding at or above fail-on the SARIF is written too (the docs example is info).
git -C "$repo" checkout -q -b clean-schedule HEAD~2
run_action schedule-clean schedule '{}' INPUT_ARGS="--ref HEAD"
check "clean schedule: exits 0" 0 "$(cat "$tmp/schedule-clean.code")"
check "clean schedule: SARIF written, the docs example only" 1 "$(results "$repo/keyleak.sarif")"
lacks "clean schedule: no error annotation" "::error" "$(cat "$tmp/schedule-clean.log")"
git -C "$repo" checkout -q feature

run_action error push "{\"before\": \"$C\"}" INPUT_ARGS=--no-such-option
check "an unknown option exits 2" 2 "$(cat "$tmp/error.code")"
contains "an error is an annotation" "::error title=keyleak::keyleak exited with 2" "$(cat "$tmp/error.log")"
check "no SARIF output after an error" "" "$(out_of error sarif-file)"
if [ -e "$repo/keyleak.sarif" ]; then fail "a SARIF file after an error"; else echo "ok: no SARIF file after an error"; fi

echo "== 5. GitLab CI template"
# The job's script block, as GitLab runs it: bash with -eo pipefail, keyleak on PATH.
awk '/^  script:/ {on = 1; next} on && /^  [a-z]/ {exit} on && !/^    - \|/ {sub(/^      /, ""); print}' \
  packaging/gitlab/keyleak.gitlab-ci.yml > "$tmp/gitlab.sh"
check "GitLab template's KEYLEAK_VERSION" "    KEYLEAK_VERSION: \"$version\"" \
  "$(grep -o '^    KEYLEAK_VERSION: "[^"]*"' packaging/gitlab/keyleak.gitlab-ci.yml)"
check "GitLab template hands over the Secret Detection report" \
  "      secret_detection: gl-secret-detection-report.json" \
  "$(grep '^      secret_detection:' packaging/gitlab/keyleak.gitlab-ci.yml)"
# run_gitlab NAME [VAR=VALUE...]: leaves the job's exit code, log and report in $tmp/NAME.*
run_gitlab() {
  local name="$1"
  shift
  set +e
  : > "$tmp/$name.runs"
  (cd "$repo" && env PATH="$tmp/counted:$PATH" KEYLEAK_RUNS="$tmp/$name.runs" \
    CI_MERGE_REQUEST_DIFF_BASE_SHA= CI_COMMIT_BEFORE_SHA= \
    KEYLEAK_FAIL_ON= KEYLEAK_ARGS= "$@" bash -eo pipefail "$tmp/gitlab.sh" > "$tmp/$name.log" 2>&1)
  echo $? > "$tmp/$name.code"
  set -e
  mv "$repo/gl-secret-detection-report.json" "$tmp/$name.json" 2>/dev/null || echo '{}' > "$tmp/$name.json"
}
# gl_report FIELD REPORT: the report's scan type, its vulnerability count, or each
# vulnerability's "severity file:line" (a space-separated list); "none" without a report.
gl_report() {
  python3 - "$@" <<'PY'
import json, sys
field, doc = sys.argv[1], json.load(open(sys.argv[2]))
vulns = doc.get("vulnerabilities")
if vulns is None:
    print("none")
elif field == "type":
    print(doc["scan"]["type"])
elif field == "count":
    print(len(vulns))
else:
    print(" ".join(f"{v['severity']} {v['location']['file']}:{v['location']['start_line']}" for v in vulns))
PY
}

run_gitlab gl-mr CI_MERGE_REQUEST_DIFF_BASE_SHA="$B" CI_COMMIT_BEFORE_SHA="$C"
contains "GitLab merge request: the diff base's range" "scanning --range $B..HEAD" "$(cat "$tmp/gl-mr.log")"
check "GitLab merge request: exits 1" 1 "$(cat "$tmp/gl-mr.code")"
check "GitLab merge request: a Secret Detection report" secret_detection "$(gl_report type "$tmp/gl-mr.json")"
check "GitLab merge request: the report has the key" "Critical deploy.env:1" "$(gl_report where "$tmp/gl-mr.json")"
check "GitLab merge request: one scan writes the log and the report" 1 "$(scans gl-mr)"
lacks "GitLab merge request: the report hides the secret" "$SECRET" "$(cat "$tmp/gl-mr.json")"
contains "GitLab merge request: the log names the key" "$KEY" "$(cat "$tmp/gl-mr.log")"
lacks "GitLab merge request: the log hides the secret" "$SECRET" "$(cat "$tmp/gl-mr.log")"
run_gitlab gl-push CI_COMMIT_BEFORE_SHA="$C"
check "GitLab push of a clean commit: exits 0" 0 "$(cat "$tmp/gl-push.code")"
check "GitLab push: a report, no findings" 0 "$(gl_report count "$tmp/gl-push.json")"
check "GitLab push: one scan" 1 "$(scans gl-push)"
run_gitlab gl-new CI_COMMIT_BEFORE_SHA="$zero"
contains "GitLab new branch: all of HEAD's history" "scanning --ref HEAD" "$(cat "$tmp/gl-new.log")"
check "GitLab new branch: the key and the docs example" "Critical deploy.env:1 Info docs.md:2" \
  "$(gl_report where "$tmp/gl-new.json")"
run_gitlab gl-schedule CI_PIPELINE_SOURCE=schedule CI_COMMIT_BEFORE_SHA="$zero"
contains "GitLab schedule: all of HEAD's history" "scanning --ref HEAD" "$(cat "$tmp/gl-schedule.log")"
check "GitLab schedule: exits 1 on the key" 1 "$(cat "$tmp/gl-schedule.code")"
check "GitLab schedule: the report has the key and the docs example" "Critical deploy.env:1 Info docs.md:2" \
  "$(gl_report where "$tmp/gl-schedule.json")"
run_gitlab gl-force CI_COMMIT_BEFORE_SHA=1234567890123456789012345678901234567890
contains "GitLab force push: says why" "is not in this clone" "$(cat "$tmp/gl-force.log")"
check "GitLab force push: exits 1 on the key" 1 "$(cat "$tmp/gl-force.code")"
run_gitlab gl-never CI_MERGE_REQUEST_DIFF_BASE_SHA="$B" KEYLEAK_FAIL_ON=never
check "GitLab KEYLEAK_FAIL_ON=never: exits 0" 0 "$(cat "$tmp/gl-never.code")"
run_gitlab gl-error CI_COMMIT_BEFORE_SHA="$C" KEYLEAK_ARGS=--no-such-option
check "GitLab: an error exits 2" 2 "$(cat "$tmp/gl-error.code")"
check "GitLab: no report after an error" none "$(gl_report count "$tmp/gl-error.json")"

if [ "$failures" -ne 0 ]; then
  echo "test-packaging: $failures failure(s)" >&2
  exit 1
fi
echo "test-packaging: all passed"
