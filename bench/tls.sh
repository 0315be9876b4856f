#!/usr/bin/env bash
# What https costs a login: release build, one sandbox over http and one over https (a generated
# CA, trusted through SSL_CERT_FILE), then bench/tls.py alternates RUNS (default 25) full logins
# against each. AWS_TOKEN_BIN benchmarks another aws-token binary against the same sandboxes.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-25}"
cargo build --release --quiet --workspace --bins
bin=target/release
tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT
source scripts/sandbox.sh
mkdir "$tmp/http" "$tmp/https"
start_sandbox "$bin" "$tmp/http"; pids+=("$SANDBOX_PID"); http_url=$SANDBOX_URL
start_sandbox "$bin" "$tmp/https" --tls "$tmp/ca.pem"; pids+=("$SANDBOX_PID"); https_url=$SANDBOX_URL
python3 bench/tls.py "${AWS_TOKEN_BIN:-$bin/aws-token}" "$http_url" "$https_url" "$tmp/ca.pem" "$runs"
