# syntax=docker/dockerfile:1
# market-intel worker image (issue 9).
#
#   docker build -t market-intel .
#   docker run --init --rm -e SYMBOLS=AAPL,MSFT -p 9090:9090 -p 5555:5555 market-intel
#   docker run --init --rm market-intel run --source replay:sample --interval 0.2
#
# Configuration comes from the environment only (SYMBOLS, CAPITAL, REDIS_HOST,
# MYSQL_HOST, INFLUXDB_URL, ...: every name is in .env.example); no .env file
# is copied into the image. Flags after the image name replace CMD.
#
# better-sqlite3 and zeromq are native addons: they are compiled (or their
# prebuilt binaries fetched) in the build stage, on the same base image as the
# runtime stage, and node_modules is copied over, so the runtime stage needs
# no compiler.
#
# The TensorFlow.js native backends (@tensorflow/tfjs-node, -gpu) are optional
# dependencies that download libtensorflow at install time; they are left out
# by default and the simulation runs on WebAssembly. Build with
#   --build-arg WITH_TFJS_NODE=1
# to include @tensorflow/tfjs-node (CPU). The GPU build needs a CUDA base image
# and is not covered here.
ARG NODE_IMAGE=node:22-bookworm-slim

# ---------------------------------------------------------------- build ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# node-gyp's toolchain, used when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ARG WITH_TFJS_NODE=0
COPY package.json package-lock.json ./
# Install every dependency (dev included, for tsc) without lifecycle scripts:
# `npm ci` would otherwise run "prepare" (the build) before src/ is here. The
# native addons are then built explicitly.
RUN set -eux; \
    if [ "$WITH_TFJS_NODE" = 1 ]; then omit=""; extra="@tensorflow/tfjs-node"; else omit="--omit=optional"; extra=""; fi; \
    npm ci --no-audit --no-fund --ignore-scripts $omit; \
    npm rebuild better-sqlite3 zeromq bufferutil utf-8-validate $extra
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# -------------------------------------------------------------- runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/data
# METRICS_PORT is deliberately not set here: unset, the worker listens on
# $PORT (set by platforms such as Railway), else 9090.
WORKDIR /app
RUN groupadd --system --gid 10001 market-intel \
 && useradd --system --uid 10001 --gid market-intel --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin market-intel \
 && mkdir -p /data \
 && chown market-intel:market-intel /data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json init-db.sql .env.example ./
COPY bin ./bin
COPY assets ./assets
# `market-intel` on PATH: Node resolves the symlink, so bin/market-intel
# still imports ../dist/cli.js from /app.
RUN chmod 0755 /app/bin/market-intel \
 && ln -s /app/bin/market-intel /usr/local/bin/market-intel
USER market-intel:market-intel
# Ledgers, the embedded SQLite archive and the spool of unwritten events.
VOLUME ["/data"]
# 9090: /metrics, /health, /ready, /live, /status. 5555: the ZeroMQ PUB socket.
EXPOSE 9090 5555
# /health is 200 once a tick completed recently; the start period covers
# start-up (simulation warm-up, first provider round trip). No curl in slim:
# Node's fetch does the request.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.METRICS_PORT || process.env.PORT || 9090) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The worker finishes its tick and exits 0 within 5 s of SIGTERM; docker's
# default 10 s stop timeout is enough. Run with --init (compose: init: true)
# so that PID 1 is a real init.
STOPSIGNAL SIGTERM
ENTRYPOINT ["market-intel"]
CMD ["run"]
