#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd and kwok from their
# official Go modules into ~/.cache/ramp/bin/<name>-<version>/. Idempotent: skips what exists.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"

need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "ramp: '$1' is required to build the local control plane but was not found on PATH." >&2
  echo "      Install it: $2" >&2
  exit 1
}
need openssl "apt-get install -y openssl"

# Go is only needed when something is missing, so a warm cache works on a machine without it.
need_go() {
  need go "Go >= 1.26 from https://go.dev/doc/install (Debian's golang-go is older)"
  local v; v=$(go env GOVERSION); v=${v#go}
  local major=${v%%.*} rest=${v#*.}; local minor=${rest%%[!0-9]*}
  if [ "$major" -lt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -lt 26 ]; }; then
    echo "ramp: Go $v is too old to build kwok $KWOK_VERSION and Kubernetes $K8S_VERSION; Go >= 1.26 is required." >&2
    echo "      Install it: https://go.dev/doc/install" >&2
    exit 1
  fi
}

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
# Long builds print a heartbeat so nobody thinks they hung.
heartbeat() { local what=$1 start=$SECONDS; while sleep 30; do echo "  … still building $what ($((SECONDS - start))s)"; done; }
with_heartbeat() {
  local what=$1; shift
  heartbeat "$what" & local hb=$!
  local rc=0; "$@" || rc=$?
  kill "$hb" 2>/dev/null; wait "$hb" 2>/dev/null || true
  return $rc
}

build_kubernetes() {
  local out=$K8S_BIN
  if [ -x "$out/kube-apiserver" ] && [ -x "$out/kube-controller-manager" ] && [ -x "$out/kube-scheduler" ] && [ -x "$out/kubectl" ]; then
    return 0
  fi
  need_go
  echo "ramp: building Kubernetes $K8S_VERSION (first time only; 15-30 min on 2 cores)"
  local mod=$RAMP_CACHE/src/kubernetes-$K8S_VERSION
  mkdir -p "$mod" "$out.tmp"
  local upstream; upstream=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  local staging_ver="v0.${K8S_VERSION#v1.}"
  {
    echo "module ramp.dev/localcluster/kubernetes"
    echo
    grep -E '^go ' "$upstream"
    grep -E '^godebug ' "$upstream" || true
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    # Every staging module upstream maps to ./staging must be pinned to its published version.
    sed -n 's#^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/.*#replace \1 => \1 '"$staging_ver"'#p' "$upstream"
    echo
    for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do echo "tool k8s.io/kubernetes/cmd/$c"; done
  } > "$mod/go.mod"
  (cd "$mod" && with_heartbeat "kubernetes deps" go mod tidy)
  local date; date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  local ld=""
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  (cd "$mod" && with_heartbeat "kubernetes" go build -trimpath -ldflags "-s -w $ld" -o "$out.tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
  rm -rf "$out"; mv "$out.tmp" "$out"
}

build_etcd() {
  [ -x "$ETCD_BIN/etcd" ] && return 0
  need_go
  echo "ramp: building etcd $ETCD_VERSION (first time only)"
  local mod=$RAMP_CACHE/src/etcd-$ETCD_VERSION
  mkdir -p "$mod" "$ETCD_BIN.tmp"
  printf 'module ramp.dev/localcluster/etcd\n\ngo 1.25\n\nrequire go.etcd.io/etcd/server/v3 %s\n\ntool go.etcd.io/etcd/server/v3\n' "$ETCD_VERSION" > "$mod/go.mod"
  (cd "$mod" && go mod tidy && with_heartbeat etcd go build -trimpath -ldflags "-s -w" -o "$ETCD_BIN.tmp/etcd" go.etcd.io/etcd/server/v3)
  rm -rf "$ETCD_BIN"; mv "$ETCD_BIN.tmp" "$ETCD_BIN"
}

build_kwok() {
  [ -x "$KWOK_BIN/kwok" ] && return 0
  need_go
  echo "ramp: building kwok $KWOK_VERSION (first time only)"
  mkdir -p "$KWOK_BIN.tmp"
  GOBIN="$KWOK_BIN.tmp" with_heartbeat kwok go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  rm -rf "$KWOK_BIN"; mv "$KWOK_BIN.tmp" "$KWOK_BIN"
}

# Two runs at once (a test run and `npm run cluster:up`) would write the same .tmp directories.
mkdir -p "$RAMP_CACHE"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$RAMP_CACHE/build.lock"
  flock -n 9 || { echo "ramp: another build is running; waiting for it"; flock 9; }
fi

build_etcd
build_kwok
build_kubernetes
echo "ramp: control plane binaries ready in $RAMP_CACHE/bin"
