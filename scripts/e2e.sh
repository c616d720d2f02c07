#!/usr/bin/env bash
# The real desktop window under Xvfb, driven over WebDriver.
#
#   APP=target/debug/gurumisha-console GURUMISHA_DATABASE_URL=sqlite:///tmp/demo.db scripts/e2e.sh
#
# Starts a private session bus, Xvfb on a free display and tauri-driver (which
# starts WebKitWebDriver, which starts the app), runs tests/e2e/ with node's
# test runner and stops everything it started. Screenshots: target/screenshots/,
# or GURUMISHA_SCREENSHOTS=DIR. The same tests run on SQLite and PostgreSQL.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# WebKitGTK wants a D-Bus session bus; give the whole run a private one that
# dies with it.
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${GURUMISHA_E2E_DBUS:-}" ] && command -v dbus-run-session >/dev/null 2>&1; then
  export GURUMISHA_E2E_DBUS=1
  exec dbus-run-session -- bash "${BASH_SOURCE[0]}" "$@"
fi

APP=$(realpath -m "${APP:-target/debug/gurumisha-console}")
: "${GURUMISHA_DATABASE_URL:?set GURUMISHA_DATABASE_URL to the database with demo data}"
export APP GURUMISHA_DATABASE_URL
DRIVER_PORT=${TAURI_DRIVER_PORT:-4444}
NATIVE_PORT=${TAURI_NATIVE_PORT:-$((DRIVER_PORT + 1))}
NATIVE_DRIVER=${NATIVE_DRIVER:-/usr/bin/WebKitWebDriver}
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

die() {
  echo "e2e: $*" >&2
  exit 1
}
[ -x "$APP" ] || die "$APP is not an executable (build it with cargo build -p gurumisha-console)"
[ -x "$NATIVE_DRIVER" ] || die "$NATIVE_DRIVER is missing (apt-get install webkit2gtk-driver)"
command -v Xvfb >/dev/null || die "Xvfb is missing (apt-get install xvfb)"
command -v tauri-driver >/dev/null || die "tauri-driver is missing (scripts/install-deps.sh test)"

