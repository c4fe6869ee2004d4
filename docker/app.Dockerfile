# The app image: the app server, its migrate command and its collectstatic
# one-shot, with the hashed static set built in. Build from the repository root:
#   docker build -f docker/app.Dockerfile -t ts-deploy-stack/app .
# No `# syntax=` line: BuildKit's built-in frontend has everything used here
# (cache mounts), and naming a frontend image would need a registry.
ARG NODE_IMAGE=node:24-slim

# Production dependencies of the app workspace only. Every workspace's
# package.json is copied so the lockfile matches and `npm ci` accepts it; only
# @stack/app's tree is installed.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY services/shared/package.json services/shared/
COPY services/app/package.json services/app/
COPY services/edge/package.json services/edge/
COPY e2e/package.json e2e/
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --workspace @stack/app --no-audit --no-fund \
 && mkdir -p services/app/node_modules

# The hashed static set (css/app.<hash>.css, .br/.gz siblings, manifest.json),
# built once here so every container of this image renders the same names.
FROM ${NODE_IMAGE} AS static
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY package.json ./
COPY services/shared services/shared
COPY services/app services/app
RUN node services/app/src/collectstatic/cli.ts build

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# Code and dependencies stay owned by root: the `node` user can read them but
# not change them, even where the root filesystem is not read-only.
COPY --from=deps /app/node_modules node_modules
COPY package.json ./
COPY services/shared services/shared
COPY services/app services/app
# Where two versions of a package are needed, npm nests one under the
# workspace (the edge's undici 8 beside testcontainers' undici 7, say).
COPY --from=deps /app/services/app/node_modules services/app/node_modules
COPY --from=static /app/services/app/dist/static services/app/dist/static
COPY docker/healthcheck.sh docker/healthcheck.sh
# Node's compile cache, filled here (docker/compile-cache.ts says why: no
# process of this image loads the TypeScript stripper, 18 MiB each). Filled
# as node (the cache is per uid), then handed to root: read-only at run time.
ENV NODE_COMPILE_CACHE=/app/.node-compile-cache
COPY docker/compile-cache.ts docker/compile-cache.ts
RUN mkdir .node-compile-cache && chown node .node-compile-cache
USER node
RUN node docker/compile-cache.ts app
USER root
RUN chown -R root:root .node-compile-cache && chmod -R a+rX,go-w .node-compile-cache
# A named volume mounted where the image has no directory is created owned by
# root; creating /srv/static here, owned by node, makes the volume writable
# by the collectstatic one-shot.
RUN mkdir -p /srv/static && chown node:node /srv/static
# The media volume, the same way: a fresh volume is seeded from this
# directory, so it is node's and the app (as node) can write uploads.
RUN mkdir -p /srv/media/public /srv/media/protected && chown -R node:node /srv/media
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --start-interval=1s --retries=3 \
  CMD ["docker/healthcheck.sh", "3000", "/readyz"]
CMD ["node", "services/app/src/main.ts"]
