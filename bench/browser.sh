#!/usr/bin/env bash
# Browser login benchmark: RUNS (default 7) whole `aws-token` processes with provider okta-browser
# against the sandbox's JavaScript sign-in page (username, password, TOTP; Chromium start and exit
# included), headless Debian chromium. Prints the median and the spread, and the CPU seconds each
# login costs (aws-token, Chromium and all its helpers: this script is their subreaper and reaps them).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
cargo build --release --quiet --workspace --bins
bin=$PWD/target/release
tmp=$(mktemp -d)
trap 'kill "${SANDBOX_PID:-}" 2>/dev/null; rm -rf "$tmp"' EXIT
source scripts/sandbox.sh
start_sandbox "$bin" "$tmp"
url=$SANDBOX_URL
cat > "$tmp/config.json" <<JSON
{"provider": "okta-browser", "region": "us-east-1", "idpEntryUrl": "$url/home/amazon_aws/0oaawsdemo0000000001/272",
 "defaultAccount": "staging", "accounts": {"staging": "111111111111"}}
JSON
python3 - "$bin" "$tmp" "$url" "$runs" <<'PY'
import ctypes, os, resource, statistics, subprocess, sys, time
bin, tmp, url, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
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
    c0 = cpu()
    code = subprocess.run([bin + "/aws-token-sandbox", "totp"], capture_output=True, text=True, check=True).stdout.strip()
    t0 = time.perf_counter()
    p = subprocess.run([bin + "/aws-token", "--config", tmp + "/config.json", "--username", "demo@example.com",
                        "--otp", code, "--role", "Admin", "-q", "--force"], env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("aws-token failed: " + p.stderr)
    reap()
    if i:  # the first run warms the page cache
        times.append(dt)
        cpus.append(cpu() - c0)
print(f"okta-browser login, whole process, {runs} runs: median {statistics.median(times)*1000:.0f} ms "
      f"(min {min(times)*1000:.0f}, max {max(times)*1000:.0f}); CPU per login (all processes): "
      f"median {statistics.median(cpus):.2f} s (min {min(cpus):.2f}, max {max(cpus):.2f})")
PY
