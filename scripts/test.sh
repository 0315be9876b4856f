#!/usr/bin/env bash
# The whole test suite: install the test dependencies (moto's STS server and botocore in a Python
# virtualenv), then run every unit and integration test of the workspace, and print one total.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --no-fail-fast "$@" 2>&1 | tee "$log" || status=$?
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "\ntotal: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
