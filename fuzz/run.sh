#!/usr/bin/env bash
# Fuzz every reader of outside input with libFuzzer (cargo-fuzz): the SAML parser, the
# credentials-file editor, the config parser, Okta's IDX answers (FastPass and security-key
# challenges), security-key challenge data, embed pages, HTML login pages (Duo, Entra),
# the cache files and a kept session. SECONDS each (default 30; CI runs this short run, a release
# check runs 600). Seeds under fuzz/seeds/TARGET start each corpus when present.
# Installs cargo-fuzz when missing. cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the stable
# toolchain accept them (there is no other toolchain on these machines). A crash fails the run and
# leaves its input in fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-30}"
command -v cargo-fuzz > /dev/null || cargo install --quiet --locked cargo-fuzz
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O
for target in saml credentials_file config idx_answer webauthn_challenge okta_page html_page cache_file kept_session; do
  mkdir -p "corpus/$target"
  if [ -d "seeds/$target" ]; then cp -n seeds/"$target"/* "corpus/$target/" 2> /dev/null || true; fi
  out=$(cargo fuzz run -O "$target" "corpus/$target" -- -max_total_time="$seconds" 2>&1) || {
    echo "$out" | tail -40 >&2
    echo "fuzz/run.sh: $target: crash (input in fuzz/artifacts/$target/)" >&2
    exit 1
  }
  echo "fuzz/run.sh: $target: $(echo "$out" | grep -E '^Done [0-9]+ runs' | tail -1), no crash"
done
