# The edge image: static files from the collected set, reverse proxy to the
# app replicas. Build from the repository root:
#   docker build -f docker/edge.Dockerfile -t ts-deploy-stack/edge .
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY services/shared/package.json services/shared/
COPY services/app/package.json services/app/
COPY services/edge/package.json services/edge/
COPY e2e/package.json e2e/
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --workspace @stack/edge --no-audit --no-fund \
 && mkdir -p services/edge/node_modules

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY package.json ./
COPY services/shared services/shared
COPY services/edge services/edge
# Where two versions of a package are needed, npm nests one under the
# workspace (the edge's undici 8 beside testcontainers' undici 7, say).
COPY --from=deps /app/services/edge/node_modules services/edge/node_modules
COPY docker/healthcheck.sh docker/healthcheck.sh
# Node's compile cache, filled here (docker/compile-cache.ts says why: no
# process of this image loads the TypeScript stripper, 18 MiB each). Filled
# as node (the cache is per uid), then handed to root: read-only at run time.
ENV NODE_COMPILE_CACHE=/app/.node-compile-cache
COPY docker/compile-cache.ts docker/compile-cache.ts
RUN mkdir .node-compile-cache && chown node .node-compile-cache
USER node
RUN node docker/compile-cache.ts edge
USER root
RUN chown -R root:root .node-compile-cache && chmod -R a+rX,go-w .node-compile-cache
# The static volume is mounted read-only here. Docker seeds a new named volume
# from the first image that mounts it, ownership included, and the edge may be
# created first: it must agree with the app image that /srv/static is node's,
# or the collectstatic one-shot cannot write into it.
RUN mkdir -p /srv/static && chown node:node /srv/static
# The media volume, mounted read-only here and written by the app: the same
# agreement (node owns it) whichever image seeds a fresh volume.
RUN mkdir -p /srv/media/public /srv/media/protected && chown -R node:node /srv/media
# The local CA's volume (EDGE_TLS_DIR): seeded from here, so node owns it and
# root.key (0600) is readable by the edge alone.
RUN mkdir -p /var/lib/edge-tls && chown node:node /var/lib/edge-tls && chmod 0755 /var/lib/edge-tls
USER node
EXPOSE 8080 8443
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --start-interval=1s --retries=3 \
  CMD ["docker/healthcheck.sh", "8080", "/_edge/healthz"]
CMD ["node", "services/edge/src/main.ts"]
