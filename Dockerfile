# One image with every Fangxian binary: the four services, the gateway, fx_token and
# fx_health. They share nearly all their libraries and one build, and a rollout pins one
# tag. There is no ENTRYPOINT: each Kubernetes container names its binary in `command:`.
#   docker build -t fangxian:<version> .
# tests/k8s/render_test.sh checks this file statically (no Docker daemon in CI).

# debian:12 follows Debian 12 (bookworm) point releases, so a rebuild picks up security
# fixes; pin a digest (debian:12@sha256:...) where builds must be reproducible.
FROM debian:12 AS build
WORKDIR /src
# The packages alone first, so a source change does not reinstall them. The image build
# runs no tests, so it needs no node/npm.
COPY scripts/deps scripts/deps
RUN FX_DEPS_NO_NODE=1 scripts/deps && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
 && ninja -C build identity_server checkpoint_server quarantine_server publicity_server \
      gateway_server fx_token fx_health

FROM debian:12-slim
# Only the packages of the shared libraries the binaries link (ldd, then dpkg -S on each
# library; apt brings their own dependencies). ca-certificates: a DSN can verify a
# managed PostgreSQL with sslrootcert=/etc/ssl/certs/ca-certificates.crt. No tzdata: the
# code uses fixed UTC+8 and UTC offsets, and PostgreSQL does the calendar work.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libabsl20220623 libgrpc++1.51 libgrpc29 libprotobuf32 libhiredis0.14 libpq5 \
      libsodium23 libjemalloc2 libstdc++6 libgcc-s1 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# A fixed numeric uid/gid: Kubernetes' runAsNonRoot can only verify a numeric USER, and
# fsGroup and volume ownership can rely on it.
RUN groupadd --system --gid 10001 fangxian \
 && useradd --system --uid 10001 --gid fangxian --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin fangxian
COPY --from=build \
     /src/build/services/identity/identity_server \
     /src/build/services/checkpoint/checkpoint_server \
     /src/build/services/quarantine/quarantine_server \
     /src/build/services/publicity/publicity_server \
     /src/build/gateway/gateway_server \
     /src/build/tools/fx_token \
     /src/build/tools/fx_health \
     /usr/local/bin/
USER 10001:10001
