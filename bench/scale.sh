#!/usr/bin/env bash
# How login cost grows (issue 11): with the number of roles in the assertion (1, 10, 100, 1000;
# `roles`, which makes no STS call, and the full login where STS's 100,000-character limit allows
# it) and with the size of the credentials file (1, 100, 10000 profiles). RUNS (default 15) whole
# processes each, medians. Release build, one sandbox with a user per role count.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-15}"
cargo build --release --quiet --workspace --bins
bin=$PWD/target/release
tmp=$(mktemp -d)
trap 'kill "${SANDBOX_PID:-}" 2>/dev/null; rm -rf "$tmp"' EXIT
"$bin/aws-token-sandbox" demo-users | python3 -c '
import json, sys
d = json.load(sys.stdin)
base = d["users"][1]
for n in (1, 10, 100, 1000):
    u = dict(base, login=f"roles{n}@example.com")
    u["apps"] = {"0oaawsdemo0000000001": [f"arn:aws:iam::111111111111:role/Role{i:04d}" for i in range(n)]}
    d["users"].append(u)
json.dump(d, open(sys.argv[1], "w"))
' "$tmp/users.json"
source scripts/sandbox.sh
start_sandbox "$bin" "$tmp" --users "$tmp/users.json"
python3 bench/scale.py "$bin/aws-token" "$SANDBOX_URL" "$tmp" "$runs"
