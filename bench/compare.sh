#!/usr/bin/env bash
# aws-token against gimme-aws-creds, aws-okta-processor, okta-awscli and tokendito on the same https
# login (bench/compare.py): installs the four into a virtualenv (target/bench-peers), serves the
# sandbox over TLS with a user that has a password and one role, and runs ROUNDS (default 10)
# alternating rounds. Prints the table and writes the chart to bench/compare.svg.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-10}"
cargo build --release --quiet --workspace --bins
bin=$PWD/target/release
venv="$PWD/target/bench-peers"
if ! "$venv/bin/python" -c "import gimme_aws_creds, aws_okta_processor, oktaawscli, tokendito" 2> /dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check gimme-aws-creds aws-okta-processor okta-awscli tokendito
fi
command -v /usr/bin/time > /dev/null || { echo "bench/compare.sh needs GNU time (apt-get install time)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'kill "${SANDBOX_PID:-}" 2>/dev/null; rm -rf "$tmp"' EXIT
"$bin/aws-token-sandbox" demo-users | python3 -c '
import json, sys
d = json.load(sys.stdin)
u = dict(d["users"][1], login="bench@example.com")
u["apps"] = {"0oaawsdemo0000000001": ["arn:aws:iam::111111111111:role/Admin"]}
d["users"].append(u)
json.dump(d, open(sys.argv[1], "w"))
' "$tmp/users.json"
source scripts/sandbox.sh
AWS_TOKEN_SANDBOX_LOG_REQUESTS=1 start_sandbox "$bin" "$tmp" --users "$tmp/users.json" --tls "$tmp/ca.pem"
python3 bench/compare.py "$SANDBOX_URL" "$tmp/ca.pem" "$bin/aws-token" "$venv" "$rounds" bench/compare.svg "$tmp/sandbox.log"
