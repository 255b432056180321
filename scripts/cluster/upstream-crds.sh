#!/usr/bin/env bash
# Fetches the upstream CRDs ramp's traffic routers write to (Gateway API standard channel, Istio) from
# their published Go modules into $UPSTREAM_CRDS/<name>-<version>/ and prints those two directories.
# Idempotent: a version already extracted is reused; the Go module cache keeps the downloads.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
. "$here/go-module.sh"

gateway_dir=$UPSTREAM_CRDS/gateway-api-$GATEWAY_API_VERSION
istio_dir=$UPSTREAM_CRDS/istio-$ISTIO_API_VERSION

fetch_gateway_api() {
  [ -f "$gateway_dir/.complete" ] && return 0
  local src; src=$(module_dir sigs.k8s.io/gateway-api "$GATEWAY_API_VERSION")/config/crd/standard
  rm -rf "$gateway_dir.tmp"; mkdir -p "$gateway_dir.tmp"
  # Only the CustomResourceDefinitions: the channel also ships a ValidatingAdmissionPolicy for upgrades.
  local f
  for f in "$src"/gateway.networking.k8s.io_*.yaml; do
    grep -q '^kind: CustomResourceDefinition' "$f" && cp "$f" "$gateway_dir.tmp/"
  done
  [ -f "$gateway_dir.tmp/gateway.networking.k8s.io_httproutes.yaml" ] || {
    echo "ramp: $src has no HTTPRoute CRD; is $GATEWAY_API_VERSION a Gateway API release?" >&2
    exit 1
  }
  touch "$gateway_dir.tmp/.complete"
  rm -rf "$gateway_dir"; mv "$gateway_dir.tmp" "$gateway_dir"
}

fetch_istio() {
  [ -f "$istio_dir/.complete" ] && return 0
  local src; src=$(module_dir istio.io/api "$ISTIO_API_VERSION")/kubernetes/customresourcedefinitions.gen.yaml
  [ -f "$src" ] || { echo "ramp: istio.io/api@$ISTIO_API_VERSION has no $src" >&2; exit 1; }
  rm -rf "$istio_dir.tmp"; mkdir -p "$istio_dir.tmp"
  cp "$src" "$istio_dir.tmp/istio-crds.yaml"
  touch "$istio_dir.tmp/.complete"
  rm -rf "$istio_dir"; mv "$istio_dir.tmp" "$istio_dir"
}

mkdir -p "$UPSTREAM_CRDS"
# Two test files (or a test run and a person) may fetch at once; the .tmp directories must not collide.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$UPSTREAM_CRDS/fetch.lock"
  flock 9
fi
fetch_gateway_api
fetch_istio
printf '%s\n%s\n' "$gateway_dir" "$istio_dir"
