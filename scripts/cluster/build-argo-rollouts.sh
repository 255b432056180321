#!/usr/bin/env bash
# Builds Argo Rollouts' controller (cmd/rollouts-controller) from its Go module, for the peer bench
# (`npm run bench -- --peer argo-rollouts`), into ~/.cache/ramp/bin/argo-rollouts-<version>/ and prints
# the binary's path on stdout. A scratch module requires github.com/argoproj/argo-rollouts and copies
# its go.mod `replace` block (the k8s.io pins), which a plain `go install` would ignore. Idempotent:
# skipped when the binary exists. Progress goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"

if [ -x "$ARGO_ROLLOUTS_BIN/rollouts-controller" ]; then
  printf '%s\n' "$ARGO_ROLLOUTS_BIN/rollouts-controller"
  exit 0
fi

command -v go >/dev/null 2>&1 || {
  echo "ramp: 'go' is required to build argo-rollouts $ARGO_ROLLOUTS_BENCH_VERSION but was not found on PATH." >&2
  exit 1
}

mkdir -p "$RAMP_CACHE/bin"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$RAMP_CACHE/argo-rollouts-build.lock"
  flock -n 9 || { echo "ramp: another argo-rollouts build is running; waiting for it" >&2; flock 9; }
  if [ -x "$ARGO_ROLLOUTS_BIN/rollouts-controller" ]; then
    printf '%s\n' "$ARGO_ROLLOUTS_BIN/rollouts-controller"
    exit 0
  fi
fi

# The module's go.mod asks for a newer Go than the pinned one: that toolchain, for this build only.
export GOTOOLCHAIN=$ARGO_ROLLOUTS_GOTOOLCHAIN CGO_ENABLED=0 GOFLAGS="-buildvcs=false -mod=mod"
module=github.com/argoproj/argo-rollouts
echo "ramp: building argo-rollouts $ARGO_ROLLOUTS_BENCH_VERSION from $module (first time only; 10-30 minutes)" >&2
start=$SECONDS
( exec >/dev/null; while sleep 30; do echo "  … still building argo-rollouts ($((SECONDS - start))s)" >&2; done ) &
heartbeat=$!
scratch=$RAMP_CACHE/src/argo-rollouts-build-$ARGO_ROLLOUTS_BENCH_VERSION
trap 'kill $heartbeat 2>/dev/null || true' EXIT

json=$(go mod download -json "$module@$ARGO_ROLLOUTS_BENCH_VERSION")
upstream=$(printf '%s\n' "$json" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
[ -n "$upstream" ] && [ -f "$upstream/go.mod" ] || {
  echo "ramp: go mod download $module@$ARGO_ROLLOUTS_BENCH_VERSION gave no module directory:" >&2
  printf '%s\n' "$json" >&2
  exit 1
}
go_line=$(sed -n 's/^go \(.*\)$/\1/p' "$upstream/go.mod" | head -n 1)
rm -rf "$scratch"; mkdir -p "$scratch"
{
  printf 'module ramp.local/argo-rollouts-build\n\ngo %s\n\nrequire %s %s\n\n' \
    "$go_line" "$module" "$ARGO_ROLLOUTS_BENCH_VERSION"
  sed -n '/^replace (/,/^)/p' "$upstream/go.mod"
  grep '^replace [^(]' "$upstream/go.mod" || true
} >"$scratch/go.mod"
# Upstream's sums verify the same dependency versions; -mod=mod adds the few the scratch module needs.
cp "$upstream/go.sum" "$scratch/go.sum"
chmod u+w "$scratch/go.sum"

rm -rf "$ARGO_ROLLOUTS_BIN.tmp"; mkdir -p "$ARGO_ROLLOUTS_BIN.tmp"
pkg=$module/utils/version
(cd "$scratch" && go build -trimpath -o "$ARGO_ROLLOUTS_BIN.tmp/rollouts-controller" \
  -ldflags "-s -w -X $pkg.version=${ARGO_ROLLOUTS_BENCH_VERSION#v} -X $pkg.gitTreeState=clean" \
  "$module/cmd/rollouts-controller") >&2
"$ARGO_ROLLOUTS_BIN.tmp/rollouts-controller" --version >&2
rm -rf "$ARGO_ROLLOUTS_BIN"
mv "$ARGO_ROLLOUTS_BIN.tmp" "$ARGO_ROLLOUTS_BIN"
rm -rf "$scratch"
echo "ramp: argo-rollouts $ARGO_ROLLOUTS_BENCH_VERSION ready in $ARGO_ROLLOUTS_BIN ($((SECONDS - start))s)" >&2
printf '%s\n' "$ARGO_ROLLOUTS_BIN/rollouts-controller"
