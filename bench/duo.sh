#!/usr/bin/env bash
# Duo behind Okta (issue 24.6): a full login with a Duo passcode (password, Okta's redirect to Duo,
# the frameless and prompt pages, the passcode, Duo's status and exit, Okta's callback, the app, STS,
# the file written), RUNS (default 25) whole aws-token processes against the sandbox, beside the same
# round trips made by a minimal keep-alive client. Every login is a Duo user not signed in before.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-25}"
cargo build --release --quiet --workspace --bins
bin=target/release
tmp=$(mktemp -d)
trap 'kill "${SANDBOX_PID:-}" 2>/dev/null; rm -rf "$tmp"' EXIT
python3 - "$bin/aws-token-sandbox" "$tmp/users.json" $((runs * 2 + 7)) <<'PY'
import json, subprocess, sys
sandbox, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = json.loads(subprocess.run([sandbox, "demo-users"], capture_output=True, text=True, check=True).stdout)
duo = next(u for u in data["users"] if u["login"] == "duo@example.com")
for i in range(n):
    u = json.loads(json.dumps(duo))
    u["login"] = f"bench{i}@example.com"
    data["users"].append(u)
json.dump(data, open(path, "w"))
PY
source scripts/sandbox.sh
start_sandbox "$bin" "$tmp" --users "$tmp/users.json"
python3 bench/duo.py "$SANDBOX_URL" "$bin/aws-token" "$runs"
