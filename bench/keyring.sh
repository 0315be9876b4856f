#!/usr/bin/env bash
# What the store of the kept IdP session costs a login that reuses it: the kernel keyring, the
# Secret Service (gnome-keyring, unlocked, on a private dbus-run-session) and the 0600 file. One
# password login fills each store; then RUNS (default 20) logins with neither password nor code
# (`--force`, another role) are timed as whole processes. Medians. Needs keyctl, dbus-run-session
# and gnome-keyring-daemon (tests/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
cargo build --release --quiet --workspace --bins
bin=$PWD/target/release
tmp=$(mktemp -d)
trap 'kill "${SANDBOX_PID:-}" 2>/dev/null; rm -rf "$tmp"' EXIT
source scripts/sandbox.sh
start_sandbox "$bin" "$tmp"
cat > "$tmp/config.json" <<JSON
{"region": "us-east-1", "idpEntryUrl": "$SANDBOX_URL/home/amazon_aws/0oaawsdemo0000000001/272",
 "defaultAccount": "staging", "accounts": {"staging": "111111111111"}}
JSON
cat > "$tmp/measure.py" <<'PY'
import os, statistics, subprocess, sys, time
bin, tmp, url, runs, store = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
home = os.path.join(tmp, store)
os.makedirs(home, exist_ok=True)
env = dict(os.environ, HOME=home, AWS_ENDPOINT_URL_STS=url + "/sts", NO_COLOR="1", AWS_TOKEN_KEYRING=store)
base = [bin + "/aws-token", "--config", tmp + "/config.json", "--username", "nomfa@example.com", "-q", "--force"]
first = subprocess.run(base + ["--role", "Admin"], env=dict(env, AWS_TOKEN_PASSWORD="correct horse"),
                       stdin=subprocess.DEVNULL, capture_output=True)
assert first.returncode == 0, first.stderr.decode()
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    r = subprocess.run(base + ["--role", "ReadOnly"], env=env, stdin=subprocess.DEVNULL, capture_output=True)
    times.append(time.perf_counter() - t0)
    assert r.returncode == 0, r.stderr.decode()
print(f"| {store} | {statistics.median(times) * 1000:.1f} ms | {min(times) * 1000:.1f}-{max(times) * 1000:.1f} ms |")
PY
echo "| store of the kept session | login reusing it, median | min-max |"
echo "|---|---|---|"
# Everything of the keyring daemons lives in $tmp (HOME), never in the real home directory.
keyctl session - python3 "$tmp/measure.py" "$bin" "$tmp" "$SANDBOX_URL" "$runs" kernel
python3 "$tmp/measure.py" "$bin" "$tmp" "$SANDBOX_URL" "$runs" file
HOME="$tmp" dbus-run-session -- bash -c 'echo -n bench | gnome-keyring-daemon --unlock --components=secrets > /dev/null
  exec python3 "$@"' bash "$tmp/measure.py" "$bin" "$tmp" "$SANDBOX_URL" "$runs" secret-service 2>&1 |
  grep -v '^dbus-daemon'
