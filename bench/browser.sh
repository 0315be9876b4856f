#!/usr/bin/env bash
# Browser login benchmark: RUNS (default 7) whole `aws-token` processes with provider okta-browser
# against the sandbox's JavaScript sign-in page (username, password, TOTP; Chromium start and exit
# included), headless Debian chromium. Prints the median and the spread, and the CPU seconds each
# login costs (aws-token, Chromium and all its helpers: this script is their subreaper and reaps them).
# Every run is a full login: the kept IdP session is cleared first, each signs in as a bench user not
# used before with a fresh TOTP code, and --verbose must show that the code page was answered.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
cargo build --release --quiet --workspace --bins
bin=$PWD/target/release
tmp=$(mktemp -d)
trap 'kill "${SANDBOX_PID:-}" 2>/dev/null; rm -rf "$tmp"' EXIT
python3 bench/totp_users.py "$bin/aws-token-sandbox" "$tmp/users.json" $((runs + 1))
source scripts/sandbox.sh
start_sandbox "$bin" "$tmp" --users "$tmp/users.json"
url=$SANDBOX_URL
cat > "$tmp/config.json" <<JSON
{"provider": "okta-browser", "region": "us-east-1", "idpEntryUrl": "$url/home/amazon_aws/0oaawsdemo0000000001/272",
 "defaultAccount": "staging", "accounts": {"staging": "111111111111"}}
JSON
PYTHONPATH=bench python3 - "$bin" "$tmp" "$url" "$runs" <<'PY'
import ctypes, os, resource, statistics, subprocess, sys, time
from fresh import forget_all_but_pipeline
import totp_users
bin, tmp, url, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
fresh_users = iter(totp_users.users(tmp + "/users.json"))
# PR_SET_CHILD_SUBREAPER: Chromium's helpers, orphaned when it is killed, are reparented here, so
# their CPU time lands in RUSAGE_CHILDREN once reaped.
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)

def reap():
    deadline = time.time() + 5
    while time.time() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.01)

def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

env = {"HOME": tmp, "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL_STS": url + "/sts",
       "AWS_TOKEN_PASSWORD": "correct horse", "NO_COLOR": "1", "AWS_TOKEN_KEYRING": "file"}
times, cpus = [], []
for i in range(runs + 1):
    forget_all_but_pipeline(tmp)
    login, secret = next(fresh_users)
    code = totp_users.code(secret)
    c0 = cpu()
    t0 = time.perf_counter()
    p = subprocess.run([bin + "/aws-token", "--config", tmp + "/config.json", "--username", login,
                        "--otp", code, "--role", "Admin", "--verbose", "--force"], env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("aws-token failed: " + p.stderr)
    if "page state: code" not in p.stderr:
        sys.exit("not a full login (no code page):\n" + p.stderr)
    reap()
    if i:  # the first run warms the page cache
        times.append(dt)
        cpus.append(cpu() - c0)
print(f"okta-browser login, whole process, {runs} runs: median {statistics.median(times)*1000:.0f} ms "
      f"(min {min(times)*1000:.0f}, max {max(times)*1000:.0f}); CPU per login (all processes): "
      f"median {statistics.median(cpus):.2f} s (min {min(cpus):.2f}, max {max(cpus):.2f})")
PY
