# qss-forwarder container image. Build: docker build -t qss-forwarder:local .
#
# Two stages: `build` compiles the one native module (better-sqlite3) and installs the production
# dependencies; `runtime` is the same slim Node image with only what runs: bin/, src/, config/,
# package.json and node_modules. TypeScript runs through tsx (a production dependency), so there is
# no compile step. Run it with a read-only root filesystem: the only writable places it needs are
# the data volume /var/lib/qss-forwarder and /tmp (tsx's compile cache). Details: docs/deploy.md.
#
# Base image: Node 24, the current LTS line (Node 20 reached its end of life in April 2026). .ci/run
# runs the whole test suite on this same release, and on Node 20 (package.json engines claims only
# those two lines). The dependencies' majors (better-sqlite3 12, commander 14, undici 7) support
# both. Pinned by exact version here; pin the digest too (node:24.22.3-bookworm-slim@sha256:…)
# where the image is published.

FROM node:24.22.3-bookworm-slim AS build

# node-gyp needs python3, make and a C++ compiler to build better-sqlite3 from source. The headers
# come from the image itself (npm_config_nodedir), so nothing is downloaded from nodejs.org; and
# better-sqlite3 is compiled rather than fetched as a prebuilt binary from GitHub.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

ENV npm_config_nodedir=/usr/local \
    npm_config_build_from_source=true \
    npm_config_update_notifier=false

WORKDIR /app
COPY package.json package-lock.json ./

# Production dependencies only, exactly as locked. Install scripts are off for every package, then
# run for the two that package.json's `allowScripts` approves (better-sqlite3: the native build;
# esbuild: its binary check) — the same allow-list npm 11 applies, enforced here whatever npm
# version the base image bundles (an npm without that allow-list ignores `allowScripts`). Then prove
# the native module loads, as .ci/run does.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 esbuild \
 && node -e "const D = require('better-sqlite3'); new D(':memory:').close(); console.log('better-sqlite3 ok')"


FROM node:24.22.3-bookworm-slim AS runtime

ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=unknown

LABEL org.opencontainers.image.title="qss-forwarder" \
      org.opencontainers.image.description="Receives Zoom Quality of Service Subscription (QSS) webhooks, makes them durable and forwards them to OpenTelemetry, Splunk HEC, Datadog and files" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.documentation="docs/deploy.md" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/node:24.22.3-bookworm-slim"

# The shipped config/forwarder.yaml binds the admin listener to ${ADMIN_HOST:-127.0.0.1}: in a
# container, 127.0.0.1 would be unreachable through a published port, so the image opens it (publish
# it on the host's loopback, or keep it on a private network: /metrics is unauthenticated).
ENV NODE_ENV=production \
    ADMIN_HOST=0.0.0.0

WORKDIR /app

# An unprivileged user with a fixed numeric id (Kubernetes runAsNonRoot can check it; volumes can
# be chowned to it). The data volume belongs to it; the code does not (it stays root-owned and
# read-only to the process).
# The shipped config says `data_dir: ./data` (and ./data/bus.sqlite, ./data/spool.sqlite,
# ./data/*.jsonl): /app/data is a link to the volume, so those relative paths land on the volume
# and the shipped config works unchanged.
RUN groupadd --system --gid 10001 qss \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin qss \
 && mkdir -p /var/lib/qss-forwarder \
 && chown 10001:10001 /var/lib/qss-forwarder \
 && chmod 0750 /var/lib/qss-forwarder \
 && ln -s /var/lib/qss-forwarder /app/data

COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY config ./config

# Smoke test at build time: tsx, the CLI and the config schemas load, and the shipped config is
# valid. It writes only tsx's cache, which is removed again.
RUN node bin/qss-forwarder.js validate \
 && rm -rf /tmp/tsx-*

USER 10001:10001

# Writable mounts for a read-only root filesystem. The data volume holds the embedded store
# (bus.sqlite), the Kafka spool (spool.sqlite), the generated local secret token and file sinks.
VOLUME ["/var/lib/qss-forwarder", "/tmp"]

# 8080: webhooks (PORT). 9464: admin — /healthz, /readyz, /metrics (ADMIN_PORT).
EXPOSE 8080 9464

# Liveness through the admin listener's /healthz, with node itself (the slim image has no curl).
# It follows ADMIN_PORT; if you move the admin port in the config file instead, set ADMIN_PORT too.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.ADMIN_PORT || 9464) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Exec form: node is PID 1 and receives SIGTERM itself. The forwarder handles SIGTERM and SIGINT
# (drain: stop accepting, finish in-flight requests, give in-flight batches
# worker.shutdown_grace_ms, commit, exit 0) and SIGHUP (re-read sinks.yaml), and starts no child
# processes, so no init process is needed; `docker run --init` (compose `init: true`) adds one if
# you prefer.
ENTRYPOINT ["node", "/app/bin/qss-forwarder.js"]
CMD ["serve"]
