#!/usr/bin/env bash
# `make test`: installs what is missing, starts a throwaway PostgreSQL cluster, runs every test
# (Rust on SQLite and PostgreSQL, UI unit tests, browser tests in Chromium against the real
# backend, the desktop end-to-end test under Xvfb) and stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/install-deps.sh test

work=$(mktemp -d /tmp/gurumisha-test.XXXXXX)
chmod 755 "$work"
cleanup() {
    scripts/pg-throwaway.sh stop "$work/pg" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
step() {
    local name=$1
    shift
    echo "==> $name"
    if "$@"; then
        passed=$((passed + 1))
    else
        echo "FAILED: $name"
        failed=$((failed + 1))
    fi
}

echo "==> UI build"
npm --prefix ui run build --silent

export GURUMISHA_TEST_PG_URL
GURUMISHA_TEST_PG_URL=$(scripts/pg-throwaway.sh start "$work/pg")
export GURUMISHA_REQUIRE_PG=1
echo "PostgreSQL: $GURUMISHA_TEST_PG_URL"

step "Rust tests (SQLite and PostgreSQL)" cargo test --workspace --no-fail-fast
step "UI type check" npm --prefix ui run check --silent
step "UI unit tests" npm --prefix ui test --silent

# Demo data for the browser and desktop tests, in a throwaway SQLite file with its own key (the
# PostgreSQL runs below make their own).
export GURUMISHA_DATA_DIR="$work/data"
export GURUMISHA_SIGNING_KEY_FILE="$work/data/signing.key"
export GURUMISHA_DATABASE_URL="sqlite://$work/data/gurumisha.sqlite3"
export DATABASE_URL="$GURUMISHA_DATABASE_URL"
cargo build -q -p gurumisha-cli -p gurumisha-console
cargo build -q -p gurumisha-testkit --bin smtp-peer
./target/debug/gurumisha demo --events 20000 | tail -n 3

step "Browser tests (Chromium, SQLite)" env GURUMISHA_BIN="$root/target/debug/gurumisha" scripts/ui-test.sh

# The same suites on PostgreSQL. Each run gets a database of its own in the throwaway cluster,
# with its own demo, data directory and signing key (the tests retry notifications and save
# templates, so no two runs share data), and keeps its screenshots in target/screenshots/postgres/
# (the README's come from the SQLite runs, in target/screenshots/).
on_postgres() (
    name=$1
    shift
    url="${GURUMISHA_TEST_PG_URL%/*}/$name"
    export GURUMISHA_DATA_DIR="$work/$name"
    export GURUMISHA_SIGNING_KEY_FILE="$work/$name/signing.key"
    export GURUMISHA_DATABASE_URL="$url" DATABASE_URL="$url"
    export GURUMISHA_SCREENSHOTS="$root/target/screenshots/postgres"
    # Inside `step` (an `if`) errors do not stop the shell, hence the && chain.
    psql -q -v ON_ERROR_STOP=1 "$GURUMISHA_TEST_PG_URL" -c "CREATE DATABASE $name" &&
        ./target/debug/gurumisha migrate &&
        ./target/debug/gurumisha demo --events 20000 | tail -n 3 &&
        "$@"
)
step "Browser tests (Chromium, PostgreSQL)" \
    on_postgres browser_demo env GURUMISHA_BIN="$root/target/debug/gurumisha" scripts/ui-test.sh
step "Desktop end-to-end (Xvfb + WebDriver, SQLite)" \
    env APP="$root/target/debug/gurumisha-console" scripts/e2e.sh
step "Desktop end-to-end (Xvfb + WebDriver, PostgreSQL)" \
    on_postgres desktop_demo env APP="$root/target/debug/gurumisha-console" scripts/e2e.sh

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
