# syntax=docker/dockerfile:1
# The ramp-controller image (the chart's default image, ghcr.io/ramp-dev/ramp-controller:<appVersion>).
# Three stages: production dependencies; src/ compiled to plain JavaScript (dist/), since running .ts
# through Node's type stripping keeps its compiler resident (about 40 MiB in every process and worker);
# and a distroless runtime (no shell, no package manager) that carries only those two.
#   docker build -t ghcr.io/ramp-dev/ramp-controller:0.1.0 .
# Base images pinned by their multi-architecture index digest, so a rebuild gets the same bytes; the tag stays
# for people. To move to a newer one: `docker buildx imagetools inspect IMAGE:TAG` prints the index digest.
# (No registry is reachable from where ramp is tested: these were taken from public pins, not pulled.)
ARG BUILD_IMAGE=node:24-trixie-slim@sha256:8ec5d7557396cfe32d21c3f9c13072355ceab22b584578ca4bb28af31120cffe
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian13:nonroot@sha256:774b7d020b24214835769e24c3544835526cd0288f0b094eae48e8b2c2429a79

FROM ${BUILD_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only, exactly as locked (integrity-checked); none needs an install script.
# devDependencies are dropped first so that only production entries of the lock are validated: the
# lock does not carry every platform's optional binaries of dev tools (e.g. Biome's), which npm ci
# would otherwise reject.
RUN npm pkg delete devDependencies \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${BUILD_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# The production dependencies, for esbuild, Preact and uPlot: the dashboard's app is bundled here, once.
COPY --from=deps /app/node_modules ./node_modules
# Only the compiler, at the version the lock pins, beside the sources (no dependencies: emit needs none).
RUN npm install --prefix .tsc --ignore-scripts --no-audit --no-fund \
      "typescript@$(node -p "require('./package-lock.json').packages['node_modules/typescript'].version")" \
 && node .tsc/node_modules/typescript/bin/tsc -p tsconfig.build.json \
 && node src/controller/bundle.ts dist \
 && node src/dashboard/web/prebuild.ts dist/dashboard/web/prebuilt

FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="ramp-controller" \
      org.opencontainers.image.description="Progressive delivery for Kubernetes: canary and blue-green Rollouts" \
      org.opencontainers.image.source="https://github.com/ramp-dev/ramp" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# dist/ imports ../../package.json for its version (the User-Agent and build info).
COPY package.json ./
COPY --from=build /build/dist ./dist
# distroless's nonroot user; numeric so that runAsNonRoot can verify it.
USER 65532:65532
EXPOSE 8080 8081
# V8 sized for a controller whose garbage is mostly replaced cache entries (docs/performance.md): a young
# generation of 2 × 4 MiB instead of up to 2 × 32 MiB, and an old generation collected once it grows by
# half its live size instead of by up to four times it. At 1,000 Rollouts that took peak RSS from 325 to
# 208 MiB for the same CPU. --expose-gc lets the controller give back V8's pool of freed pages after a
# burst (src/controller/memory-trim.ts), which V8 itself only does once the process goes idle.
# dist/bundle/: the controller and its dependencies minified into a few modules, since V8 keeps every
# loaded module's source resident (about 9 MiB less at idle; src/controller/bundle.ts).
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=4", "--heap-growing-percent=50", "--expose-gc", "dist/bundle/main.js"]
CMD ["--metrics-addr=:8080", "--health-addr=:8081"]
