#!/usr/bin/env bash
# Full login benchmark: release build, sandbox started on a free port, then bench/login.py times
# RUNS (default 25) whole aws-token processes (password + TOTP + STS + file write) against it and the
# same round trips from a minimal client. Prints medians and peak RSS; also the release binary size.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-25}"
cargo build --release --quiet --workspace --bins
bin=target/release
tmp=$(mktemp -d)
"$bin/aws-token-sandbox" > "$tmp/url" 2> "$tmp/log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ -s "$tmp/url" ] && break; sleep 0.1; done
python3 bench/login.py "$(head -n1 "$tmp/url")" "$bin/aws-token" "$bin/aws-token-sandbox" "$runs"
echo "release binary: $(stat -c %s "$bin/aws-token") bytes ($(numfmt --to=iec-i --suffix=B "$(stat -c %s "$bin/aws-token")"))"
