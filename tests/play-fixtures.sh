#!/usr/bin/env bash
# Starts a fresh server on a free loopback port and plays every scenario file with atelier-bot:
# those in client/fixtures, and those in ATELIER_FIXTURES_DIR when it is set.
set -euo pipefail
cd "$(dirname "$0")/.."

data_dir=$(mktemp -d)
log="$data_dir/server.log"
export ATELIER_ADMIN_TOKEN="fixture-admin-token"
# Every phone of every scenario joins from 127.0.0.1, so the per-address limit is raised.
export ATELIER_JOIN_RATE=100000
target/debug/atelier serve --bind 127.0.0.1:0 --data-dir "$data_dir" >"$log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$data_dir"' EXIT

# The server prints its address once it accepts connections.
url=""
for _ in $(seq 1 300); do
  url=$(grep -o 'listening on http://[0-9.:]*' "$log" | head -n 1 | sed 's/listening on //') || true
  [ -n "$url" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$log" >&2
    echo "the server exited before listening" >&2
    exit 1
  fi
  sleep 0.1
done
[ -n "$url" ] || { cat "$log" >&2; echo "the server did not start listening" >&2; exit 1; }

fixtures=(client/fixtures/*.json)
if [ -n "${ATELIER_FIXTURES_DIR:-}" ]; then
  fixtures+=("$ATELIER_FIXTURES_DIR"/*.json)
fi
passed=0
failed=0
for fixture in "${fixtures[@]}"; do
  echo "-- playing $fixture against $url"
  if target/debug/atelier-bot play "$fixture" --server "$url"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $fixture" >&2
  fi
done
echo "fixtures: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
