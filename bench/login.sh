#!/usr/bin/env bash
# Full login benchmark: release build, sandbox started on a free port, then bench/login.py times
# RUNS (default 25) whole aws-token processes (password + TOTP + STS + file write) against it and the
# same round trips from a minimal client. Prints medians and peak RSS; also the release binary size.
# `bench/login.sh RUNS idx`: the same against an Okta Identity Engine org (the IDX API).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-25}"
pipeline="${2:-classic}"
sandbox_args=()
[ "$pipeline" = idx ] && sandbox_args=(--identity-engine)
cargo build --release --quiet --workspace --bins
bin=target/release
tmp=$(mktemp -d)
trap 'kill "${SANDBOX_PID:-}" 2>/dev/null; rm -rf "$tmp"' EXIT
# A bench user per login (a TOTP code is good once): runs x 2 (aws-token and the minimal client) + 7.
python3 bench/totp_users.py "$bin/aws-token-sandbox" "$tmp/users.json" $((runs * 2 + 7))
source scripts/sandbox.sh
start_sandbox "$bin" "$tmp" --users "$tmp/users.json" "${sandbox_args[@]}"
python3 bench/login.py "$SANDBOX_URL" "$bin/aws-token" "$tmp/users.json" "$runs" "$pipeline"
echo "release binary: $(stat -c %s "$bin/aws-token") bytes ($(numfmt --to=iec-i --suffix=B "$(stat -c %s "$bin/aws-token")"))"
