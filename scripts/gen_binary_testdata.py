#!/usr/bin/env python3
"""Writes testdata/binary/: fake credentials stored by binary formats, glued to their neighbours.

Every key ID and secret here is generated from a fixed seed and fake: the key IDs encode the
made-up account 381492067153 (see testdata/README.md). The files are made by the real tools
where this machine has them (`sqlite3` module, `py_compile`, `javac`); protobuf is encoded by
hand (below). Rerun to regenerate: python3 scripts/gen_binary_testdata.py
(byte offsets can move with another SQLite, Python or javac version: then update
tests/cli/scan_binary_glued.rs).
"""
import os
import py_compile
import random
import sqlite3
import subprocess
import tempfile

from fake_keys import B32, key_id as _key_id, secret as _secret

rng = random.Random(20261207)


def key_id(prefix):
    return _key_id(rng, prefix)


def secret(*first):
    return _secret(rng, *first)


out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "binary")
os.makedirs(out, exist_ok=True)


def path(name):
    return os.path.join(out, name)


# SQLite: rows (id, name, key_id, secret). `name` ends in a letter, so each key ID is glued to
# it; key_id and secret are adjacent columns, so the secret is glued to the key ID. The first
# secret starts with an upper-case letter: the 20 characters alone cannot tell where the key
# ID ends, the record header's serial types (0x35 0x5d) can.
rows = [("deploy", key_id("AKIA"), secret("ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
        ("backup", key_id("AKIA"), secret("abcdefghijklmnopqrstuvwxyz"))]
if os.path.exists(path("creds.sqlite")):
    os.remove(path("creds.sqlite"))
db = sqlite3.connect(path("creds.sqlite"))
db.execute("CREATE TABLE creds (id INTEGER PRIMARY KEY, name TEXT, key_id TEXT, secret TEXT)")
db.executemany("INSERT INTO creds (name, key_id, secret) VALUES (?, ?, ?)", rows)
db.commit()
db.close()

# Python bytecode: marshal stores each string constant as a type byte (`z`, `Z`, with 0x80 when
# referenced again) and a length byte, back to back, so the key ID is glued to the next
# constant's type byte. UNCHECKED_HASH keeps the timestamp out of the file.
k, s = key_id("AKIA"), secret()
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "settings.py")
    with open(src, "w") as f:
        f.write(f'AWS_ACCESS_KEY_ID = "{k}"\nAWS_SECRET_ACCESS_KEY = "{s}"\nREGION = "eu-west-1"\n')
    py_compile.compile(src, cfile=path("settings.cpython.pyc"), dfile="settings.py",
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)

# Java class file: each string constant is a CONSTANT_Utf8 entry (tag 1, u16 length, bytes).
k, s = key_id("AKIA"), secret()
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "Creds.java")
    with open(src, "w") as f:
        f.write("public class Creds {\n"
                f'    static final String KEY_ID = "{k}";\n'
                f'    static final String SECRET = "{s}";\n'
                "    static String region() { return \"eu-west-1\"; }\n}\n")
    subprocess.run(["javac", "-g:none", "-d", tmp, src], check=True)
    with open(os.path.join(tmp, "Creds.class"), "rb") as f:
        data = f.read()
with open(path("Creds.class"), "wb") as f:
    f.write(data)


# Protobuf, encoded by hand: message Credential { string user = 1; string key_id = 8;
# string secret = 9; string region = 10; }. A field is a tag byte (field number << 3 | wire
# type 2 = length-delimited) and a varint length: field 8 is `B`, 9 is `J`, 10 is `R`, and a
# length of 40 is `(`. So the key ID is followed by `J(` and the secret by `R`: both glued.
def field(number, value):
    value = value.encode()
    assert len(value) < 128
    return bytes([number << 3 | 2, len(value)]) + value


k, s = key_id("ASIA"), secret()
with open(path("credential.pb"), "wb") as f:
    f.write(field(1, "ci-bot") + field(8, k) + field(9, s) + field(10, "eu-west-1"))

# Negatives. Random bytes (no key can be there by chance).
noise = random.Random(17)
with open(path("random.bin"), "wb") as f:
    f.write(bytes(noise.getrandbits(8) for _ in range(65536)))
# Base32 runs in binary that are not keys: a key-shaped stretch inside a longer run, one at the
# end of a long run (base32 data), and one glued to a base32 byte with no secret after it.
run = "".join(noise.choice(B32) for _ in range(60))
body = "".join(noise.choice(B32) for _ in range(16))
with open(path("base32.bin"), "wb") as f:
    f.write(b"\0\x01" + run[:20].encode() + b"AKIA" + body.encode() + run[20:].encode() + b"\0"
            + run[:24].encode() + b"AKIA" + body.encode() + b"\0\x02"
            + b"\x14AKIA" + body.encode() + b"Q\0")
# Text stays strict: a key ID glued to a word in a text file is not reported.
with open(path("glued.txt"), "w") as f:
    f.write(f"exportAKIA{body} {secret()}\n")
