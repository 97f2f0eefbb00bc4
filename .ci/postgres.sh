#!/usr/bin/env bash
# A throwaway Postgres on 127.0.0.1 for the cluster tests (test/cluster/postgres.test.ts).
#
#   .ci/postgres.sh run -- CMD...   start Postgres, run CMD with MABEAM_PG_URL set, stop it on exit
#                                   (whatever CMD does, even on Ctrl-C); exits with CMD's status
#   .ci/postgres.sh start           start it and print `MABEAM_PG_URL=... MABEAM_PG_DIR=...`
#   .ci/postgres.sh stop DIR        stop the one started in DIR and delete DIR
#
# Installs the Debian package `postgresql` with apt-get if no initdb is found. The data directory
# is a fresh mktemp directory, the port a free one picked by the OS, authentication `trust` on
# 127.0.0.1 only (the server listens on nothing else, its Unix socket lives in the data dir).
set -euo pipefail

find_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

ensure_installed() {
  if find_bin >/dev/null; then return 0; fi
  echo "postgres.sh: installing postgresql with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  find_bin >/dev/null || { echo "postgres.sh: initdb still not found after install" >&2; exit 1; }
}

# initdb and postgres refuse to run as root: run them as the `postgres` user then.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'
}

start() {
  ensure_installed
  local bin dir port
  bin=$(find_bin)
  dir=$(mktemp -d /tmp/mabeam-pg.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
  port=$(free_port)
  as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-h 127.0.0.1 -p $port -k $dir/data -c fsync=off -c max_connections=200" start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
  echo "MABEAM_PG_URL=postgres://postgres@127.0.0.1:$port/postgres MABEAM_PG_DIR=$dir"
}

stop() {
  local dir=$1 bin
  bin=$(find_bin)
  if [ -d "$dir/data" ]; then as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:?usage: postgres.sh stop DIR}" ;;
  run)
    shift
    [ "${1:-}" = "--" ] && shift
    [ $# -gt 0 ] || { echo "usage: postgres.sh run -- CMD..." >&2; exit 2; }
    line=$(start)
    export MABEAM_PG_URL MABEAM_PG_DIR
    MABEAM_PG_URL=$(echo "$line" | sed -E 's/.*MABEAM_PG_URL=([^ ]+).*/\1/')
    MABEAM_PG_DIR=$(echo "$line" | sed -E 's/.*MABEAM_PG_DIR=([^ ]+).*/\1/')
    trap 'stop "$MABEAM_PG_DIR"' EXIT
    echo "postgres.sh: $MABEAM_PG_URL" >&2
    set +e
    "$@"
    status=$?
    set -e
    exit "$status"
    ;;
  *) echo "usage: postgres.sh run -- CMD... | start | stop DIR" >&2; exit 2 ;;
esac
