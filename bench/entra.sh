#!/usr/bin/env bash
# Microsoft Entra ID (issue 23.7): a full login with password and TOTP through the sandbox tenant
# (the app link, the $Config pages, GetCredentialType, the password, BeginAuth/EndAuth/ProcessAuth,
# "stay signed in", the hidden form, the SAML form, STS, the file written), RUNS (default 25) whole
# aws-token processes beside the same round trips made by a minimal keep-alive client. Every login
# is a tenant user not signed in before, with a fresh TOTP code.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-25}"
cargo build --release --quiet --workspace --bins
bin=target/release
tmp=$(mktemp -d)
trap 'kill "${SANDBOX_PID:-}" 2>/dev/null; rm -rf "$tmp"' EXIT
python3 - "$bin/aws-token-sandbox" "$tmp/users.json" $((runs * 2 + 7)) <<'PY'
import json, subprocess, sys
sys.path.insert(0, "bench")
from totp_users import secret_of
sandbox, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = json.loads(subprocess.run([sandbox, "demo-users"], capture_output=True, text=True, check=True).stdout)
proto = next(u for u in data["entra"]["users"] if u["login"] == "totp@entra.example.com")
for i in range(n):
    u = json.loads(json.dumps(proto))
    u["login"] = f"bench{i}@entra.example.com"
    u["methods"] = [{"type": "phoneAppOtp", "secret": secret_of(i)}]
    data["entra"]["users"].append(u)
json.dump(data, open(path, "w"))
PY
source scripts/sandbox.sh
start_sandbox "$bin" "$tmp" --users "$tmp/users.json"
python3 bench/entra.py "$SANDBOX_URL" "$bin/aws-token" "$tmp/users.json" "$runs"
