#!/usr/bin/env bash
# Fetches the CRDs of the controllers `kubectl ramp migrate` moves apps from, from their published Go
# modules: Argo Rollouts (github.com/argoproj/argo-rollouts, manifests/crds/) and Flagger
# (github.com/fluxcd/flagger, artifacts/flagger/crd.yaml, of which only the CustomResourceDefinition
# documents are kept), into $UPSTREAM_CRDS/<name>-<version>/, and prints those two directories.
# Idempotent: a version already extracted is reused; the Go module cache keeps the downloads.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
. "$here/go-module.sh"

argo_dir=$UPSTREAM_CRDS/argo-rollouts-$ARGO_ROLLOUTS_VERSION
flagger_dir=$UPSTREAM_CRDS/flagger-$FLAGGER_VERSION

fetch_argo_rollouts() {
  [ -f "$argo_dir/.complete" ] && return 0
  local src; src=$(module_dir github.com/argoproj/argo-rollouts "$ARGO_ROLLOUTS_VERSION")/manifests/crds
  rm -rf "$argo_dir.tmp"; mkdir -p "$argo_dir.tmp"
  local f
  for f in rollout analysis-template cluster-analysis-template analysis-run experiment; do
    [ -f "$src/$f-crd.yaml" ] || {
      echo "ramp: argo-rollouts@$ARGO_ROLLOUTS_VERSION has no $src/$f-crd.yaml" >&2
      exit 1
    }
    cp "$src/$f-crd.yaml" "$argo_dir.tmp/"
  done
  touch "$argo_dir.tmp/.complete"
  rm -rf "$argo_dir"; mv "$argo_dir.tmp" "$argo_dir"
}

fetch_flagger() {
  [ -f "$flagger_dir/.complete" ] && return 0
  local src; src=$(module_dir github.com/fluxcd/flagger "$FLAGGER_VERSION")/artifacts/flagger/crd.yaml
  [ -f "$src" ] || { echo "ramp: flagger@$FLAGGER_VERSION has no $src" >&2; exit 1; }
  rm -rf "$flagger_dir.tmp"; mkdir -p "$flagger_dir.tmp"
  # One file per YAML document, then only the CustomResourceDefinitions are kept.
  awk -v dir="$flagger_dir.tmp" '
    /^---/ { n++; next }
    { print > (dir "/doc-" n ".yaml") }
  ' n=0 "$src"
  local f name
  for f in "$flagger_dir.tmp"/doc-*.yaml; do
    if grep -q '^kind: CustomResourceDefinition' "$f"; then
      name=$(sed -n 's/^  name: \(.*\)$/\1/p' "$f" | head -n 1)
      mv "$f" "$flagger_dir.tmp/$name.yaml"
    else
      rm -f "$f"
    fi
  done
  [ -f "$flagger_dir.tmp/canaries.flagger.app.yaml" ] || {
    echo "ramp: $src has no Canary CRD; is $FLAGGER_VERSION a Flagger release?" >&2
    exit 1
  }
  touch "$flagger_dir.tmp/.complete"
  rm -rf "$flagger_dir"; mv "$flagger_dir.tmp" "$flagger_dir"
}

mkdir -p "$UPSTREAM_CRDS"
# Two test files (or a test run and a person) may fetch at once; the .tmp directories must not collide.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$UPSTREAM_CRDS/migration-fetch.lock"
  flock 9
fi
fetch_argo_rollouts
fetch_flagger
printf '%s\n%s\n' "$argo_dir" "$flagger_dir"
