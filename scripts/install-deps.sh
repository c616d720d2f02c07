#!/usr/bin/env bash
# Installs what building and testing Gurumisha Console needs on Debian 12,
# and only what is missing, so it is cheap to run before every build.
#
#   scripts/install-deps.sh         # everything, for tests (default: test)
#   scripts/install-deps.sh run     # build and run only: no tauri-driver
#
# Needs root or sudo for apt. Node.js 20.19+ and a Rust toolchain must already
# be on the machine (Debian 12's own nodejs is too old for Vite 7).
set -euo pipefail

mode=${1:-test}
case "$mode" in
  test | run) ;;
  *) echo "usage: $0 [test|run]" >&2; exit 2 ;;
esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

APT_PACKAGES=(
  # Tauri v2 on Linux (WebKitGTK 4.1)
  libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
  librsvg2-dev libayatana-appindicator3-dev libxdo-dev
  # UI tests in Chromium, the desktop window under Xvfb over WebDriver
  xvfb xauth chromium chromium-driver webkit2gtk-driver dbus-x11
  # the end-to-end test's stand-in desktop notification server (scripts/fake-notifications.py)
  python3-dbus python3-gi
  # the PostgreSQL store's test cluster; icon generation
  postgresql imagemagick
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "install-deps: need root (or sudo) to run: $*" >&2
    exit 1
  fi
}

log() { echo "install-deps: $*"; }

# --- Debian packages ---------------------------------------------------------
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt: installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
  log "apt: all ${#APT_PACKAGES[@]} packages present"
fi

# --- Node.js and the UI's packages ---------------------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-deps: node and npm (Node.js 20.19 or newer) are required" >&2
  exit 1
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "install-deps: Node.js $(node -v) is too old; Vite 7 needs 20.19 or newer" >&2
  exit 1
fi
# npm writes node_modules/.package-lock.json on every install: older than the
# lock file means the lock changed since.
if [ ! -f "$ROOT/ui/node_modules/.package-lock.json" ] ||
  [ "$ROOT/ui/package-lock.json" -nt "$ROOT/ui/node_modules/.package-lock.json" ]; then
  log "npm: installing ui/ packages"
  npm ci --prefix "$ROOT/ui" --no-audit --no-fund
else
  log "npm: ui/node_modules is up to date"
fi

# --- tauri-driver (desktop end-to-end tests only) -----------------------------
if [ "$mode" = test ]; then
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
  if command -v tauri-driver >/dev/null 2>&1; then
    log "tauri-driver: present ($(command -v tauri-driver))"
  else
    if ! command -v cargo >/dev/null 2>&1; then
      echo "install-deps: cargo is required to install tauri-driver" >&2
      exit 1
    fi
    log "tauri-driver: installing with cargo"
    cargo install tauri-driver --locked
  fi
fi

log "done ($mode)"
