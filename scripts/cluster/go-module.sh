# Sourced by the scripts that fetch files from Go modules: module_dir MODULE VERSION prints the module's
# directory in the Go module cache, downloading it first if needed.
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
