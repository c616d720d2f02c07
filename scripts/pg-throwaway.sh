#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks.
#
#   scripts/pg-throwaway.sh start DIR   # prints one line: postgres://postgres@127.0.0.1:PORT/postgres
#   scripts/pg-throwaway.sh stop DIR    # stops the cluster and removes DIR
#
# The cluster listens only on 127.0.0.1 (trust authentication for local connections, so the
# URL carries no password), keeps fsync on (benchmarks need real durability) and uses settings
# sized for a small machine. PostgreSQL refuses to run as root: when started by root, the
# cluster is owned by and run as the `postgres` user (override with PG_THROWAWAY_USER).
# Binaries come from PG_BIN, else the newest /usr/lib/postgresql/*/bin, else PATH.
# Everything except the URL goes to stderr.
set -euo pipefail

die() {
    echo "pg-throwaway: $*" >&2
    exit 1
}

usage() {
    die "usage: $0 start DIR | stop DIR"
}

find_bin() {
    if [[ -n "${PG_BIN:-}" ]]; then
        [[ -x "$PG_BIN/pg_ctl" ]] || die "PG_BIN=$PG_BIN has no executable pg_ctl"
        echo "$PG_BIN"
        return
    fi
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$d/pg_ctl" && -x "$d/initdb" && -x "$d/postgres" ]]; then
            echo "$d"
            return
        fi
    done
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
        return
    fi
    die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: install postgresql (e.g. apt-get install postgresql-15) or set PG_BIN"
}

# Runs a command as the cluster owner: directly when not root, via runuser/su when root.
as_owner() {
    if [[ $(id -u) -ne 0 ]]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u "$OWNER" -- "$@"
    else
        local q
        q=$(printf '%q ' "$@")
        su -s /bin/sh "$OWNER" -c "$q"
    fi
}

# Asks the kernel for a free loopback port by binding port 0.
free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
        return
    fi
    # Fallback: a random high port not currently listening.
    local p
    for _ in $(seq 1 50); do
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return
        fi
    done
    die "could not find a free loopback port"
}

cmd_start() {
    local dir=$1
    BIN=$(find_bin)
    if [[ $(id -u) -eq 0 ]]; then
        OWNER=${PG_THROWAWAY_USER:-postgres}
        id -u "$OWNER" >/dev/null 2>&1 || die "running as root needs a user '$OWNER' to own the cluster (PostgreSQL refuses to run as root)"
    else
        OWNER=$(id -un)
    fi
    if [[ -e "$dir" && -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
        die "$dir exists and is not empty; refusing to reuse it"
    fi
    dir=$(realpath -m "$dir")
    if [[ $(id -u) -eq 0 ]]; then
        # The owner must be able to reach DIR (not under /root or a 0700 temp dir).
        local p=$dir
        while [[ "$p" != "/" ]]; do
            p=$(dirname "$p")
            if [[ -e "$p" ]] && ! as_owner test -x "$p"; then
                die "user $OWNER cannot enter $p; choose a DIR it can reach (e.g. under /tmp)"
            fi
        done
    fi
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown "$OWNER" "$dir"
    chmod 700 "$dir"
    local data="$dir/data"

    as_owner "$BIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
        >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        die "initdb failed (log above; remove $dir when done)"
    }

    local port attempt
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        if as_owner "$BIN/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start -o "\
            -c listen_addresses=127.0.0.1 \
            -c port=$port \
            -c unix_socket_directories='$dir' \
            -c fsync=on \
            -c synchronous_commit=on \
            -c full_page_writes=on \
            -c shared_buffers=1GB \
            -c max_connections=200 \
            -c work_mem=8MB \
            -c maintenance_work_mem=128MB \
            -c max_wal_size=2GB \
            -c checkpoint_timeout=15min \
            -c wal_buffers=16MB \
            -c log_min_messages=warning \
            -c logging_collector=off" >"$dir/pg_ctl.log" 2>&1; then
            break
        fi
        # Lost a race for the port (or a real failure): show why only after the last try.
        if [[ $attempt -eq 5 ]]; then
            cat "$dir/pg_ctl.log" "$dir/server.log" >&2 2>/dev/null || true
            die "the server did not start (logs above; '$0 stop $dir' removes $dir)"
        fi
        sleep 0.2
    done

    # pg_ctl -w already waited; pg_isready confirms TCP on loopback answers.
    local i
    for i in $(seq 1 100); do
        if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
            echo "$port" >"$dir/port"
            echo "postgres://postgres@127.0.0.1:$port/postgres"
            return 0
        fi
        sleep 0.1
    done
    cat "$dir/server.log" >&2 || true
    die "the server started but does not answer on 127.0.0.1:$port"
}

cmd_stop() {
    local dir=$1
    [[ -d "$dir" ]] || die "$dir does not exist"
    dir=$(cd "$dir" && pwd)
    local data="$dir/data"
    if [[ -f "$data/postmaster.pid" ]]; then
        BIN=$(find_bin)
        if [[ $(id -u) -eq 0 ]]; then
            OWNER=$(stat -c %U "$data")
        else
            OWNER=$(id -un)
        fi
        as_owner "$BIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >&2 ||
            die "pg_ctl stop failed; $dir left in place"
    fi
    # Only remove what looks like a cluster made by this script.
    if [[ -e "$dir/data/PG_VERSION" || -f "$dir/initdb.log" ]]; then
        rm -rf "$dir"
    else
        die "$dir does not look like a throwaway cluster; not removing it"
    fi
}

[[ $# -eq 2 ]] || usage
case $1 in
start) cmd_start "$2" ;;
stop) cmd_stop "$2" ;;
*) usage ;;
esac
