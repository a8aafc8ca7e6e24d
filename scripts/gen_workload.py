#!/usr/bin/env python3
"""Deterministic synthetic workload for scripts/bench.sh (issue 5).

  gen_workload.py tree DIR [--scale S]   a tree of mixed files (~1 GB in ~50k files at S=1)
  gen_workload.py history [--scale S]    a `git fast-import` stream of ~20k commits on stdout
  gen_workload.py staged [--scale S]     a fast-import stream: one commit of ~100k files
  gen_workload.py dense DIR [--scale S]  keyword-dense text (~300 MB in ~19k files at S=1)
  gen_workload.py densefile FILE [--scale S] [--no-keywords]
                                         one keyword-dense text file (40 MB at S=1); with
                                         --no-keywords the same words, keywords swapped out

Same seed, same bytes: runs on different machines and days compare. Every planted key is
random and fake. Text is cut from a few megabytes of pre-generated pools rather than drawn
byte by byte: generating 1 GB in pure Python would take minutes, slicing takes seconds, and
a scanner cannot tell (it sees no repetition within a file).
"""

import argparse
import os
import random
import sys

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
WORDS = (
    "fn let mut self return if else for while match struct impl pub use const static value "
    "buffer config request response handler client server index count result error options "
    "builder parse render update data path name items list map filter reduce async await "
    "import from class def print len range string int bool none true false null this new"
).split()
PUNCT = [" ", " ", " ", ".", "(", ")", ", ", " = ", ";", "::", " { ", " }", "->", '"', "[", "]"]


def code_pool(rng, size):
    """Source-like lines: indentation, identifiers, punctuation, comments, numbers."""
    out, n = [], 0
    while n < size:
        parts = ["    " * rng.randrange(4)]
        if rng.randrange(8) == 0:
            parts.append("// ")
        for _ in range(3 + rng.randrange(9)):
            parts.append(rng.choice(WORDS))
            parts.append(rng.choice(PUNCT))
        if rng.randrange(6) == 0:
            parts.append(str(rng.randrange(100000)))
        line = "".join(parts) + "\n"
        out.append(line)
        n += len(line)
    return "".join(out).encode()


def minified_pool(rng, size):
    """Minified JavaScript: no newlines, short identifiers, long string literals."""
    out, n = [], 0
    while n < size:
        a, b = rng.choice("abcdefghijklmnopqrstuvwxyz"), rng.choice("etnrxyz")
        r = rng.randrange(5)
        if r == 0:
            s = f'var {a}{b}="{"".join(rng.choices(BASE64, k=rng.randrange(8, 90)))}";'
        elif r == 1:
            s = f"function {a}({b}){{return {b}.{rng.choice(WORDS)}({a}+{rng.randrange(999)})}}"
        else:
            s = f"{a}.{rng.choice(WORDS)}={b}&&{b}.{rng.choice(WORDS)}?{a}:{b};"
        out.append(s)
        n += len(s)
    return "".join(out).encode()


def json_pool(rng, size):
    """JSON records with hashes, base64 blobs and keyword-bearing keys (`session_id`,
    `secret_ref`): realistic look-alikes that make a key scanner validate and reject."""
    out, n = ["[\n"], 2
    while n < size:
        rec = (
            f'  {{"id": {rng.randrange(10**9)}, "name": "{rng.choice(WORDS)}_{rng.choice(WORDS)}", '
            f'"sha1": "{rng.getrandbits(160):040x}", '
            f'"session_id": "{rng.getrandbits(128):032x}", '
            f'"secret_ref": "arn:aws:secretsmanager:eu-west-1:{rng.randrange(10**12):012d}:secret:{rng.choice(WORDS)}", '
            f'"blob": "{"".join(rng.choices(BASE64, k=rng.randrange(20, 120)))}"}},\n'
        )
        out.append(rec)
        n += len(rec)
    out.append("  {}\n]\n")
    return "".join(out).encode()


def fake_key_pair(rng):
    key = "AKIA" + "".join(rng.choices(BASE32, k=16))
    secret = "".join(rng.choices(BASE64, k=37)) + "a7Q"
    return (f'\naws_access_key_id = "{key}"\naws_secret_access_key = "{secret}"\n').encode()


