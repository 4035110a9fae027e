#!/usr/bin/env bash
# Installs the npm dependencies and runs the browser tests against the server binary
# (ATELIER_BIN, by default target/debug/atelier, built beforehand).
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "Chromium missing at ${CHROMIUM_PATH:-/usr/bin/chromium}: installing Debian's package" >&2
  apt-get update
  apt-get install -y chromium
fi

npm ci --no-audit --no-fund
exec node --test --test-concurrency=1 catalog.test.mjs seating.test.mjs location.test.mjs workshop.test.mjs
