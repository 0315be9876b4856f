#!/usr/bin/env bash
# Install what the integration tests need besides Rust: a Python virtualenv with moto's STS server
# (moto, flask, flask-cors) and botocore (to check that the written files parse as the AWS CLI reads
# them); the npm package saml-idp (a real signing SAML IdP) in tests/saml-idp; from Debian when
# missing: node, npm, openssl, Chromium (the browser providers), Xvfb (a display for the "browser"
# provider's window) and certutil (libnss3-tools: a CA in the user's NSS database, as Chromium trusts
# a corporate CA), podman with runc (tests/docker.sh builds and runs the Docker image with them) and
# keyutils (the tests run in a kernel session keyring: kept IdP sessions go to a real keyring),
# gnome-keyring and dbus-daemon (a real Secret Service on a private D-Bus session, for the tests of
# that backend), libudev-dev and pkg-config (the usb-keys feature builds against libudev), zsh and
# fish (the completion scripts are tried in every shell they are written for).
# Idempotent; the venv lives in target/test-venv unless AWS_TOKEN_TEST_VENV says
# otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v node > /dev/null || missing+=(nodejs)
command -v npm > /dev/null || missing+=(npm)
command -v openssl > /dev/null || missing+=(openssl)
command -v chromium > /dev/null || missing+=(chromium)
command -v Xvfb > /dev/null || missing+=(xvfb)
command -v certutil > /dev/null || missing+=(libnss3-tools)
command -v podman > /dev/null || missing+=(podman)
command -v runc > /dev/null || missing+=(runc)
command -v keyctl > /dev/null || missing+=(keyutils)
command -v gnome-keyring-daemon > /dev/null || missing+=(gnome-keyring)
command -v dbus-run-session > /dev/null || missing+=(dbus-daemon)
# The completion scripts are pressed Tab in, in a pseudo-terminal, in each shell Debian ships.
command -v zsh > /dev/null || missing+=(zsh)
command -v fish > /dev/null || missing+=(fish)
# USB security keys (the default usb-keys feature) link libudev, found through pkg-config.
command -v pkg-config > /dev/null || missing+=(pkg-config)
pkg-config --exists libudev 2> /dev/null || missing+=(libudev-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "tests/setup.sh: installing ${missing[*]} from Debian" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" > /dev/null
fi

# saml-idp, pinned by tests/saml-idp/package-lock.json (overrides samlp to 7.1.1).
if [ ! -d tests/saml-idp/node_modules/saml-idp ] || [ tests/saml-idp/package-lock.json -nt tests/saml-idp/node_modules ]; then
  (cd tests/saml-idp && npm ci --no-audit --no-fund --loglevel=error)
fi

venv="${AWS_TOKEN_TEST_VENV:-$PWD/target/test-venv}"
stamp="$venv/.aws-token-test-deps"
wanted="moto==5.2.* flask flask-cors botocore"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && "$venv/bin/python" -c "import moto, flask, flask_cors, botocore" 2>/dev/null; then
  exit 0
fi
python3 -m venv "$venv"
# shellcheck disable=SC2086
"$venv/bin/pip" install --quiet --disable-pip-version-check $wanted
"$venv/bin/python" -c "import moto, flask, flask_cors, botocore; print('test venv ready: moto', moto.__version__)"
test -x "$venv/bin/moto_server"
echo "$wanted" > "$stamp"
