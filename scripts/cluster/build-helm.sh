#!/usr/bin/env bash
# Builds helm from its Go module (helm.sh/helm/v4/cmd/helm, no replace directives, so a plain
# `go install` works) into ~/.cache/ramp/bin/helm-<version>/ and prints the binary's path on stdout.
# Idempotent: skipped when the binary exists. Progress goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"

if [ -x "$HELM_BIN/helm" ]; then
  printf '%s\n' "$HELM_BIN/helm"
  exit 0
fi

command -v go >/dev/null 2>&1 || {
  echo "ramp: 'go' is required to build helm $HELM_VERSION but was not found on PATH." >&2
  echo "      Install Go >= 1.26: https://go.dev/doc/install" >&2
  exit 1
}

mkdir -p "$RAMP_CACHE/bin"
# A test run and a person may build at once; the .tmp directory must not be shared.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$RAMP_CACHE/helm-build.lock"
  flock -n 9 || { echo "ramp: another helm build is running; waiting for it" >&2; flock 9; }
  if [ -x "$HELM_BIN/helm" ]; then
    printf '%s\n' "$HELM_BIN/helm"
    exit 0
  fi
fi

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
echo "ramp: building helm $HELM_VERSION from helm.sh/helm/v4 (first time only; a few minutes)" >&2
start=$SECONDS
# stdout is only the binary's path: the heartbeat (and its sleep) must not hold it open after we exit.
( exec >/dev/null; while sleep 30; do echo "  … still building helm ($((SECONDS - start))s)" >&2; done ) &
heartbeat=$!
trap 'kill $heartbeat 2>/dev/null || true' EXIT

rm -rf "$HELM_BIN.tmp"
mkdir -p "$HELM_BIN.tmp"
# The version is stamped as upstream's Makefile does for a tagged build; otherwise `helm version` says v4.N.
pkg=helm.sh/helm/v4/internal/version
GOBIN="$HELM_BIN.tmp" go install -trimpath \
  -ldflags "-s -w -X $pkg.version=$HELM_VERSION -X $pkg.metadata= -X $pkg.gitTreeState=clean" \
  "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" >&2
"$HELM_BIN.tmp/helm" version --short >/dev/null
rm -rf "$HELM_BIN"
mv "$HELM_BIN.tmp" "$HELM_BIN"
echo "ramp: helm $HELM_VERSION ready in $HELM_BIN ($((SECONDS - start))s)" >&2
printf '%s\n' "$HELM_BIN/helm"
