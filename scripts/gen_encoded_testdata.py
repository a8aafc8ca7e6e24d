#!/usr/bin/env python3
"""Writes testdata/encoded/: fake credentials hidden in base64, UTF-16 and URL encoding.

Every key ID and secret here is generated from a fixed seed and fake: the key IDs encode the
made-up account 381492067153 (see testdata/README.md). Rerun to regenerate identical files:
    python3 scripts/gen_encoded_testdata.py
"""
import base64
import os
import random

from fake_keys import key_id as _key_id, secret as _secret

rng = random.Random(20261123)


def key_id(prefix):
    return _key_id(rng, prefix)


def secret(*first):
    return _secret(rng, *first)


def b64(text):
    return base64.b64encode(text.encode()).decode()


out = os.path.join(os.path.dirname(__file__), "..", "testdata", "encoded")
os.makedirs(out, exist_ok=True)


def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


k1, s1 = key_id("AKIA"), secret()
write("k8s-secret.yaml", f"""apiVersion: v1
kind: Secret
metadata:
  name: uploader-aws
type: Opaque
data:
  aws_access_key_id: {b64(k1)}
  aws_secret_access_key: {b64(s1)}
""")
k2, s2 = key_id("AKIA"), secret()
creds = f"[default]\naws_access_key_id = {k2}\naws_secret_access_key = {s2}\nregion = eu-west-1\n"
write("credentials-secret.yaml", f"""apiVersion: v1
kind: Secret
metadata:
  name: aws-credentials
data:
  credentials: {b64(creds)}
""")
k3, s3 = key_id("AKIA"), secret()
ps1 = f"# Set up the deploy shell\r\n$env:AWS_ACCESS_KEY_ID = '{k3}'\r\n$env:AWS_SECRET_ACCESS_KEY = '{s3}'\r\n$env:AWS_DEFAULT_REGION = 'eu-west-1'\r\n"
write("profile.ps1", b"\xff\xfe" + ps1.encode("utf-16-le"))
k4 = key_id("AKIA")
reg = f'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Uploader]\r\n"AccessKey"="{k4}"\r\n'
write("uploader.reg", reg.encode("utf-16-be"))
k5, s5 = key_id("AKIA"), secret()
while "/" not in s5 and "+" not in s5:
    s5 = secret()
quoted = s5.replace("/", "%2F").replace("+", "%2B")
write("form-body.txt", f"POST /login HTTP/1.1\nContent-Type: application/x-www-form-urlencoded\n\nuser=ci&aws_access_key_id={k5}&aws_secret_access_key={quoted}&region=eu-west-1\n")
