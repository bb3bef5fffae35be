#!/usr/bin/env bash
# `npm start`: a real VS Code with this extension on a demo Alembic project (a scratch copy of
# test/fixtures/amani) and an empty throwaway PostgreSQL database for it. Ctrl-C stops everything and
# removes the database and the temporary folders.
#
#   npm start                      code-server in your browser, the extension installed from a freshly
#                                  packaged .vsix: exactly what a user gets, notifications and all
#   npm start -- --dev             code-server with the repository loaded as extensionDevelopmentPath:
#                                  rebuild (npm run build:dev) and reload the window to see changes
#   npm start -- --desktop         the desktop `code` on PATH with --extensionDevelopmentPath (the default
#                                  when `code` is on PATH and there is a display); --code-server forces
#                                  the browser host
#   npm start -- --port 8080       a fixed port instead of a free one
#
# Why the .vsix by default: code-server only honours extensionDevelopmentPath through the smoke-test
# driver, which also changes the workbench (notification toasts go straight to the notification center);
# an installed extension behaves as it will for users.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

mode=install
host=auto
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dev) mode=dev ;;
    --desktop) host=desktop ;;
    --code-server) host=code-server ;;
    --port) export CODE_SERVER_PORT="${2:?--port needs a number}"; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "start.sh: unknown argument $1 (see npm start -- --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ $host == auto ]]; then
  host=code-server
  if command -v code >/dev/null 2>&1 && [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then host=desktop; fi
fi

PYTHON="${ALEMBIC_TEST_PYTHON:-/usr/bin/python3}"
TMP="$(mktemp -d /tmp/alembic-demo.XXXXXX)"
PG_DIR=""
RUN="$TMP/code-server"

cleanup() {
  local code=$?
  trap - EXIT INT TERM
  echo
  echo "stopping..."
  [[ -f "$RUN/pid" ]] && bash scripts/vscode-host/stop-code-server.sh "$RUN"
  [[ -n "$PG_DIR" ]] && bash scripts/pg-throwaway.sh stop "$PG_DIR"
  rm -rf "$TMP"
  echo "stopped; the demo database and $TMP are gone"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 0' INT TERM   # Ctrl-C is the normal way to stop: clean up and report success

# 1. dependencies and prerequisites
if [[ ! -d node_modules/vscode-languageserver || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "installing npm dependencies"
  if [[ -f package-lock.json && ! -d node_modules ]]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi
prereq_args=(start)
[[ "$(id -u)" == 0 ]] && prereq_args=(--install start)
bash scripts/prereqs.sh "${prereq_args[@]}"
[[ $host == code-server ]] && bash scripts/vscode-host/install.sh

# 2. build
node esbuild.mjs

# 3. an empty database on a throwaway server
eval "$(bash scripts/pg-throwaway.sh start)"
node -e '
  const { Client } = require("pg");
  const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 5000 });
  c.connect().then(() => c.query("CREATE DATABASE amani_demo")).then(() => c.end())
    .catch((e) => { console.error("creating the demo database failed:", e.message); process.exit(1); });
' "$PG_URL"
export DATABASE_URL="${PG_URL%/postgres}/amani_demo"

# 4. the demo project: a scratch copy, so the fixture in the repository never changes
DEMO="$TMP/amani"
cp -r test/fixtures/amani "$DEMO"
mkdir -p "$DEMO/.vscode"
cat > "$DEMO/.vscode/settings.json" <<JSON
{
  "alembic.pythonPath": "$PYTHON"
}
JSON

echo
echo "demo project:  $DEMO (a copy of test/fixtures/amani, at base: nothing applied yet)"
echo "database:      $DATABASE_URL (DATABASE_URL for the editor; try Alembic: Upgrade to Head)"

# 5. the editor
if [[ $host == desktop ]]; then
  echo "opening the desktop VS Code with --extensionDevelopmentPath=$ROOT; close the window or press Ctrl-C to stop"
  code --new-window --wait --extensionDevelopmentPath="$ROOT" "$DEMO" || true
  exit 0
fi

cs_args=()
if [[ $mode == install ]]; then
  VSIX="$TMP/alembic-migrations.vsix"
  npx --no-install vsce package --no-dependencies --no-rewrite-relative-links --out "$VSIX" </dev/null >"$TMP/vsce.log" 2>&1 \
    || { cat "$TMP/vsce.log" >&2; echo "packaging the extension failed" >&2; exit 1; }
  bash scripts/vscode-host/install-vsix.sh "$RUN" "$VSIX"
else
  cs_args=(--vscode-option enable-smoke-test-driver)
fi
eval "$(bash scripts/vscode-host/start-code-server.sh "$RUN" "$DEMO" "${cs_args[@]}")"

url="${CS_URL}?folder=$(node -p 'encodeURIComponent(process.argv[1])' "$DEMO")"
if [[ $mode == dev ]]; then
  payload="$(node -p 'JSON.stringify([["extensionDevelopmentPath", process.argv[1]], ["skipWelcome", "true"]])' \
    "vscode-remote://127.0.0.1:$CS_PORT$ROOT")"
  url+="&payload=$(node -p 'encodeURIComponent(process.argv[1])' "$payload")"
fi
echo
echo "VS Code (code-server $mode mode) is ready. Open this in your browser:"
echo
echo "    $url"
echo
echo "(it listens on 127.0.0.1 only: on a remote machine forward port $CS_PORT first, e.g. ssh -L $CS_PORT:127.0.0.1:$CS_PORT)"
echo "Press Ctrl-C to stop everything."
# Blocks until code-server exits (or Ctrl-C); code-server is not our child, so `wait` cannot be used.
tail --pid="$CS_PID" -f /dev/null
echo "code-server exited unexpectedly; the end of its log:"; tail -20 "$RUN/code-server.log"
exit 1
