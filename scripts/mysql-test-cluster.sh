#!/usr/bin/env bash
# Starts a throwaway MariaDB (or MySQL) server for the MySQL test lane and prints its URL on stdout.
# Usage: scripts/mysql-test-cluster.sh start DIR   |   scripts/mysql-test-cluster.sh stop DIR
# Runs as the current user (root too, via --user), listens on a free port on 127.0.0.1 only, keeps
# its socket, pid file and logs in DIR, and ignores /etc/mysql (--no-defaults), so a system server
# on port 3306 neither interferes nor is touched. root has no password.
set -euo pipefail

action=${1:?usage: mysql-test-cluster.sh start|stop DIR}
dir=${2:?usage: mysql-test-cluster.sh start|stop DIR}

# The server lives in /usr/sbin, which is not on every user's PATH.
find_bin() {
  local name
  for name in "$@"; do
    command -v "$name" 2>/dev/null && return 0
    [ -x "/usr/sbin/$name" ] && { echo "/usr/sbin/$name"; return 0; }
  done
  echo "mysql-test-cluster: none of $* found (apt-get install mariadb-server)" >&2
  return 1
}

[ "$action" = start ] && mkdir -p "$dir"
# Nothing to stop when DIR is gone.
dir=$(cd "$dir" 2>/dev/null && pwd) || exit 0
socket="$dir/mysqld.sock"
admin=$(find_bin mariadb-admin mysqladmin)

case "$action" in
  start)
    server=$(find_bin mariadbd mysqld)
    install_db=$(find_bin mariadb-install-db mysql_install_db)
    client=$(find_bin mariadb mysql)
    user=$(id -un)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    "$install_db" --no-defaults --datadir="$dir/data" --user="$user" --auth-root-authentication-method=normal \
      --skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; exit 1; }
    # Detached, with every stream closed: `$(… start DIR)` must not wait for the server to exit.
    nohup "$server" --no-defaults --datadir="$dir/data" --user="$user" \
      --port="$port" --bind-address=127.0.0.1 --socket="$socket" --pid-file="$dir/mysqld.pid" \
      --log-error="$dir/server.log" --skip-name-resolve --skip-log-bin \
      --innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=32M \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
      </dev/null >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 120); do
      "$admin" --no-defaults --socket="$socket" -uroot ping >/dev/null 2>&1 && break
      kill -0 "$pid" 2>/dev/null || { echo "mysql-test-cluster: the server exited:" >&2; tail -n 20 "$dir/server.log" >&2; exit 1; }
      sleep 0.5
    done
    "$admin" --no-defaults --socket="$socket" -uroot ping >/dev/null 2>&1 \
      || { echo "mysql-test-cluster: the server did not answer within 60 s" >&2; tail -n 20 "$dir/server.log" >&2; exit 1; }
    # --skip-name-resolve matches TCP clients by address, so root needs an account at 127.0.0.1.
    "$client" --no-defaults --socket="$socket" -uroot -e "
      CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';
      GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
      CREATE DATABASE hpm_test;"
    echo "mysql://root@127.0.0.1:$port/hpm_test"
    ;;
  stop)
    if [ -f "$dir/mysqld.pid" ]; then
      pid=$(cat "$dir/mysqld.pid")
      "$admin" --no-defaults --socket="$socket" -uroot shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    ;;
  *)
    echo "usage: mysql-test-cluster.sh start|stop DIR" >&2
    exit 2
    ;;
esac
