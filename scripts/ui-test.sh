#!/usr/bin/env bash
# The console in headless Chromium against the real HTTP server.
#
#   GURUMISHA_BIN=target/debug/gurumisha DATABASE_URL=sqlite:///tmp/demo.db scripts/ui-test.sh
#
# Starts `gurumisha serve` on a free loopback port (it prints
# "listening on http://127.0.0.1:PORT"), runs tests/ui/ with node's test
# runner against it, and stops the server. The same suite runs on SQLite and
# PostgreSQL (it checks that the header names the store DATABASE_URL points
# at); it changes data, so give each run a fresh demo database.
# Screenshots: target/screenshots/, or GURUMISHA_SCREENSHOTS=DIR.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

: "${GURUMISHA_BIN:?set GURUMISHA_BIN to the built gurumisha CLI (e.g. target/debug/gurumisha)}"
: "${DATABASE_URL:?set DATABASE_URL to the database with demo data}"
export DATABASE_URL
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-60}

if [ ! -x "$GURUMISHA_BIN" ]; then
  echo "ui-test: $GURUMISHA_BIN is not an executable" >&2
  exit 1
fi
if [ ! -f ui/dist/index.html ]; then
  echo "ui-test: building the UI"
  npm --prefix ui run build
fi

tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$GURUMISHA_BIN" serve --addr 127.0.0.1:0 --ui-dir ui/dist >"$tmp/stdout" 2>"$tmp/stderr" &
server_pid=$!

show_server_log() {
  echo "--- server stdout" >&2
  cat "$tmp/stdout" >&2
  echo "--- server stderr" >&2
  cat "$tmp/stderr" >&2
}

url=
for _ in $(seq $((STARTUP_TIMEOUT * 10))); do
  url=$(grep -m1 -oE 'listening on https?://[^[:space:]]+' "$tmp/stdout" | sed 's/^listening on //' || true)
  [ -n "$url" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "ui-test: the server exited before listening" >&2
    show_server_log
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "ui-test: no 'listening on' line from the server within ${STARTUP_TIMEOUT}s" >&2
  show_server_log
  exit 1
fi
echo "ui-test: server at $url"

status=0
GURUMISHA_HTTP_URL="$url" node --test --test-reporter=spec tests/ui/ || status=$?
if [ "$status" -ne 0 ]; then
  show_server_log
fi
exit "$status"
