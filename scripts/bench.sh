#!/usr/bin/env bash
# End-to-end speed of keyleak against ripgrep and git (issue 5), on a deterministic synthetic
# workload, page cache warm. Prints: task, keyleak time, reference time, ratio, keyleak RSS.
#
#   scripts/bench.sh                 full scale: ~1 GB tree in ~50k files, ~20k-commit repo,
#                                    100k-file repo for --staged
#   scripts/bench.sh --scale 0.1     everything 10x smaller (also KEYLEAK_BENCH_SCALE=0.1)
#
# Data goes to target/bench-data/scale-S/ and is reused when present (delete it to rebuild).
# Needs git and python3; installs ripgrep (and hyperfine, for steadier timings) with apt-get
# when absent. Peers (ripsecrets, kingfisher) are timed only when already on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scale=${KEYLEAK_BENCH_SCALE:-1}
while [ $# -gt 0 ]; do
  case $1 in
    --scale|--size) scale=$2; shift 2 ;;
    *) echo "usage: scripts/bench.sh [--scale S]" >&2; exit 2 ;;
  esac
done
export KEYLEAK_BENCH_SCALE=$scale

need_apt() {
  command -v "$1" >/dev/null && return 0
  echo "bench: installing $2 with apt-get" >&2
  { apt-get install -y -q "$2" || { apt-get update -q && apt-get install -y -q "$2"; }; } >/dev/null 2>&1 \
    || echo "bench: could not install $2" >&2
  command -v "$1" >/dev/null
}
command -v git >/dev/null || { echo "bench: git is required" >&2; exit 2; }
need_apt rg ripgrep || { echo "bench: ripgrep is required" >&2; exit 2; }
# /usr/bin/time gives peak RSS; hyperfine is optional (a median-of-3 loop replaces it).
[ -x /usr/bin/time ] || need_apt /usr/bin/time time || { echo "bench: /usr/bin/time is required" >&2; exit 2; }
need_apt hyperfine hyperfine || true

cargo build --release --locked --quiet
keyleak=$root/target/release/keyleak

data=$root/target/bench-data/scale-$scale
tree=$data/tree
history=$data/history
staged=$data/staged
gen="python3 $root/scripts/gen_workload.py"
mkdir -p "$data"

# Each dataset is marked done only once complete, so an interrupted build is redone, not reused.
if [ ! -f "$tree/.done" ]; then
  rm -rf "$tree"; mkdir -p "$tree"
  $gen tree "$tree"
  touch "$tree/.done"
fi
if [ ! -f "$history/.done" ]; then
  rm -rf "$history"
  git init -q -b main "$history"
  $gen history | git -C "$history" fast-import --quiet
  # A checkout, so the repository looks like a clone (the history scan ignores it).
  git -C "$history" reset -q --hard main
  touch "$history/.done"
fi
if [ ! -f "$staged/.done" ]; then
  rm -rf "$staged"
  git init -q -b main "$staged"
  $gen staged | git -C "$staged" fast-import --quiet
  git -C "$staged" reset -q --hard main
  # The one staged change: a new file holding a fake key, as a pre-commit hook would see it.
  printf 'aws_access_key_id = "AKIA%s"\n' "$(printf 'QZ%.0s' {1..8})" > "$staged/leak.py"
  git -C "$staged" add leak.py
  touch "$staged/.done"
fi
# .done is not part of the workload: scanning it would not matter, but keep trees identical.
tree_files=$(find "$tree" -type f ! -name .done | wc -l)
tree_mb=$(du -sm --exclude=.done "$tree" | cut -f1)
commits=$(git -C "$history" rev-list --all --count)
staged_files=$(git -C "$staged" ls-files | wc -l)

