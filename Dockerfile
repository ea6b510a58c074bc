# syntax=docker/dockerfile:1
#
# The fleetgraph gateway image: `fleetgraph serve`, as a non-root user, on a read-only root filesystem.
#
#   docker build -t fleetgraph .
#   docker run --rm --read-only --tmpfs /tmp -p 4000:4000 fleetgraph --host 0.0.0.0 --allow-anonymous
#
# Without --kubeconfig the gateway runs its embedded demo fleet (its kubeconfig goes to a temporary folder
# under /tmp). Against a real fleet mount the kubeconfig (or run in-cluster, see deploy/) and, for an audit log
# that outlives the container, a volume at /data with `--audit-db /data/audit.db`. The process writes nowhere
# else: /app is root-owned and read-only to it.
#
# Behind a TLS-intercepting proxy, give its CA to the dependency download as a build secret:
#   docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt -t fleetgraph .
# (scripts/test-image.sh builds this file with podman and runs the result; see `npm run test:image`.)

ARG NODE_IMAGE=docker.io/library/node:20-bookworm-slim

# ---- deps: every dependency installed, better-sqlite3 compiled (cached until package*.json change) ----
FROM ${NODE_IMAGE} AS deps

# better-sqlite3 is compiled from source (node-gyp): it needs Python, make and a C++ compiler. Only the build
# stages have them; the runtime stage copies the compiled module.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

# node-gyp takes Node's headers from the base image (/usr/local/include/node) instead of downloading them, and
# better-sqlite3 builds from source rather than trying a prebuilt download: the same result with or without
# internet access beyond the npm registry.
ENV npm_config_nodedir=/usr/local \
    npm_config_build_from_source=true \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

WORKDIR /src

# --ignore-scripts skips `prepare` (the TypeScript build needs src/, which this stage does not have) and every
# other package's install script; the one native module is then built explicitly.
ARG NPM_REGISTRY=https://registry.npmjs.org/
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=ca \
    if [ -f /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi; \
    npm ci --ignore-scripts --registry "$NPM_REGISTRY" \
 && npm rebuild better-sqlite3

# ---- build: the TypeScript compiled to dist/, the dashboard (ui/, Vite) to dist-ui/ (reruns on a source change) ----
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
COPY ui ./ui
RUN npm run build:ui

# ---- prod-deps: the production dependencies only, without what is needed only to build or type-check ----
FROM deps AS prod-deps
RUN npm prune --omit=dev --ignore-scripts \
 && cd node_modules/better-sqlite3 \
 && mv build/Release/better_sqlite3.node /tmp/ \
 && rm -rf build deps src \
 && mkdir -p build/Release \
 && mv /tmp/better_sqlite3.node build/Release/ \
 && cd /src \
 && find node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete

# ---- runtime: Node, the compiled gateway and its production dependencies; no compiler, no npm cache ----
FROM ${NODE_IMAGE} AS runtime

ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="fleetgraph" \
      org.opencontainers.image.description="A GraphQL gateway over a Karmada multi-cluster Kubernetes fleet, with an embedded fleet simulator" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="docker.io/library/node:20-bookworm-slim"

# A numeric, non-root user (Kubernetes' runAsNonRoot can only verify a numeric USER). /data is the one
# writable place it owns, for a volume (the SQLite audit log); /tmp takes the embedded demo fleet's files.
RUN groupadd --system --gid 10001 fleetgraph \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin fleetgraph \
 && mkdir -p /data \
 && chown 10001:10001 /data

ENV NODE_ENV=production \
    PORT=4000

WORKDIR /app
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# The dashboard served at /ui: static files only (React is bundled in them; Vite stays in the build stage).
COPY --from=build /src/dist-ui ./dist-ui
# Read at run time: the GraphQL schema files, and deploy/rbac (the demo fleet's ClusterRole for its users).
COPY package.json ./
COPY bin ./bin
COPY schema ./schema
COPY deploy ./deploy
RUN ln -s /app/bin/fleetgraph.js /usr/local/bin/fleetgraph

USER 10001:10001
EXPOSE 4000
ENTRYPOINT ["fleetgraph", "serve"]
CMD []