class Pools:
    """Pools doubled so any slice up to the pool size can start anywhere without wrapping."""

    def __init__(self, rng, mb):
        size = int(mb * (1 << 20))
        self.pools = {
            "code": code_pool(rng, size),
            "min": minified_pool(rng, size),
            "json": json_pool(rng, size // 2),
            "bin": rng.randbytes(size),
        }
        self.pools = {k: v + v for k, v in self.pools.items()}

    def cut(self, rng, kind, length):
        pool = self.pools[kind]
        length = min(length, len(pool) // 2)
        start = rng.randrange(len(pool) // 2)
        return pool[start : start + length]


# (kind, share of files, mean size in bytes, extensions). Mean over kinds ~20 KB, so 50k
# files make ~1 GB; a few big minified bundles and binaries dominate the bytes, as in a real
# checkout with node_modules and build outputs.
KINDS = [
    ("code", 0.70, 10_000, ["rs", "py", "go", "ts", "java", "c"]),
    ("json", 0.15, 20_000, ["json"]),
    ("min", 0.05, 100_000, ["min.js"]),
    ("bin", 0.10, 40_000, ["png", "so", "bin", "gz"]),
]


def cmd_tree(args):
    rng = random.Random(1)
    files = max(200, int(50_000 * args.scale))
    pools = Pools(rng, 8)
    planted = set(rng.sample(range(files), min(8, files)))
    total = 0
    for i in range(files):
        x = rng.random()
        for kind, share, mean, exts in KINDS:
            x -= share
            if x < 0:
                break
        size = max(64, int(rng.expovariate(1 / mean)))
        data = pools.cut(rng, kind, size)
        if i in planted:
            at = data.rfind(b"\n", 0, len(data) // 2) + 1 if kind == "code" else len(data)
            data = data[:at] + fake_key_pair(rng) + data[at:]
        path = os.path.join(args.dir, f"d{i // 1000:03d}", f"s{i // 100 % 10}")
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, f"f{i}.{rng.choice(exts)}"), "wb") as f:
            f.write(data)
        total += len(data)
    print(f"tree: {files} files, {total / 1e6:.0f} MB, {len(planted)} planted keys", file=sys.stderr)


def blob(out, data):
    out.write(b"data %d\n" % len(data))
    out.write(data)
    out.write(b"\n")


def commit(out, ref, mark, parent, when, message):
    out.write(f"commit {ref}\nmark :{mark}\n".encode())
    out.write(f"committer Bench <bench@example.com> {when} +0000\n".encode())
    blob(out, message.encode())
    if parent:
        out.write(f"from :{parent}\n".encode())


# Issue 19: text dense in the words a secret search keys on. About one word in ten is one of
# KEYWORDS; the rest are code words. `--no-keywords` swaps each keyword for a code word of the
# same length, so both files have the same size and shape.
KEYWORDS = ["ACCESS", "KEY", "SECRET", "aws_region", "bucket", "s3", "client", "config"]
NOT_KEYWORDS = ["ASSERT", "ARG", "STRUCT", "app_region", "buffer", "x3", "cursor", "cached"]
DENSE_SEPS = [" ", " ", " ", " ", " = ", ": ", ", ", "_", ".", "("]


def dense_lines(rng, size, keywords=True):
    """Lines of 3-14 words; one word in ten a keyword; now and then a quoted random value
    (a hash, an id) after `=`, so the value checks after a keyword have something to read."""
    code = [w for w in WORDS if w not in ("config", "client")]
    kws = KEYWORDS if keywords else NOT_KEYWORDS
    out, n = [], 0
    while n < size:
        parts = ["    " * rng.randrange(3)]
        for _ in range(3 + rng.randrange(12)):
            parts.append(rng.choice(kws) if rng.random() < 0.1 else rng.choice(code))
            parts.append(rng.choice(DENSE_SEPS))
        if rng.randrange(8) == 0:
            parts.append(' = "' + "".join(rng.choices(BASE64, k=rng.randrange(16, 48))) + '"')
        line = "".join(parts).rstrip() + "\n"
        out.append(line)
        n += len(line)
    return "".join(out).encode()


def cmd_dense(args):
    """~19k files, ~300 MB at S=1: 90% keyword-dense text, 10% binary, sizes spread
    exponentially around 16 KB. Cut from a pool, like `tree`."""
    rng = random.Random(4)
    files = max(200, int(19_000 * args.scale))
    pool = dense_lines(rng, 8 << 20)
    pool += pool
    binary = rng.randbytes(4 << 20)
    binary += binary
    total = 0
    for i in range(files):
        is_bin = rng.random() < 0.1
        src = binary if is_bin else pool
        size = min(len(src) // 2, max(64, int(rng.expovariate(1 / 16_000))))
        start = rng.randrange(len(src) // 2)
        data = src[start : start + size]
        path = os.path.join(args.dir, f"d{i // 1000:03d}", f"s{i // 100 % 10}")
        os.makedirs(path, exist_ok=True)
        ext = rng.choice(["bin", "so", "png"] if is_bin else ["py", "go", "ts", "yaml", "tf"])
        with open(os.path.join(path, f"f{i}.{ext}"), "wb") as f:
            f.write(data)
        total += len(data)
    print(f"dense: {files} files, {total / 1e6:.0f} MB", file=sys.stderr)


def cmd_densefile(args):
    """One file of keyword-dense text, 40 MB at S=1, generated whole (no repeated pool)."""
    rng = random.Random(5)
    data = dense_lines(rng, max(1 << 20, int(40_000_000 * args.scale)), not args.no_keywords)
    with open(args.dir, "wb") as f:
        f.write(data)


def cmd_history(args):
    """~20k commits, 1-3 files changed each, on a working set of ~2k files: ~42k unique blobs
    of ~1.5 KB, like a mid-sized project. A side branch and a tag make `--all` matter; a few
    commits add a fake key that a later commit removes (found only in history)."""
    rng = random.Random(2)
    out = sys.stdout.buffer
    commits = max(100, int(20_000 * args.scale))
    nfiles = max(50, int(2_000 * args.scale))
    paths = [f"src/m{i // 100}/file{i}.{rng.choice(['rs', 'py', 'js'])}" for i in range(nfiles)]
    pools = Pools(rng, 4)
    texts = {}

    def new_text(kind="code"):
        return pools.cut(rng, kind, 500 + rng.randrange(2000))

    when = 1_600_000_000
    commit(out, "refs/heads/main", 1, None, when, "initial import")
    for p in paths:
        texts[p] = new_text("json" if rng.randrange(10) == 0 else "code")
        out.write(f"M 100644 inline {p}\n".encode())
        blob(out, texts[p])
    out.write(b"\n")
    leaks = {int(commits * f): None for f in (0.1, 0.35, 0.6, 0.85)}
    for c in range(2, commits + 1):
        when += 600
        commit(out, "refs/heads/main", c, c - 1, when, f"change {c}")
        for _ in range(1 + rng.randrange(3)):
            p = rng.choice(paths)
            texts[p] = new_text()
            if c in leaks:
                texts[p] = texts[p] + fake_key_pair(rng)
            out.write(f"M 100644 inline {p}\n".encode())
            blob(out, texts[p])
        out.write(b"\n")
        if c == commits // 2:
            out.write(f"tag v1.0\nfrom :{c}\ntagger Bench <bench@example.com> {when} +0000\n".encode())
            blob(out, b"release")
    # A side branch off the middle, never merged: only `--all` reaches it.
    mark, parent = commits + 1, commits // 2
    for _ in range(max(5, commits // 200)):
        when += 60
        commit(out, "refs/heads/feature", mark, parent, when, "feature work")
        p = rng.choice(paths)
        out.write(f"M 100644 inline {p}\n".encode())
        blob(out, new_text())
        out.write(b"\n")
        mark, parent = mark + 1, mark
    out.flush()


def cmd_staged(args):
    """One commit of ~100k small files that share 1,000 blobs: what matters for `--staged`
    is the index size, not the bytes, so the repository stays small."""
    rng = random.Random(3)
    out = sys.stdout.buffer
    nfiles = max(1_000, int(100_000 * args.scale))
    pools = Pools(rng, 1)
    for m in range(1, 1001):
        out.write(f"blob\nmark :{m}\n".encode())
        blob(out, pools.cut(rng, "code", 200 + rng.randrange(1500)))
    commit(out, "refs/heads/main", 1001, None, 1_600_000_000, "vendor everything")
    for i in range(nfiles):
        out.write(f"M 100644 :{1 + rng.randrange(1000)} pkg{i // 1000}/sub{i // 100 % 10}/f{i}.py\n".encode())
    out.write(b"\n")
    out.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["tree", "history", "staged", "dense", "densefile"])
    ap.add_argument("dir", nargs="?")
    ap.add_argument("--scale", type=float, default=float(os.environ.get("KEYLEAK_BENCH_SCALE", "1")))
    ap.add_argument("--no-keywords", action="store_true")
    args = ap.parse_args()
    if args.what in ("tree", "dense", "densefile") and not args.dir:
        ap.error(f"{args.what} needs DIR")
    if args.what == "tree":
        cmd_tree(args)
    elif args.what == "dense":
        cmd_dense(args)
    elif args.what == "densefile":
        cmd_densefile(args)
    elif args.what == "history":
        cmd_history(args)
    else:
        cmd_staged(args)


if __name__ == "__main__":
    main()
