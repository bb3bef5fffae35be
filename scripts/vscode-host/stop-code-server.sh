#!/usr/bin/env bash
# Stops the code-server that start-code-server.sh started in RUN_DIR, with everything it spawned
# (extension host, language server): the whole process group, TERM first, KILL after 5 s.
#   stop-code-server.sh RUN_DIR
set -uo pipefail
RUN="${1:?usage: $0 RUN_DIR}"
[[ -f "$RUN/pid" ]] || exit 0
PID="$(cat "$RUN/pid")"
[[ "$PID" =~ ^[0-9]+$ ]] || { echo "bad pid file $RUN/pid" >&2; exit 2; }
kill -TERM -- -"$PID" 2>/dev/null || kill -TERM "$PID" 2>/dev/null || true
for _ in $(seq 50); do
  kill -0 -- -"$PID" 2>/dev/null || { rm -f "$RUN/pid"; exit 0; }
  sleep 0.1
done
kill -KILL -- -"$PID" 2>/dev/null || true
rm -f "$RUN/pid"
