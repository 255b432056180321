#!/usr/bin/env bash
# Installs Debian's Chromium (package `chromium`, /usr/bin/chromium) for the dashboard's browser tests,
# the way the test setup installs Lua and Prometheus: apt-get, non-interactive, root only. Skipped when
# /usr/bin/chromium exists. Playwright's own browser download does not work on these machines, so
# test/support/browser.ts drives this binary through playwright-core. Progress goes to stderr; stdout is
# only the binary's path.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
hint="sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium"

if [ -x "$CHROMIUM" ]; then
  printf '%s\n' "$CHROMIUM"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || {
  echo "ramp: $CHROMIUM is missing and apt-get is not available to install it (not a Debian-based system?)." >&2
  echo "      Install Chromium so that $CHROMIUM exists, e.g. on Debian/Ubuntu: $hint" >&2
  exit 1
}
if [ "$(id -u)" -ne 0 ]; then
  echo "ramp: $CHROMIUM is missing and installing it needs root. Run:" >&2
  echo "  $hint" >&2
  exit 1
fi

# Two test runs may start at once; apt's own lock would fail the second rather than wait.
if command -v flock >/dev/null 2>&1; then
  mkdir -p "${RAMP_CACHE:-$HOME/.cache/ramp}"
  exec 9>"${RAMP_CACHE:-$HOME/.cache/ramp}/chromium-install.lock"
  flock 9
  if [ -x "$CHROMIUM" ]; then
    printf '%s\n' "$CHROMIUM"
    exit 0
  fi
fi

echo "ramp: installing Debian's chromium with apt-get (first time only)" >&2
export DEBIAN_FRONTEND=noninteractive
# stdin closed and output on stderr: works under CI=true and with no terminal.
apt-get update </dev/null >&2
apt-get install -y --no-install-recommends chromium </dev/null >&2

[ -x "$CHROMIUM" ] || { echo "ramp: apt-get installed chromium but $CHROMIUM is missing" >&2; exit 1; }
printf '%s\n' "$CHROMIUM"
