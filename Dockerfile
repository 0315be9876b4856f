# syntax=docker/dockerfile:1
# The aws-token base image: a static (musl) binary on an empty image, run as a non-root user.
# An organisation's image is two lines (see example/Dockerfile):
#     FROM <org>/aws-token
#     (config.json beside the Dockerfile is copied in by the ONBUILD below)

FROM rust:1-alpine AS build
# aws-lc-sys (TLS crypto) compiles C; alpine's toolchain targets musl, so the result is static.
RUN apk add --no-cache build-base cmake perl musl-dev
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin aws-token \
 && mkdir -p /out/etc/aws-token /out/home/aws-token/.aws /out/usr/local/bin \
 && cp target/release/aws-token /out/usr/local/bin/aws-token \
 && echo 'aws-token:x:10001:10001:aws-token:/home/aws-token:/sbin/nologin' > /out/etc/passwd \
 && echo 'aws-token:x:10001:' > /out/etc/group \
 && chown -R 10001:10001 /out/home/aws-token

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/ /
USER 10001:10001
ENV HOME=/home/aws-token
WORKDIR /home/aws-token
ENTRYPOINT ["/usr/local/bin/aws-token"]
# The organisation image: its config.json becomes the config in effect (/etc/aws-token/config.json).
ONBUILD COPY config.json /etc/aws-token/config.json
