#!/usr/bin/env bash
# The end-to-end demo: build aws-token and its sandbox, start the sandbox (a local Okta org and STS on
# a random loopback port), log in as the demo user with a generated TOTP code, write credentials into
# a temporary HOME and show what was written. Nothing outside this machine is contacted.
# `scripts/demo.sh --identity-engine`: the same at an Okta Identity Engine org (the IDX API).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --workspace --bins
bin=target/debug
home=$(mktemp -d)
trap 'kill "${SANDBOX_PID:-}" 2>/dev/null; rm -rf "$home"' EXIT
source scripts/sandbox.sh
start_sandbox "$bin" "$home" "$@"
url=$SANDBOX_URL
cat > "$home/config.json" <<JSON
{
  "awsConfigPath": "/.aws/credentials",
  "outputFormat": "json",
  "region": "us-east-1",
  "provider": "okta",
  "idpEntryUrl": "$url/home/amazon_aws/0oaawsdemo0000000001/272",
  "defaultAccount": "staging",
  "accounts": { "staging": "111111111111", "development": "222222222222" }
}
JSON
echo "== sandbox at $url; HOME=$home" >&2
echo "== aws-token --username demo@example.com --otp <TOTP> --role Admin" >&2
HOME="$home" AWS_ENDPOINT_URL_STS="$url/sts" AWS_TOKEN_PASSWORD="correct horse" \
  "$bin/aws-token" --config "$home/config.json" --username demo@example.com \
  --otp "$("$bin/aws-token-sandbox" totp)" --role Admin < /dev/null
echo "== $home/.aws/credentials (secrets shortened)" >&2
sed -E 's/^(aws_secret_access_key|aws_session_token) = (.{8}).*/\1 = \2.../' "$home/.aws/credentials"
echo "== $home/.aws/config" >&2
cat "$home/.aws/config"
