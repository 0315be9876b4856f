#!/usr/bin/env bash
# Install what the integration tests need besides Rust: a Python virtualenv with moto's STS server
# (moto, flask, flask-cors) and botocore (to check that the written files parse as the AWS CLI reads
# them). Idempotent; the venv lives in target/test-venv unless AWS_TOKEN_TEST_VENV says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
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
