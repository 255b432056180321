#!/usr/bin/env bash
# Fetches the CRDs of the GitOps tools examples/ has objects for, from their published Go modules: Argo
# CD's Application (github.com/argoproj/argo-cd/v3, manifests/crds/) and Flux's Kustomization
# (github.com/fluxcd/kustomize-controller, config/crd/bases/), into $UPSTREAM_CRDS/gitops-<versions>/,
# and prints that directory. Idempotent: a fetched set is reused; the Go module cache keeps downloads.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"

out=$UPSTREAM_CRDS/gitops-argocd-$ARGOCD_VERSION-flux-$FLUX_KUSTOMIZE_CONTROLLER_VERSION
mkdir -p "$UPSTREAM_CRDS"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$UPSTREAM_CRDS/gitops-fetch.lock"
  flock 9
fi

module_dir() {
  command -v go >/dev/null 2>&1 || {
    echo "ramp: 'go' is required to fetch $1@$2 but was not found on PATH." >&2
    echo "      Install Go >= 1.26: https://go.dev/doc/install" >&2
    exit 1
  }
  local json; json=$(GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod download -json "$1@$2")
  local dir; dir=$(printf '%s\n' "$json" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    echo "ramp: go mod download $1@$2 gave no module directory:" >&2
    printf '%s\n' "$json" >&2
    exit 1
  fi
  printf '%s\n' "$dir"
}

if [ ! -f "$out/.complete" ]; then
  argocd=$(module_dir github.com/argoproj/argo-cd/v3 "$ARGOCD_VERSION")/manifests/crds/application-crd.yaml
  flux=$(module_dir github.com/fluxcd/kustomize-controller "$FLUX_KUSTOMIZE_CONTROLLER_VERSION")/config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml
  for f in "$argocd" "$flux"; do
    [ -f "$f" ] || { echo "ramp: $f is missing from its module" >&2; exit 1; }
  done
  rm -rf "$out.tmp"; mkdir -p "$out.tmp"
  cp "$argocd" "$out.tmp/argoproj.io_applications.yaml"
  cp "$flux" "$out.tmp/kustomize.toolkit.fluxcd.io_kustomizations.yaml"
  touch "$out.tmp/.complete"
  rm -rf "$out"; mv "$out.tmp" "$out"
fi
printf '%s\n' "$out"
