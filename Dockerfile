# syntax=docker/dockerfile:1
# The aws-token base image: a static binary and CA certificates on an empty image, run as a
# non-root user. An organisation's image is two lines (see example/Dockerfile):
#     FROM <org>/aws-token
#     (config.json beside the Dockerfile is copied in by the ONBUILD below)
#
# The binary comes from the `build` stage (Rust on Alpine: a static musl binary), or, with
# `--build-arg BINARY_FROM=prebuilt`, from a static binary built beforehand and placed with the CA
# bundle in prebuilt/ of the build context (CI does this where no registry image can be pulled;
# tests/docker.sh). Either way the final stage below is the same.
ARG BINARY_FROM=build

FROM rust:1-alpine AS build
RUN apk add --no-cache build-base ca-certificates
WORKDIR /src
COPY . .
# No USB security keys in a container (and no libudev for a static build): --no-default-features.
RUN cargo build --release --locked --no-default-features --bin aws-token \
 && mkdir -p /out/usr/local/bin /out/etc/ssl/certs \
 && cp target/release/aws-token /out/usr/local/bin/aws-token \
 && cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ca-certificates.crt

FROM scratch AS prebuilt
COPY prebuilt/aws-token /out/usr/local/bin/aws-token
COPY prebuilt/ca-certificates.crt /out/etc/ssl/certs/ca-certificates.crt

FROM ${BINARY_FROM} AS binary

FROM scratch
COPY docker/rootfs/ /
COPY --from=binary /out/ /
USER 10001:10001
ENV HOME=/home/aws-token
WORKDIR /home/aws-token
ENTRYPOINT ["/usr/local/bin/aws-token"]
# The organisation image: its config.json becomes the config in effect (/etc/aws-token/config.json).
ONBUILD COPY config.json /etc/aws-token/config.json
