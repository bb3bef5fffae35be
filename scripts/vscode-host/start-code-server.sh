#!/usr/bin/env bash
# Starts code-server (a real VS Code: workbench in the browser, Node extension host on this machine) for
# one folder, isolated in RUN_DIR (user data, extensions, temp and XDG folders all live there, so nothing
# lands in the home folder), listening on 127.0.0.1 without authentication.
#   start-code-server.sh RUN_DIR FOLDER [extra code-server arguments...]
# Prints eval-able lines CS_PORT=... CS_PID=... CS_URL=...; writes RUN_DIR/port, RUN_DIR/pid and
# RUN_DIR/code-server.log. Returns once /healthz answers. Env: CODE_SERVER_PORT to pick the port.
# The extension host inherits this process's environment: export what the extension should see first.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/vscode-host/env.sh
. "$HERE/env.sh"

RUN="$(realpath -m "${1:?usage: $0 RUN_DIR FOLDER [args...]}")"
FOLDER="$(realpath "${2:?usage: $0 RUN_DIR FOLDER [args...]}")"
shift 2
"$HERE/install.sh" --check || { echo "the VS Code host is not installed: run scripts/vscode-host/install.sh" >&2; exit 2; }

mkdir -p "$RUN/user-data/User" "$RUN/extensions" "$RUN/tmp" "$RUN/xdg-config" "$RUN/xdg-data"
# CODE_SERVER_WORKSPACE_TRUST=1: workspace trust on, and the folder left untrusted (Restricted Mode) with
# no prompt asking to trust it; otherwise trust is off and every folder counts as trusted.
TRUST_ARGS=(--disable-workspace-trust)
TRUST_SETTINGS='"security.workspace.trust.enabled": false,'
if [[ "${CODE_SERVER_WORKSPACE_TRUST:-}" == 1 ]]; then
  TRUST_ARGS=()
  TRUST_SETTINGS='"security.workspace.trust.enabled": true, "security.workspace.trust.startupPrompt": "never", "security.workspace.trust.banner": "never", "security.workspace.trust.untrustedFiles": "open",'
fi
# Quiet defaults: no welcome page, telemetry, update checks or AI prompts getting in the way.
[[ -f "$RUN/user-data/User/settings.json" ]] || cat > "$RUN/user-data/User/settings.json" <<JSON
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  $TRUST_SETTINGS
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "chat.disableAIFeatures": true,
  "git.enabled": false
}
JSON

# node rather than curl: a fresh Debian machine may not have curl.
healthy() {
  node -e 'require("http").get(process.argv[1], (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on("error", () => process.exit(1))' \
    "http://127.0.0.1:$1/healthz"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

started=$(date +%s%N)
for attempt in 1 2 3; do
  PORT="${CODE_SERVER_PORT:-$(free_port)}"
  : > "$RUN/code-server.log"
  # setsid: its own process group, so that stopping it also stops the extension host and the
  # language server it started.
  TMPDIR="$RUN/tmp" XDG_CONFIG_HOME="$RUN/xdg-config" XDG_DATA_HOME="$RUN/xdg-data" \
    setsid "$HOST_NODE_BIN" "$CODE_SERVER_BIN" \
      --bind-addr "127.0.0.1:$PORT" --auth none \
      --user-data-dir "$RUN/user-data" --extensions-dir "$RUN/extensions" \
      --disable-telemetry --disable-update-check "${TRUST_ARGS[@]}" \
      --disable-getting-started-override --ignore-last-opened \
      "$@" "$FOLDER" >"$RUN/code-server.log" 2>&1 </dev/null &
  PID=$!
  echo "$PID" > "$RUN/pid"
  echo "$PORT" > "$RUN/port"
  deadline=$(( $(date +%s) + 60 ))
  while (( $(date +%s) < deadline )); do
    if healthy "$PORT"; then
      echo "code-server ready on port $PORT after $(( ($(date +%s%N) - started) / 1000000 )) ms (pid $PID)" >&2
      echo "CS_PORT=$PORT"
      echo "CS_PID=$PID"
      echo "CS_URL=http://127.0.0.1:$PORT/"
      exit 0
    fi
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.2
  done
  kill -- -"$PID" 2>/dev/null || true
  # Only a lost race for the port is worth another try.
  grep -q EADDRINUSE "$RUN/code-server.log" && [[ -z "${CODE_SERVER_PORT:-}" ]] || break
done
echo "code-server did not start; its log ($RUN/code-server.log):" >&2
tail -40 "$RUN/code-server.log" >&2
exit 1
