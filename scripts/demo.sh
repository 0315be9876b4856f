#!/usr/bin/env bash
# The end-to-end demo: build aws-token and its sandbox, start the sandbox (a local Okta org and STS on
# a random loopback port), log in as the demo user with a generated TOTP code, write credentials into
# a temporary HOME and show what was written; then the daily commands on the same sign-in (no
# password or code again): credential-process (through the AWS CLI's own botocore when the test venv
# has it, else its JSON), exec, roles and console. Nothing outside this machine is contacted.
# `scripts/demo.sh --identity-engine`: the same at an Okta Identity Engine org (the IDX API).
set -euo pipefail
cd "$(dirname "$0")/.."
# USB security keys (the default usb-keys feature) need libudev's headers; the demo needs no
# security key, so a machine without them builds without the feature.
features=()
if ! pkg-config --exists libudev 2> /dev/null; then
  echo "== no libudev-dev here: building without USB security keys (the demo needs none)" >&2
  features=(--no-default-features)
fi
cargo build --quiet --workspace --bins "${features[@]}"
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
run() {
  HOME="$home" AWS_ENDPOINT_URL_STS="$url/sts" AWS_TOKEN_FEDERATION_URL="$(grep -o 'http://[^ ]*/federation' "$home/sandbox.log" | head -n1)" \
    "$bin/aws-token" --config "$home/config.json" "$@" < /dev/null
}
echo "== aws-token roles (the kept session: no password, no code)" >&2
run roles
echo "== aws-token exec --role ReadOnly -- env | grep ^AWS_ (secrets shortened)" >&2
run exec --role ReadOnly -- env | grep '^AWS_' | sort | sed -E 's/^(AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)=(.{8}).*/\1=\2.../'
cat >> "$home/.aws/config" <<INI

[profile staging-readonly]
credential_process = $PWD/$bin/aws-token credential-process --config $home/config.json --role ReadOnly
region = us-east-1
INI
venv="${AWS_TOKEN_TEST_VENV:-$PWD/target/test-venv}"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import botocore' 2> /dev/null; then
  echo "== botocore resolves [profile staging-readonly] through credential_process" >&2
  HOME="$home" AWS_ENDPOINT_URL_STS="$url/sts" "$venv/bin/python" -c '
import botocore.session
c = botocore.session.Session(profile="staging-readonly").get_credentials().get_frozen_credentials()
print("access key", c.access_key, "from aws-token credential-process")'
else
  echo "== aws-token credential-process --role ReadOnly (credential_process v1 JSON, secrets shortened)" >&2
  run credential-process --role ReadOnly | sed -E 's/"(SecretAccessKey|SessionToken)":"(.{8})[^"]*"/"\1":"\2..."/g'
fi
echo "== aws-token console --role Admin (a sign-in URL; its token shortened)" >&2
run console --role Admin | sed -E 's/(SigninToken=.{8})[^&]*/\1.../'
