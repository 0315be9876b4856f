#!/usr/bin/env bash
# `aws-token status` and the local credential endpoint (issue 21.6), whole process / whole request:
# status (text and --output json) with two profiles, a cached role and a kept session on record;
# and the credential endpoint of `aws-token serve` answering a fresh connection per request, as the
# SDKs make one (Python's http.client; its own cost is part of the figure). RUNS (default 50) each
# after a warm-up; medians, min/max. Target: both at most 3 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-50}"
cargo build --release --quiet --workspace --bins
bin=$PWD/target/release
tmp=$(mktemp -d)
trap 'kill "${SANDBOX_PID:-}" "${SERVE_PID:-}" 2>/dev/null; rm -rf "$tmp"' EXIT
source scripts/sandbox.sh
start_sandbox "$bin" "$tmp"
url=$SANDBOX_URL
cat > "$tmp/config.json" <<JSON
{"region": "us-east-1", "idpEntryUrl": "$url/home/amazon_aws/0oaawsdemo0000000001/272",
 "defaultAccount": "staging", "accounts": {"staging": "111111111111"}}
JSON
export HOME="$tmp" AWS_ENDPOINT_URL_STS="$url/sts" NO_COLOR=1 AWS_TOKEN_KEYRING=file
aws=("$bin/aws-token" --config "$tmp/config.json" --username nomfa@example.com)
AWS_TOKEN_PASSWORD="correct horse" "${aws[@]}" --role Admin -q > /dev/null
"${aws[@]}" --role ReadOnly --profile ro -q > /dev/null
"${aws[@]}" --role ReadOnly credential-process > /dev/null
"${aws[@]}" --role Admin serve > "$tmp/serve.env" 2> "$tmp/serve.err" < /dev/null &
SERVE_PID=$!
for _ in $(seq 100); do [ -s "$tmp/serve.env" ] && grep -q TOKEN "$tmp/serve.env" && break; sleep 0.05; done
python3 - "$runs" "$tmp/serve.env" "${aws[@]}" <<'PY'
import http.client, os, statistics, subprocess, sys, time, urllib.parse
runs, envfile, aws = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
def median(name, f):
    f(); f()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    print(f"{name}: median {statistics.median(ts)*1000:.2f} ms (min {min(ts)*1000:.2f}, max {max(ts)*1000:.2f}), {runs} runs")
def status(*extra):
    def run():
        p = subprocess.run(aws + ["status", *extra], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0 or b"staging" not in p.stdout:
            sys.exit(f"status: {p.stderr.decode()}")
    return run
median("status", status())
median("status --output json", status("--output", "json"))
vars = dict(l.removeprefix("export ").split("=", 1) for l in open(envfile).read().split("\n") if l.startswith("export "))
u = urllib.parse.urlsplit(vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
def get():
    c = http.client.HTTPConnection(u.hostname, u.port)
    c.request("GET", u.path, headers={"Authorization": vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
    r = c.getresponse(); body = r.read(); c.close()
    if r.status != 200 or b"AccessKeyId" not in body:
        sys.exit(f"endpoint: {r.status} {body!r}")
median("endpoint, cached answer (new connection each)", get)
PY
rss=$(awk '/VmHWM/ {print $2}' /proc/$SERVE_PID/status)
echo "serve peak RSS after the runs: $((rss / 1024)) MiB"
