"""Fake AWS credentials for the testdata generators: shapes AWS uses, values nobody issued.

Key IDs encode the made-up account 381492067153 (see testdata/README.md); secrets are 40
random characters of `A-Za-z0-9/+` mixing cases and digits, so keyleak rates them real.
"""
ACCOUNT = 381492067153
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def key_id(rng, prefix):
    """A key ID whose body decodes to ACCOUNT (bytes 0-5 masked 0x7fffffffff80 >> 7)."""
    while True:
        head = (ACCOUNT << 7) | rng.getrandbits(7) | (rng.getrandbits(1) << 47)
        body = head.to_bytes(6, "big") + rng.getrandbits(32).to_bytes(4, "big")
        bits = int.from_bytes(body, "big")
        text = "".join(B32[(bits >> (75 - 5 * i)) & 31] for i in range(16))
        if text[0] not in "IJ":
            return prefix + text


def secret(rng, first=None):
    """A random secret; `first`, when given, is the alphabet its first character comes from."""
    while True:
        s = "".join(rng.choice(B64 + "/+") for _ in range(40))
        if first and s[0] not in first:
            continue
        if any(c.isupper() for c in s) and any(c.islower() for c in s) and any(c.isdigit() for c in s):
            return s
