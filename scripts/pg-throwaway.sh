#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and for `npm start`.
#   scripts/pg-throwaway.sh start   prints PG_URL=..., PG_DIR=..., PG_PID=... (eval-able)
#   scripts/pg-throwaway.sh stop DIR
# The cluster lives in a fresh /tmp/alembic-pg.* folder, listens on 127.0.0.1 at a free port with
# password (scram) auth on TCP so wrong-password errors are real, and trusts the local socket.
# Env: PGBIN (folder with initdb/pg_ctl), PG_TEST_PASSWORD (superuser password; default: a random one).
set -euo pipefail

find_pgbin() {
  if [[ -n "${PGBIN:-}" && -x "$PGBIN/initdb" ]]; then echo "$PGBIN"; return; fi
  local best=""
  for d in /usr/lib/postgresql/*/bin /usr/local/opt/postgresql*/bin /opt/homebrew/opt/postgresql*/bin; do
    [[ -x "$d/initdb" ]] && best="$d"
  done
  if [[ -z "$best" ]] && command -v pg_config >/dev/null 2>&1; then best="$(pg_config --bindir)"; fi
  if [[ -z "$best" ]] && command -v initdb >/dev/null 2>&1; then best="$(dirname "$(command -v initdb)")"; fi
  echo "$best"
}

PGBIN="$(find_pgbin)"
if [[ -z "$PGBIN" || ! -x "$PGBIN/initdb" ]]; then
  echo "PostgreSQL server binaries (initdb, pg_ctl) not found. Install them: apt-get install -y postgresql" >&2
  exit 2
fi

AS_OWNER=()
OWNER="$(id -un)"
if [[ "$(id -u)" == 0 ]]; then OWNER=postgres; AS_OWNER=(runuser -u postgres --); fi
# A distinctive password by default, so tests can grep logs for it without false alarms.
PASSWORD="${PG_TEST_PASSWORD:-pw-$(od -An -N8 -tx1 /dev/urandom | tr -d " \n")}"

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

case "${1:-}" in
start)
  DIR="$(mktemp -d /tmp/alembic-pg.XXXXXX)"
  mkdir -p "$DIR/data" "$DIR/sock"
  printf '%s\n' "$PASSWORD" > "$DIR/pwfile"
  [[ "$OWNER" == postgres && "$(id -u)" == 0 ]] && chown -R postgres "$DIR"
  chmod 700 "$DIR"
  if ! "${AS_OWNER[@]}" "$PGBIN/initdb" -D "$DIR/data" -U postgres --pwfile="$DIR/pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync \
      >"$DIR/initdb.log" 2>&1; then
    cat "$DIR/initdb.log" >&2; rm -rf "$DIR"; exit 1
  fi
  for attempt in 1 2 3 4 5; do
    PORT="$(free_port)"
    if "${AS_OWNER[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 start -o \
        "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DIR/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 -c shared_buffers=32MB" \
        >"$DIR/pg_ctl.log" 2>&1; then
      echo "PG_URL=postgresql://postgres:$PASSWORD@127.0.0.1:$PORT/postgres"
      echo "PG_DIR=$DIR"
      echo "PG_PID=$(head -1 "$DIR/data/postmaster.pid")"
      exit 0
    fi
  done
  cat "$DIR/server.log" >&2 || true
  rm -rf "$DIR"; exit 1
  ;;
stop)
  DIR="${2:?usage: $0 stop DIR}"
  [[ "$DIR" == /tmp/alembic-pg.* && -d "$DIR" ]] || { echo "not a throwaway cluster folder: $DIR" >&2; exit 2; }
  if [[ -f "$DIR/data/postmaster.pid" ]]; then
    PID="$(head -1 "$DIR/data/postmaster.pid")"
    "${AS_OWNER[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    # pg_ctl can return before the postmaster is gone
    for _ in $(seq 200); do kill -0 "$PID" 2>/dev/null || break; sleep 0.05; done
  fi
  rm -rf "$DIR"
  ;;
*) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