# No config lookup from the current directory, and exit 0 whatever is found: we time the
# scan, not the policy.
kl() { echo "$keyleak scan --no-config --fail-on never $*"; }
pattern="'(AKIA|ASIA)[A-Z2-7]{16}'"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# measure CMD: prints "SECONDS PEAK_RSS_MB". Time is the median of 3 runs after a warm-up
# run (which also warms the page cache); peak RSS is the largest process in the command.
measure() {
  local cmd=$1 t rss=0 r
  if command -v hyperfine >/dev/null; then
    # -N (no shell) for a plain command, so a 5 ms run is not mostly shell start-up; a
    # pipeline (` | `; the regex has `|` without spaces) needs the shell, whose start-up
    # hyperfine measures and subtracts. -i: keyleak may exit 1 on findings, rg 1 on none.
    local shell=(-N)
    [[ $cmd == *' | '* ]] && shell=()
    hyperfine "${shell[@]}" --warmup 1 --runs 3 -i --export-json "$tmp/h.json" --style none \
      -- "$cmd" >/dev/null 2>&1
    t=$(python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$tmp/h.json")
    /usr/bin/time -f '%M' -o "$tmp/rss" bash -c "$cmd" >/dev/null 2>&1 || true
    rss=$(tail -n 1 "$tmp/rss")
  else
    bash -c "$cmd" >/dev/null 2>&1 || true
    local runs=()
    for _ in 1 2 3; do
      local t0 t1
      t0=$(date +%s%N)
      /usr/bin/time -f '%M' -o "$tmp/rss" bash -c "$cmd" >/dev/null 2>&1 || true
      t1=$(date +%s%N)
      runs+=("$(( (t1 - t0) / 1000000 ))")
      r=$(tail -n 1 "$tmp/rss"); [ "$r" -gt "$rss" ] && rss=$r
    done
    t=$(printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p | awk '{printf "%.3f", $1 / 1000}')
  fi
  echo "$t $(( rss / 1024 ))"
}

rows=()
# row TASK KEYLEAK_CMD REFERENCE_NAME REFERENCE_CMD
row() {
  echo "bench: $1 ..." >&2
  local kt krss rt
  read -r kt krss <<<"$(measure "$2")"
  read -r rt _ <<<"$(measure "$4")"
  # Tab-separated: reference names contain `|`.
  rows+=("$(printf '%s\t%s\t%s\t%s\t%s\t%s' "$1" "$kt" "$3" "$rt" \
    "$(awk -v a="$kt" -v b="$rt" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')" "$krss")")
}
notes=()

row "files: scan TREE" "$(kl "$tree")" "rg -c" "rg -c $pattern $tree"
row "files: scan TREE" "$(kl "$tree")" "rg -uuu -a -c" "rg -uuu -a -c $pattern $tree"
row "history: scan --git" "$(kl --git "$history")" "git log -p --all | rg -c" \
  "git -C $history log -p --all | rg -c $pattern"
# A shell pre-commit hook's equivalent: diff the index against HEAD and search it.
row "staged: 1 of $staged_files files" "$(kl --staged "$staged")" \
  "git diff --cached | rg -c" "git -C $staged diff --cached | rg -c $pattern"

if command -v ripsecrets >/dev/null; then
  row "files: vs ripsecrets" "$(kl "$tree")" "ripsecrets" "ripsecrets $tree"
else
  notes+=("ripsecrets not installed: skipped (cargo install ripsecrets)")
fi
if command -v kingfisher >/dev/null; then
  row "files: vs kingfisher" "$(kl "$tree")" "kingfisher" "kingfisher scan --no-update-check $tree"
  row "history: vs kingfisher" "$(kl --git "$history")" "kingfisher --git" \
    "kingfisher scan --no-update-check --git-history full $history"
else
  notes+=("kingfisher not installed: skipped (pip install kingfisher-bin)")
fi

echo
echo "keyleak $("$keyleak" --version 2>/dev/null | awk '{print $2}') | $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') | scale $scale"
echo "workload: tree $tree_files files, $tree_mb MB; history $commits commits; staged repo $staged_files files"
echo "timer: $(command -v hyperfine >/dev/null && echo 'hyperfine, median of 3' || echo '/usr/bin/time loop, median of 3') after 1 warm-up"
echo
printf '| %-30s | %9s | %-26s | %9s | %6s | %11s |\n' task keyleak reference "ref time" ratio "keyleak RSS"
printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..32})" "-----------" \
  "$(printf -- '-%.0s' {1..28})" "-----------" "--------" "-------------"
for r in "${rows[@]}"; do
  IFS=$'\t' read -r task kt ref rt ratio rss <<<"$r"
  printf '| %-30s | %8ss | %-26s | %8ss | %6s | %8s MB |\n' "$task" "$kt" "$ref" "$rt" "$ratio" "$rss"
done
for n in "${notes[@]}"; do echo "note: $n"; done
