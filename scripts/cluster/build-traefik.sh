#!/usr/bin/env bash
# Builds Traefik (github.com/traefik/traefik/v3/cmd/traefik) into ~/.cache/ramp/bin/traefik-<version>/
# and prints the binary's path on stdout. Idempotent: skipped when the binary exists. Progress goes to
# stderr. `go install mod@version` refuses it (its go.mod replaces a submodule with ./pkg/config/dynamic/ext
# and two packages with forks), so it is built inside its own module, from the Go module cache, where
# those directives and upstream's go.sum apply exactly as in a release build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"

if [ -x "$TRAEFIK_BIN/traefik" ]; then
  printf '%s\n' "$TRAEFIK_BIN/traefik"
  exit 0
fi

command -v go >/dev/null 2>&1 || {
  echo "ramp: 'go' is required to build traefik $TRAEFIK_VERSION but was not found on PATH." >&2
  echo "      Install Go >= 1.26: https://go.dev/doc/install" >&2
  exit 1
}

mkdir -p "$RAMP_CACHE/bin"
# A test run and a person may build at once; the .tmp directory must not be shared.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$RAMP_CACHE/traefik-build.lock"
  flock -n 9 || { echo "ramp: another traefik build is running; waiting for it" >&2; flock 9; }
  if [ -x "$TRAEFIK_BIN/traefik" ]; then
    printf '%s\n' "$TRAEFIK_BIN/traefik"
    exit 0
  fi
fi

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
echo "ramp: building traefik $TRAEFIK_VERSION from github.com/traefik/traefik/v3 (first time only; several minutes)" >&2
start=$SECONDS
# stdout is only the binary's path: the heartbeat (and its sleep) must not hold it open after we exit.
( exec >/dev/null; while sleep 30; do echo "  … still building traefik ($((SECONDS - start))s)" >&2; done ) &
heartbeat=$!
trap 'kill $heartbeat 2>/dev/null || true' EXIT

json=$(GOFLAGS=-mod=mod go mod download -json "github.com/traefik/traefik/v3@$TRAEFIK_VERSION")
src=$(printf '%s\n' "$json" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
[ -n "$src" ] && [ -f "$src/cmd/traefik/traefik.go" ] || {
  echo "ramp: go mod download github.com/traefik/traefik/v3@$TRAEFIK_VERSION gave no source:" >&2
  printf '%s\n' "$json" >&2
  exit 1
}

rm -rf "$TRAEFIK_BIN.tmp"
mkdir -p "$TRAEFIK_BIN.tmp"
# The version is stamped as upstream's Makefile does, so the log and /api/version name the release.
pkg=github.com/traefik/traefik/v3/pkg/version
(cd "$src" && GOFLAGS="-buildvcs=false -mod=readonly" go build -trimpath \
  -ldflags "-s -w -X $pkg.Version=$TRAEFIK_VERSION -X $pkg.BuildDate=module-proxy" \
  -o "$TRAEFIK_BIN.tmp/traefik" ./cmd/traefik) >&2
"$TRAEFIK_BIN.tmp/traefik" version >/dev/null
rm -rf "$TRAEFIK_BIN"
mv "$TRAEFIK_BIN.tmp" "$TRAEFIK_BIN"
echo "ramp: traefik $TRAEFIK_VERSION ready in $TRAEFIK_BIN ($((SECONDS - start))s)" >&2
printf '%s\n' "$TRAEFIK_BIN/traefik"
