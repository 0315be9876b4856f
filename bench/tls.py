"""Whole-process cost of https: the same full login (password, embed link, STS, file writes) against
one sandbox over plain http and one over https with a generated CA, alternating, as whole processes.

Usage: python3 bench/tls.py AWS_TOKEN_BINARY HTTP_URL HTTPS_URL CA_FILE [RUNS]
The CA is trusted the way a corporate CA is: SSL_CERT_FILE (set TRUST=AWS_CA_BUNDLE to use that
variable instead, which adds the CA to the OS bundle rather than replacing it).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from fresh import forget_all_but_pipeline

binary, http_url, https_url, ca = sys.argv[1:5]
runs = int(sys.argv[5]) if len(sys.argv) > 5 else 25
trust = os.environ.get("TRUST", "SSL_CERT_FILE")
app = "/home/amazon_aws/0oaawsdemo0000000001/272"


def world(url):
    home = tempfile.mkdtemp()
    config = os.path.join(home, "config.json")
    with open(config, "w") as f:
        json.dump({"region": "us-east-1", "idpEntryUrl": url + app, "defaultAccount": "staging",
                   "accounts": {"staging": "111111111111"}}, f)
    env = {"HOME": home, "PATH": os.environ.get("PATH", ""), "AWS_ENDPOINT_URL_STS": url + "/sts",
           "AWS_TOKEN_PASSWORD": "correct horse", "NO_COLOR": "1", "AWS_TOKEN_KEYRING": "file"}
    if url.startswith("https"):
        env[trust] = ca
    # --force and no kept session (removed before each run): every run is a full login.
    return env, [binary, "--config", config, "--username", "nomfa@example.com", "--role", "Admin", "-q", "--force"]


def once(env, args):
    forget_all_but_pipeline(env["HOME"])
    t0 = time.perf_counter()
    p = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("aws-token failed: " + p.stderr.decode())
    return elapsed


def peak_rss_kib(env, args):
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *args], env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    return int(out.stderr.strip().splitlines()[-1])


plain, tls = world(http_url), world(https_url)
once(*plain), once(*tls)  # warm-up
a, b = [], []
for _ in range(runs):
    a.append(once(*plain))
    b.append(once(*tls))
ms = lambda xs: statistics.median(xs) * 1000
rss = max(peak_rss_kib(*tls) for _ in range(5)) if os.path.exists("/usr/bin/time") else 0
print(f"runs: {runs} each, alternating; trust via {trust}")
print(f"http : median {ms(a):.1f} ms (min {min(a)*1000:.1f}, max {max(a)*1000:.1f})")
print(f"https: median {ms(b):.1f} ms (min {min(b)*1000:.1f}, max {max(b)*1000:.1f})")
print(f"https costs {ms(b) - ms(a):.1f} ms over http (difference of medians)")
if rss:
    print(f"https peak RSS (GNU time, 5 runs): max {rss/1024:.1f} MiB")
