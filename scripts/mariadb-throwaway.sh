#!/usr/bin/env bash
# A throwaway MariaDB server for tests and benchmarks, the counterpart of scripts/pg-throwaway.sh.
#   scripts/mariadb-throwaway.sh start   prints MARIADB_URL=..., MARIADB_DIR=..., MARIADB_PID=... (eval-able)
#   scripts/mariadb-throwaway.sh stop DIR
# The server lives in a fresh /tmp/alembic-mariadb.* folder (data, socket, log), listens on 127.0.0.1 at
# a free port and on a private socket, and never reads /etc/mysql (--no-defaults), so it cannot meet the
# machine's own MariaDB. The user `alembic` (all privileges) has a password on TCP, so wrong-password
# errors are real; root is reached only over the private socket. As root the server
# runs as the `mysql` user Debian's package creates, as pg-throwaway.sh runs PostgreSQL as `postgres`.
# Env: MARIADB_TEST_PASSWORD (root's password; default: a random one).
set -euo pipefail

find_bin() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
    [[ -x "/usr/sbin/$name" ]] && { echo "/usr/sbin/$name"; return; }
  done
}

SERVER="$(find_bin mariadbd mysqld)"
INSTALL_DB="$(find_bin mariadb-install-db mysql_install_db)"
CLIENT="$(find_bin mariadb mysql)"
if [[ -z "$SERVER" || -z "$INSTALL_DB" || -z "$CLIENT" ]]; then
  echo "MariaDB server binaries (mariadbd, mariadb-install-db, mariadb) not found. Install them: apt-get install -y mariadb-server" >&2
  exit 2
fi

USER_ARGS=()
OWNER="$(id -un)"
if [[ "$(id -u)" == 0 ]]; then OWNER=mysql; USER_ARGS=(--user=mysql); fi
PASSWORD="${MARIADB_TEST_PASSWORD:-mpw-$(od -An -N8 -tx1 /dev/urandom | tr -d " \n")}"

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

case "${1:-}" in
start)
  DIR="$(mktemp -d /tmp/alembic-mariadb.XXXXXX)"
  mkdir -p "$DIR/data" "$DIR/tmp"
  [[ "$OWNER" == mysql ]] && chown -R mysql "$DIR"
  chmod 711 "$DIR"
  if ! "$INSTALL_DB" --no-defaults "${USER_ARGS[@]}" --datadir="$DIR/data" --auth-root-authentication-method=normal \
      --skip-test-db --skip-name-resolve >"$DIR/install.log" 2>&1; then
    cat "$DIR/install.log" >&2; rm -rf "$DIR"; exit 1
  fi
  for attempt in 1 2 3 4 5; do
    PORT="$(free_port)"
    "$SERVER" --no-defaults "${USER_ARGS[@]}" --datadir="$DIR/data" --tmpdir="$DIR/tmp" --socket="$DIR/mysqld.sock" \
      --pid-file="$DIR/mysqld.pid" --log-error="$DIR/server.log" --bind-address=127.0.0.1 --port="$PORT" \
      --skip-name-resolve --innodb-buffer-pool-size=16M --innodb-log-file-size=8M --skip-log-bin \
      --innodb-flush-log-at-trx-commit=0 --sync-binlog=0 --performance-schema=OFF >/dev/null 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 300); do
      if [[ -S "$DIR/mysqld.sock" ]] && "$CLIENT" --no-defaults --socket="$DIR/mysqld.sock" -uroot -e 'SELECT 1' >/dev/null 2>&1; then break; fi
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null && [[ -S "$DIR/mysqld.sock" ]]; then
      "$CLIENT" --no-defaults --socket="$DIR/mysqld.sock" -uroot >"$DIR/setup.log" 2>&1 <<SQL || { cat "$DIR/setup.log" >&2; kill "$SERVER_PID"; rm -rf "$DIR"; exit 1; }
CREATE USER 'alembic'@'127.0.0.1' IDENTIFIED BY '$PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO 'alembic'@'127.0.0.1' WITH GRANT OPTION;
CREATE DATABASE alembic_test;
SQL
      rm -f "$DIR/setup.log"
      echo "MARIADB_URL=mysql+pymysql://alembic:$PASSWORD@127.0.0.1:$PORT/alembic_test"
      echo "MARIADB_DIR=$DIR"
      echo "MARIADB_PID=$SERVER_PID"
      exit 0
    fi
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  done
  cat "$DIR/server.log" >&2 || true
  rm -rf "$DIR"; exit 1
  ;;
stop)
  DIR="${2:?usage: $0 stop DIR}"
  [[ "$DIR" == /tmp/alembic-mariadb.* && -d "$DIR" ]] || { echo "not a throwaway MariaDB folder: $DIR" >&2; exit 2; }
  if [[ -f "$DIR/mysqld.pid" ]]; then
    PID="$(head -1 "$DIR/mysqld.pid")"
    kill -KILL "$PID" 2>/dev/null || true
    for _ in $(seq 200); do kill -0 "$PID" 2>/dev/null || break; sleep 0.05; done
  fi
  rm -rf "$DIR"
  ;;
*) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
