# Let's Encrypt's test ACME server (pebble) and its mock DNS and challenge
# server (pebble-challtestsrv), from Debian, for the ACME suite only
# (compose.acme.yaml). Never part of a deployment.
ARG NODE_IMAGE=node:24-slim
FROM ${NODE_IMAGE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pebble >/dev/null \
 && rm -rf /var/lib/apt/lists/*
