#!/usr/bin/env bash
# Build (and with --push, publish) your organisation's aws-token image from config.json.
#   AWS_TOKEN_BASE   the base image (built from aws-token's Dockerfile), default aws-token:latest
#   AWS_TOKEN_IMAGE  your image's name, default example-org/aws-token-config
set -euo pipefail
cd "$(dirname "$0")"
base="${AWS_TOKEN_BASE:-aws-token:latest}"
image="${AWS_TOKEN_IMAGE:-example-org/aws-token-config}:${AWS_TOKEN_TAG:-latest}"
python3 -m json.tool config.json > /dev/null || { echo "config.json is not valid JSON" >&2; exit 2; }
docker build --build-arg "BASE=$base" -t "$image" .
if [ "${1:-}" = "--push" ]; then
  docker push "$image"
fi
echo "built $image; hand out the aws-token script with AWS_TOKEN_IMAGE=$image" >&2
