#!/usr/bin/env bash
# Writes testdata/deep/: fake credentials written in hex and in nested encodings, each file made
# by the tool that makes such files in the wild (xxd, Python's bytes.hex, base64), and the
# negatives those tools make from text or binaries without a key. Keys and secrets come from a
# fixed seed and are fake: the key IDs encode the made-up account 381492067153
# (testdata/README.md). Rerun to regenerate identical files: scripts/gen_deep_testdata.sh
set -euo pipefail
cd "$(dirname "$0")/../testdata/deep"
rm -f ./* ./.??* 2>/dev/null || true

# Four key IDs and secrets, one per line: "KEY SECRET".
mapfile -t creds < <(python3 - <<'PY'
import random
ACCOUNT = 381492067153
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"
rng = random.Random(20260517)
def key_id():
    while True:
        head = (ACCOUNT << 7) | rng.getrandbits(7) | (rng.getrandbits(1) << 47)
        bits = int.from_bytes(head.to_bytes(6, "big") + rng.getrandbits(32).to_bytes(4, "big"), "big")
        text = "".join(B32[(bits >> (75 - 5 * i)) & 31] for i in range(16))
        if text[0] not in "IJ":
            return "AKIA" + text
def secret():
    while True:
        s = "".join(rng.choice(B64) for _ in range(40))
        if any(c.isupper() for c in s) and any(c.islower() for c in s) and any(c.isdigit() for c in s) and "/" in s:
            return s
for _ in range(6):
    print(key_id(), secret())
PY
)
read -r k1 s1 <<<"${creds[0]}"; read -r k2 s2 <<<"${creds[1]}"; read -r k3 _ <<<"${creds[2]}"
read -r k4 s4 <<<"${creds[3]}"; read -r k5 s5 <<<"${creds[4]}"; read -r k6 s6 <<<"${creds[5]}"

# A credentials file dumped with `xxd -p` (60 hex digits a line).
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$k1" "$s1" | xxd -p >credentials.hex
# Python: the key and the secret as bytes.fromhex() of spaced hex (bytes.hex(" ")).
python3 - "$k2" "$s2" >keys.py <<'PY'
import sys
key, secret = (v.encode().hex(" ") for v in sys.argv[1:])
print(f'import boto3\n\nKEY = bytes.fromhex("{key}").decode()\nSECRET = bytes.fromhex(\n    "{secret}"\n).decode()\ns3 = boto3.client("s3", aws_access_key_id=KEY, aws_secret_access_key=SECRET)')
PY
# C: a key ID alone as a byte array (`xxd -i`: `0x41, 0x4b, …`, twelve a line).
printf '%s' "$k3" >aws_key && xxd -i aws_key >aws_key.h && rm aws_key
# Kubernetes Secret whose values were already base64 (encoded twice).
cat >k8s-double.yaml <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: uploader
type: Opaque
data:
  aws_access_key_id: $(printf '%s' "$k4" | base64 | tr -d '\n' | base64 -w0)
  aws_secret_access_key: $(printf '%s' "$s4" | base64 | tr -d '\n' | base64 -w0)
YAML
# base64 of a JSON document whose value is the base64 of a credentials line.
inner=$(printf 'aws_access_key_id=%s\naws_secret_access_key=%s\n' "$k5" "$s5" | base64 -w0)
printf '{"profile": "deploy", "credentials": "%s"}' "$inner" | base64 -w0 >config.json.b64
echo >>config.json.b64
# A form body with the secret URL-encoded, base64-encoded twice: three levels.
printf 'aws_access_key_id=%s&aws_secret_access_key=%s' "$k6" "${s6//\//%2F}" | base64 -w0 | base64 -w0 >form.b64.b64
echo >>form.b64.b64

# Negatives: hashes (sha256sum, git object ids), hex of text naming the prefixes, a random hex
# blob, and xxd dumps of a binary without keys. Inputs chosen so each holds a prefilter literal
# (4941, 49 41 or 0x41), so the decoder looks and must say no.
python3 - >hashes.txt <<'PY'
import hashlib
n = 0
for i in range(100000):
    data = f"release-{i}\n".encode()
    sha256 = hashlib.sha256(data).hexdigest()
    git = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    if "4941" in sha256 or "4941" in git:
        print(f"{sha256}  release-{i}.tar.gz\ncommit {git}")
        n += 1
    if n == 3:
        break
PY
printf 'AKIA is the prefix of long-term access key IDs; ASIA of temporary ones.\n' | xxd -p >prefixes.hex
python3 -c '
import random
r = random.Random(7)
data = bytes(r.getrandbits(8) for _ in range(4096))
data = data[:1000] + b"AKIA" + bytes([0, 1, 2]) + data[1007:]
open("blob.bin", "wb").write(data)'
xxd -p blob.bin >random.hex
xxd blob.bin >blob.xxd
xxd -i blob.bin >blob.h
rm blob.bin
