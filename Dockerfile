# syntax=docker/dockerfile:1
# The ramp-controller image (the chart's default image, ghcr.io/ramp-dev/ramp-controller:<appVersion>).
# Node 24 runs src/**/*.ts directly (type stripping), so there is no build step: the first stage installs
# the production dependencies, the second is distroless (no shell, no package manager) and carries them
# with src/. Node refuses to strip types under node_modules/, so src/ stays at /app/src.
#   docker build -t ghcr.io/ramp-dev/ramp-controller:0.1.0 .
ARG BUILD_IMAGE=node:24-trixie-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian13:nonroot

FROM ${BUILD_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only, exactly as locked (integrity-checked); none needs an install script.
# devDependencies are dropped first so that only production entries of the lock are validated: the
# lock does not carry every platform's optional binaries of dev tools (e.g. Biome's), which npm ci
# would otherwise reject.
RUN npm pkg delete devDependencies \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="ramp-controller" \
      org.opencontainers.image.description="Progressive delivery for Kubernetes: canary and blue-green Rollouts" \
      org.opencontainers.image.source="https://github.com/ramp-dev/ramp" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# src/ imports ../../package.json for its version (the User-Agent and build info).
COPY package.json ./
COPY src ./src
# distroless's nonroot user; numeric so that runAsNonRoot can verify it.
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/nodejs/bin/node", "src/controller/main.ts"]
CMD ["--metrics-addr=:8080", "--health-addr=:8081"]
