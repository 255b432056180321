#!/usr/bin/env bash
# Fetches the CRDs of the GitOps tools examples/ has objects for, from their published Go modules: Argo
# CD's Application (github.com/argoproj/argo-cd/v3, manifests/crds/) and Flux's Kustomization
# (github.com/fluxcd/kustomize-controller, config/crd/bases/), into $UPSTREAM_CRDS/gitops-<versions>/,
# and prints that directory. Idempotent: a fetched set is reused; the Go module cache keeps downloads.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
. "$here/go-module.sh"

out=$UPSTREAM_CRDS/gitops-argocd-$ARGOCD_VERSION-flux-$FLUX_KUSTOMIZE_CONTROLLER_VERSION
mkdir -p "$UPSTREAM_CRDS"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$UPSTREAM_CRDS/gitops-fetch.lock"
  flock 9
fi

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
