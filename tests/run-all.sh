#!/usr/bin/env bash
# Runs every test of atelier: unit and integration tests of the Rust crates (on SQLite and on
# PostgreSQL), the fixture played by atelier-bot against a real server, and the browser tests
# in headless Chromium.
#
# Needs: PostgreSQL on 127.0.0.1:5432 with trust auth (override with ATELIER_TEST_POSTGRES_URL),
# Node.js with npm, and Debian's chromium (`.ci/run` installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

export ATELIER_TEST_POSTGRES_URL="${ATELIER_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

echo "== Rust: build"
cargo build --workspace --all-targets --locked

echo "== Rust: unit and integration tests (SQLite and PostgreSQL)"
cargo test --workspace --locked -- --test-threads=2

echo "== atelier-bot plays every scenario against a fresh server"
tests/play-fixtures.sh

if [ -x tests/browser/run.sh ]; then
  echo "== Browser tests (headless Chromium)"
  ATELIER_BIN="$PWD/target/debug/atelier" tests/browser/run.sh
else
  echo "tests/browser/run.sh is missing: browser tests cannot run" >&2
  exit 1
fi
