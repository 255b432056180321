#!/usr/bin/env bash
# Builds test/support/kstatus (a small command around Flux's kstatus library, github.com/fluxcd/cli-utils)
# into ~/.cache/ramp/bin/kstatus-<version>-<source hash>/ and prints the binary's path on stdout.
# Idempotent: skipped when that binary exists. Progress goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
src=$(cd "$here/../../test/support/kstatus" && pwd)

grep -q "github.com/fluxcd/cli-utils $FLUX_CLI_UTILS_VERSION" "$src/go.mod" || {
  echo "ramp: $src/go.mod does not require github.com/fluxcd/cli-utils $FLUX_CLI_UTILS_VERSION (versions.sh)" >&2
  exit 1
}
hash=$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-12)
dir=$RAMP_CACHE/bin/kstatus-$FLUX_CLI_UTILS_VERSION-$hash
if [ -x "$dir/kstatus" ]; then
  printf '%s\n' "$dir/kstatus"
  exit 0
fi
command -v go >/dev/null 2>&1 || {
  echo "ramp: 'go' is required to build kstatus but was not found on PATH." >&2
  echo "      Install Go >= 1.26: https://go.dev/doc/install" >&2
  exit 1
}
mkdir -p "$RAMP_CACHE/bin"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$RAMP_CACHE/kstatus-build.lock"
  flock 9
  if [ -x "$dir/kstatus" ]; then
    printf '%s\n' "$dir/kstatus"
    exit 0
  fi
fi
echo "ramp: building kstatus (github.com/fluxcd/cli-utils $FLUX_CLI_UTILS_VERSION), about a minute the first time" >&2
rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
(cd "$src" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly go build -trimpath -o "$dir.tmp/kstatus" .) >&2
rm -rf "$dir"; mv "$dir.tmp" "$dir"
printf '%s\n' "$dir/kstatus"
