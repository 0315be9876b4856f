# Sourced by the demo, benchmark and release scripts: start_sandbox BIN_DIR WORK_DIR [ARGS...]
# starts aws-token-sandbox in the background, waits until it prints its URL, and sets SANDBOX_URL and
# SANDBOX_PID. The caller stops it (kill "$SANDBOX_PID") in its EXIT trap.
start_sandbox() {
  local bin=$1 dir=$2
  shift 2
  "$bin/aws-token-sandbox" "$@" > "$dir/sandbox.url" 2> "$dir/sandbox.log" &
  SANDBOX_PID=$!
  for _ in $(seq 100); do
    [ -s "$dir/sandbox.url" ] && break
    kill -0 "$SANDBOX_PID" 2> /dev/null || { cat "$dir/sandbox.log" >&2; return 1; }
    sleep 0.05
  done
  SANDBOX_URL=$(head -n1 "$dir/sandbox.url")
  [ -n "$SANDBOX_URL" ] || { echo "the sandbox did not start" >&2; return 1; }
}
