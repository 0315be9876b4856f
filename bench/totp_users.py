"""Users for the login benchmarks, each with a TOTP secret of its own: the sandbox refuses a code
used once (as Okta does, E0000082), so every benchmarked login signs in as a user not used before,
with a fresh code.

    python3 bench/totp_users.py SANDBOX_BIN USERS_JSON N   # writes the sandbox users file
    from totp_users import users, code                     # in a benchmark
"""
import base64
import hashlib
import hmac
import json
import os
import struct
import subprocess
import sys
import time

B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def code(secret, at=None):
    """RFC 6238: HMAC-SHA1, 30 s steps, 6 digits."""
    key = base64.b32decode(secret)
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def secret_of(i):
    raw = hashlib.sha256(f"aws-token bench user {i} {os.getpid()}".encode()).digest()[:20]
    return base64.b32encode(raw).decode()


def users(path):
    """The (login, secret) pairs of the bench users in the users file at `path`."""
    with open(path) as f:
        data = json.load(f)
    return [(u["login"], u["factors"][0]["secret"]) for u in data["users"] if u["login"].startswith("bench")]


def write(sandbox_bin, path, n):
    data = json.loads(subprocess.run([sandbox_bin, "demo-users"], capture_output=True, text=True, check=True).stdout)
    demo = next(u for u in data["users"] if u["login"] == "demo@example.com")
    for i in range(n):
        u = json.loads(json.dumps(demo))
        u["login"] = f"bench{i}@example.com"
        u["factors"] = [{"type": "totp", "secret": secret_of(i)}]
        data["users"].append(u)
    with open(path, "w") as f:
        json.dump(data, f)


if __name__ == "__main__":
    write(sys.argv[1], sys.argv[2], int(sys.argv[3]))
