#!/usr/bin/env bash
# Fetches the Prometheus Operator's ServiceMonitor and PrometheusRule CRDs from its published Go module
# (example/prometheus-operator-crd/) into $UPSTREAM_CRDS/prometheus-operator-<version>/ and prints that
# directory. Idempotent: a version already extracted is reused; the Go module cache keeps the download.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"

out=$UPSTREAM_CRDS/prometheus-operator-$PROMETHEUS_OPERATOR_VERSION
mod=github.com/prometheus-operator/prometheus-operator
mkdir -p "$UPSTREAM_CRDS"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$UPSTREAM_CRDS/monitoring-fetch.lock"
  flock 9
fi
if [ ! -f "$out/.complete" ]; then
  command -v go >/dev/null 2>&1 || {
    echo "ramp: 'go' is required to fetch $mod@$PROMETHEUS_OPERATOR_VERSION but was not found on PATH." >&2
    echo "      Install Go >= 1.26: https://go.dev/doc/install" >&2
    exit 1
  }
  json=$(GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod download -json "$mod@$PROMETHEUS_OPERATOR_VERSION")
  dir=$(printf '%s\n' "$json" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  src=$dir/example/prometheus-operator-crd
  rm -rf "$out.tmp"; mkdir -p "$out.tmp"
  for kind in servicemonitors prometheusrules; do
    f=$src/monitoring.coreos.com_$kind.yaml
    [ -f "$f" ] || { echo "ramp: $mod@$PROMETHEUS_OPERATOR_VERSION has no $f" >&2; exit 1; }
    cp "$f" "$out.tmp/"
  done
  touch "$out.tmp/.complete"
  rm -rf "$out"; mv "$out.tmp" "$out"
fi
printf '%s\n' "$out"
