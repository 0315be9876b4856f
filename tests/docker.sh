#!/usr/bin/env bash
# The Docker workflow for real (run by .ci/run): build the base image from the repository's
# Dockerfile and an organisation image with example/build.sh (FROM the base; its ONBUILD copies
# config.json), then run the unchanged example/aws-token wrapper against the sandbox: it must log in,
# write ~/.aws/credentials on the host (the caller's, 0600, other profiles and comments kept) and
# print export lines for eval. `docker` is podman through docker/podman-docker (no Docker engine
# here). No registry image can be pulled here, so the base image's binary is a static one built on
# this machine (scripts/build-static.sh, BINARY_FROM=prebuilt); the final stage is the one users get.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "docker.sh: FAIL: $*" >&2; exit 1; }
command -v podman > /dev/null || fail "podman is missing: run tests/setup.sh (apt-get install podman runc)"
bin=$(scripts/build-static.sh)
ldd "$bin/aws-token" 2>&1 | grep -Eq "statically linked|not a dynamic executable" || fail "$bin/aws-token is not statically linked"

tmp=$(mktemp -d)
export PODMAN_ROOT="$tmp/podman"
trap 'kill "${SANDBOX_PID:-}" 2>/dev/null || true; docker/podman-docker rm -af > /dev/null 2>&1 || true; rm -rf "$tmp" prebuilt' EXIT
mkdir -p "$tmp/path"
ln -s "$PWD/docker/podman-docker" "$tmp/path/docker"
export PATH="$tmp/path:$PATH"

# The base image, from this repository's Dockerfile.
rm -rf prebuilt && mkdir prebuilt
cp "$bin/aws-token" prebuilt/aws-token
cp /etc/ssl/certs/ca-certificates.crt prebuilt/ca-certificates.crt
docker build -q --build-arg BINARY_FROM=prebuilt -t aws-token:latest . > /dev/null
user=$(docker image inspect aws-token:latest --format '{{.Config.User}}')
[ "$user" = "10001:10001" ] || fail "the image runs as '$user', not the non-root 10001:10001"
size=$(docker image inspect aws-token:latest --format '{{.Size}}')
cid=$(docker create aws-token:latest)
docker cp "$cid:/etc/ssl/certs/ca-certificates.crt" "$tmp/image-ca.crt"
docker rm "$cid" > /dev/null
[ "$(grep -c 'BEGIN CERTIFICATE' "$tmp/image-ca.crt")" -gt 50 ] || fail "the image carries no CA bundle"

# The sandbox on a free port (the container shares the host network).
source scripts/sandbox.sh
start_sandbox "$bin" "$tmp"
url=$SANDBOX_URL

# The organisation image: example/ as an organisation copies it, with its config.json.
org="$tmp/org"
cp -r example "$org"
cat > "$org/config.json" <<JSON
{"region": "eu-west-1", "idpEntryUrl": "$url/home/amazon_aws/0oaawsdemo0000000001/272",
 "defaultAccount": "staging", "accounts": {"staging": "111111111111", "development": "222222222222"}}
JSON
AWS_TOKEN_BASE=aws-token:latest AWS_TOKEN_IMAGE=example-org/aws-token-config "$org/build.sh" 2> "$tmp/build.err" \
  || fail "example/build.sh: $(cat "$tmp/build.err")"
docker run --rm example-org/aws-token-config:latest --show-config 2> "$tmp/shown.err" > "$tmp/shown" \
  || fail "--show-config in the organisation image: $(cat "$tmp/shown.err")"
grep -q "config from /etc/aws-token/config.json" "$tmp/shown.err" || fail "ONBUILD did not copy config.json: $(cat "$tmp/shown.err")"
docker run --rm --entrypoint /usr/local/bin/aws-token example-org/aws-token-config:latest --version > /dev/null \
  || fail "the binary does not run in the image"

# The wrapper, unchanged, as a user runs it: HOME with an existing credentials file.
home="$tmp/home"
mkdir -p "$home/.aws"
printf '# my keys\n[default]\naws_access_key_id = AKIAKEEPME\naws_secret_access_key = keep\n' > "$home/.aws/credentials"
chmod 0644 "$home/.aws/credentials"
out=$(HOME="$home" AWS_TOKEN_IMAGE=example-org/aws-token-config:latest AWS_ENDPOINT_URL_STS="$url/sts" \
  AWS_TOKEN_PASSWORD="correct horse" "$org/aws-token" --username nomfa@example.com --role Admin < /dev/null 2> "$tmp/run.err") \
  || fail "the wrapper's login: $(cat "$tmp/run.err")"
[ "$out" = $'export AWS_PROFILE=staging\nexport AWS_DEFAULT_REGION=eu-west-1' ] || fail "stdout: $out"
creds="$home/.aws/credentials"
[ "$(stat -c %u:%g "$creds")" = "$(id -u):$(id -g)" ] || fail "credentials owned by $(stat -c %u:%g "$creds"), not the caller"
[ "$(stat -c %a "$creds")" = 600 ] || fail "credentials mode $(stat -c %a "$creds")"
grep -q '^# my keys$' "$creds" && grep -q '^aws_access_key_id = AKIAKEEPME$' "$creds" || fail "other profiles or comments lost: $(cat "$creds")"
grep -A4 '^\[staging\]' "$creds" | grep -q '^aws_session_token = ' || fail "no staging profile written: $(cat "$creds")"
grep -q 'region = eu-west-1' "$home/.aws/config" || fail "no region in ~/.aws/config"

# eval "$(aws-token ...)" gives the export lines.
eval "$(HOME="$home" AWS_TOKEN_IMAGE=example-org/aws-token-config:latest AWS_ENDPOINT_URL_STS="$url/sts" \
  AWS_TOKEN_PASSWORD="correct horse" "$org/aws-token" --username nomfa@example.com --role Admin --account development < /dev/null 2> /dev/null)"
[ "${AWS_PROFILE:-}" = development ] && [ "${AWS_DEFAULT_REGION:-}" = eu-west-1 ] || fail "eval gave AWS_PROFILE=${AWS_PROFILE:-} AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-}"

echo "docker.sh: ok: base and organisation images built with podman, the wrapper logged in and wrote ~/.aws; image size $size bytes ($(numfmt --to=iec-i --suffix=B "$size"))"
