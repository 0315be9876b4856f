#!/usr/bin/env bash
# The whole test suite: install the test dependencies (moto's STS server and botocore in a Python
# virtualenv), then run every unit and integration test of the workspace, and print one total.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# A kernel session keyring of the suite's own (as a desktop or SSH login has one), so the tests
# keep IdP sessions in a real keyring; without keyctl they use aws-token's 0600 file fall-back,
# which CI does not accept (tests/sessions.rs).
keyring=()
if command -v keyctl > /dev/null; then
  keyring=(keyctl session -)
  # The keyring tests then fail when no keyring answers (tests/sessions.rs).
  export AWS_TOKEN_TEST_KEYRING=required
fi
"${keyring[@]}" cargo test --workspace --no-fail-fast "$@" 2>&1 | tee "$log" || status=$?
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "\ntotal: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
