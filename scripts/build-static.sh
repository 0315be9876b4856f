#!/usr/bin/env bash
# Build statically linked release binaries (glibc, crt-static) of aws-token and its sandbox, for the
# Docker image's final stage where no Rust image can be pulled (tests/docker.sh) and the release
# smoke test (tests/release.sh), which share this one build, without the usb-keys feature (see
# below). Prints the directory that holds them.
# Extra arguments go to cargo. AWS_TOKEN_EMBED_CONFIG bakes a config in, as for any build.
set -euo pipefail
cd "$(dirname "$0")/.."
target=$(rustc -vV | sed -n 's/^host: //p')
# No USB security keys (the usb-keys feature): they link libudev, which has no static library.
cargo build --release --quiet --workspace --bins --no-default-features --target "$target" \
  --config "target.$target.rustflags=[\"-C\", \"target-feature=+crt-static\"]" "$@" >&2
echo "$PWD/target/$target/release"