tmp=$(mktemp -d)
xvfb_pid=
driver_pgid=
notify_pid=
cleanup() {
  # tauri-driver runs in its own process group with WebKitWebDriver and the
  # app under it: end the group, then Xvfb.
  if [ -n "$driver_pgid" ]; then
    kill -TERM -- "-$driver_pgid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$driver_pgid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$driver_pgid" 2>/dev/null || true
  fi
  for pid in "$notify_pid" "${worker_pid:-}" "${smtp_pid:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

show_logs() {
  for f in "$tmp"/*.log; do
    [ -s "$f" ] || continue
    echo "--- $(basename "$f")" >&2
    tail -n 80 "$f" >&2
  done
}

# Xvfb picks a free display itself and writes its number to fd 3.
Xvfb -displayfd 3 -screen 0 1400x900x24 -nolisten tcp 3>"$tmp/display" >"$tmp/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 100); do
  [ -s "$tmp/display" ] && break
  kill -0 "$xvfb_pid" 2>/dev/null || { show_logs; die "Xvfb exited"; }
  sleep 0.1
done
[ -s "$tmp/display" ] || { show_logs; die "Xvfb did not report a display"; }
export DISPLAY=":$(tr -d '[:space:]' <"$tmp/display")"
echo "e2e: Xvfb on $DISPLAY"

# Software rendering: Xvfb has no GPU, and WebKit's DMA-BUF renderer and
# accelerated compositing otherwise leave the window blank.
export WEBKIT_DISABLE_DMABUF_RENDERER=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 LIBGL_ALWAYS_SOFTWARE=1

# Desktop notifications go to a stand-in server on this private bus, which logs them for
# the test (the app's notification errors are swallowed, so the log is the proof).
export GURUMISHA_E2E_NOTIFY_LOG="$tmp/notifications.jsonl"
: >"$GURUMISHA_E2E_NOTIFY_LOG"
/usr/bin/python3 scripts/fake-notifications.py "$GURUMISHA_E2E_NOTIFY_LOG" >"$tmp/notifications.log" 2>&1 &
notify_pid=$!
for _ in $(seq 50); do
  grep -q ready "$tmp/notifications.log" 2>/dev/null && break
  kill -0 "$notify_pid" 2>/dev/null || { show_logs; die "the stand-in notification server exited"; }
  sleep 0.1
done
grep -q ready "$tmp/notifications.log" || { show_logs; die "the stand-in notification server did not start"; }

# The app's and the worker's logs (shown when a test fails): what each alert and delivery did.
export RUST_LOG="${RUST_LOG:-info,sqlx=warn,tao=warn,wry=warn}"

# The notification worker, delivering e-mail to a loopback SMTP server (gurumisha-testkit's
# smtp-peer) that the test can make refuse recipients (writing `reject` to its control file)
# and accept again: a broken and a fixed provider.
SMTP_PEER=${SMTP_PEER:-target/debug/smtp-peer}
GURUMISHA_BIN=$(realpath -m "${GURUMISHA_BIN:-target/debug/gurumisha}")
export GURUMISHA_BIN
worker_pid=
smtp_pid=
if [ -x "$SMTP_PEER" ] && [ -x "$GURUMISHA_BIN" ]; then
  export GURUMISHA_E2E_SMTP_CONTROL="$tmp/smtp-mode"
  : >"$GURUMISHA_E2E_SMTP_CONTROL"
  export GURUMISHA_E2E_SMTP_LOG="$tmp/smtp-peer.log"
  "$SMTP_PEER" "$GURUMISHA_E2E_SMTP_CONTROL" >"$GURUMISHA_E2E_SMTP_LOG" 2>&1 &
  smtp_pid=$!
  smtp_addr=
  for _ in $(seq 100); do
    smtp_addr=$(grep -m1 -oE 'listening on [0-9.:]+' "$tmp/smtp-peer.log" 2>/dev/null | sed 's/^listening on //' || true)
    [ -n "$smtp_addr" ] && break
    sleep 0.1
  done
  [ -n "$smtp_addr" ] || { show_logs; die "smtp-peer did not start"; }
  GURUMISHA_SMTP_URL="smtp://$smtp_addr?tls=none" \
    "$GURUMISHA_BIN" process-notifications --worker >"$tmp/worker.log" 2>&1 &
  worker_pid=$!
  echo "e2e: SMTP peer on $smtp_addr, notification worker running"
else
  echo "e2e: no $SMTP_PEER or $GURUMISHA_BIN: the SMTP retry flow is skipped"
fi

# Saved connections go to a scratch config directory (their passwords to the kernel key
# store: this private bus has no Secret Service).
export GURUMISHA_CONFIG_DIR="$tmp/config"

# Exports skip the native save dialog (WebDriver cannot drive GTK dialogs).
export GURUMISHA_SAVE_PATH="$tmp/export.csv"

setsid tauri-driver --port "$DRIVER_PORT" --native-port "$NATIVE_PORT" --native-driver "$NATIVE_DRIVER" \
  >"$tmp/tauri-driver.log" 2>&1 &
driver_pid=$!
driver_pgid=$(ps -o pgid= -p "$driver_pid" | tr -d ' ' || true)
[ -n "$driver_pgid" ] || { show_logs; die "tauri-driver did not start"; }

status=0
TAURI_DRIVER_URL="http://127.0.0.1:$DRIVER_PORT" node --test --test-reporter=spec tests/e2e/ || status=$?
if [ "$status" -ne 0 ]; then
  show_logs
  # Whole logs for a closer look (GURUMISHA_E2E_LOGS=DIR).
  if [ -n "${GURUMISHA_E2E_LOGS:-}" ]; then
    mkdir -p "$GURUMISHA_E2E_LOGS" && cp "$tmp"/*.log "$tmp"/*.jsonl "$GURUMISHA_E2E_LOGS"/ 2>/dev/null || true
  fi
fi
exit "$status"
