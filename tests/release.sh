#!/usr/bin/env bash
# Release smoke test (run by .ci/run): build the (static) release binaries with a config.json baked in
# (AWS_TOKEN_EMBED_CONFIG), then check against the sandbox that the embedded config is used when no
# file is found, that a file on disk still wins, and report the binary's size.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'kill "${SANDBOX_PID:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
cat > "$tmp/org-config.json" <<JSON
{"region": "eu-west-1", "idpEntryUrl": "$url/home/amazon_aws/0oaawsdemo0000000001/272",
 "defaultAccount": "staging", "accounts": {"staging": "111111111111"}}
JSON
# The static build tests/docker.sh uses too: only aws-token itself is rebuilt for the embedded config.
bin=$(AWS_TOKEN_EMBED_CONFIG="$tmp/org-config.json" scripts/build-static.sh)
source scripts/sandbox.sh
start_sandbox "$bin" "$tmp" --port "$port"

fail() { echo "release.sh: FAIL: $*" >&2; exit 1; }
home="$tmp/home"; mkdir -p "$home/work"; cd "$home/work"
run() { env -i PATH="$PATH" HOME="$home" AWS_ENDPOINT_URL_STS="$url/sts" ${AWS_TOKEN_PASSWORD:+AWS_TOKEN_PASSWORD="$AWS_TOKEN_PASSWORD"} "$bin/aws-token" "$@" < /dev/null; }

run --show-config > "$tmp/shown" 2> "$tmp/err" || fail "--show-config exited $?"
grep -q "embedded in aws-token (built from $tmp/org-config.json)" "$tmp/err" || fail "source not reported: $(cat "$tmp/err")"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(a!=b)' "$tmp/shown" "$tmp/org-config.json" \
  || fail "shown config differs from the embedded one"

run --version | grep -q "; config embedded from $tmp/org-config.json; no USB security keys: built without the usb-keys feature)" \
  || fail "--version does not name the embedded config and the missing USB keys: $(run --version)"
# The static build has no USB security keys (no libudev): a security-key sign-in says so, exit 4.
status=0; AWS_TOKEN_PASSWORD="correct horse" run --username webauthn@example.com --role Admin --mfa security-key > /dev/null 2> "$tmp/err" || status=$?
[ "$status" = 4 ] && grep -q "built without USB security-key support" "$tmp/err" \
  || fail "a security key in the static build: exit $status: $(cat "$tmp/err")"

out=$(AWS_TOKEN_PASSWORD="correct horse" run --username nomfa@example.com --role Admin 2> "$tmp/err") || fail "login with the embedded config: $(cat "$tmp/err")"
[ "$out" = $'export AWS_PROFILE=staging\nexport AWS_DEFAULT_REGION=eu-west-1' ] || fail "unexpected stdout: $out"
grep -q '^aws_session_token = ' "$home/.aws/credentials" || fail "no credentials written"

# configure has nothing to do with a config built in, and says so without writing one.
run configure 2> "$tmp/err" > /dev/null || fail "configure with an embedded config exited $?: $(cat "$tmp/err")"
grep -q "has its organisation's config built in" "$tmp/err" || fail "configure did not say the config is built in: $(cat "$tmp/err")"
[ ! -e "$home/.config/aws-token/config.json" ] || fail "configure wrote a config over the embedded one"

echo '{"accounts": {"ondisk": "333333333333"}, "idpEntryUrl": "https://x.example.com/home/amazon_aws/0oa1234567890abcdefg/1"}' > config.json
run --show-config 2> "$tmp/err" > /dev/null || fail "--show-config with a file"
grep -q "config from $home/work/config.json" "$tmp/err" || fail "a file on disk should win: $(cat "$tmp/err")"

size=$(stat -c %s "$bin/aws-token")
[ "$size" -le $((15 * 1024 * 1024)) ] || fail "release binary is $size bytes (> 15 MiB)"
echo "release.sh: ok: the embedded config is used, a file on disk wins, binary $size bytes"
