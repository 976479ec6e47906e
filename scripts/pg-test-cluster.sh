#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the test lane and prints its URL on stdout.
# Usage: scripts/pg-test-cluster.sh start DIR   |   scripts/pg-test-cluster.sh stop DIR
# Runs the server as the `postgres` user (PostgreSQL refuses to run as root), trust auth on 127.0.0.1.
set -euo pipefail

action=${1:?usage: pg-test-cluster.sh start|stop DIR}
dir=${2:?usage: pg-test-cluster.sh start|stop DIR}

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$pgbin" ] || { echo "pg-test-cluster: no PostgreSQL binaries under /usr/lib/postgresql" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

case "$action" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    as_pg "'$pgbin/initdb' -D '$dir/data' -A trust -U postgres --no-instructions >'$dir/initdb.log' 2>&1"
    as_pg "'$pgbin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off\" start >/dev/null"
    as_pg "'$pgbin/createdb' -h 127.0.0.1 -p $port -U postgres hpm_test"
    echo "postgres://postgres@127.0.0.1:$port/hpm_test"
    ;;
  stop)
    as_pg "'$pgbin/pg_ctl' -D '$dir/data' -m immediate -w -t 30 stop >/dev/null" || true
    ;;
  *)
    echo "usage: pg-test-cluster.sh start|stop DIR" >&2
    exit 2
    ;;
esac
