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
#   npm start -- PATH              the same editor on YOUR Alembic project at PATH: the folder itself (not
#                                  a copy), no throwaway database; the database URL comes from where the
#                                  extension always reads it (alembic.ini, DATABASE_URL and .env, your
#                                  folder's .vscode/settings.json). A project without alembic.ini whose
#                                  script folder (env.py beside versions/) is found gets a generated ini in
#                                  the temporary folder, so nothing is written into PATH
#   npm start -- PATH --demo-db    ... with an empty throwaway PostgreSQL as DATABASE_URL
#   npm start -- --dry-run [...]   check the arguments and print what would start, then exit
#
# Why the .vsix by default: code-server only honours extensionDevelopmentPath through the smoke-test
# driver, which also changes the workbench (notification toasts go straight to the notification center);
# an installed extension behaves as it will for users.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

mode=install
host=auto
target=""
demo_db=0
dry_run=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dev) mode=dev ;;
    --desktop) host=desktop ;;
    --code-server) host=code-server ;;
    --port) export CODE_SERVER_PORT="${2:?--port needs a number}"; shift ;;
    --demo-db) demo_db=1 ;;
    --dry-run) dry_run=1 ;;
    -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "start.sh: unknown argument $1 (see npm start -- --help)" >&2; exit 2 ;;
    *)
      if [[ -n $target ]]; then echo "start.sh: one project folder at a time (got $target and $1)" >&2; exit 2; fi
      target="$1" ;;
  esac
  shift
done
if [[ $host == auto ]]; then
  host=code-server
  if command -v code >/dev/null 2>&1 && [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then host=desktop; fi
fi
# No PATH: the demo, which always has its throwaway database.
[[ -z $target ]] && demo_db=1

# Your project: checked before anything is installed or started, so a wrong PATH fails at once.
config=""         # the alembic.ini / pyproject.toml the extension will find in PATH
script_folder=""  # or, without one, the Alembic script folder a generated alembic.ini points at
if [[ -n $target ]]; then
  if [[ ! -e $target ]]; then echo "start.sh: $target does not exist (give the folder of your Alembic project)" >&2; exit 2; fi
  if [[ ! -d $target ]]; then echo "start.sh: $target is not a folder (give the folder that holds your alembic.ini, not a file)" >&2; exit 2; fi
  target="$(cd "$target" && pwd -P)"
  # Where the extension looks: the folder and up to 12 levels below it, skipping what it skips.
  prune=(-name node_modules -o -name .git -o -name .hg -o -name .svn -o -name __pycache__ -o -name .venv -o -name venv
    -o -name .tox -o -name .nox -o -name site-packages -o -name .mypy_cache -o -name .pytest_cache -o -name .ruff_cache
    -o -name dist -o -name out)
  found() { find "$target" -maxdepth 12 -type d \( "${prune[@]}" \) -prune -o "$@" -print 2>/dev/null | sort; }
  while IFS= read -r f; do
    if [[ $(basename "$f") == alembic.ini ]] || grep -q '^\[tool\.alembic\]' "$f"; then config="$f"; break; fi
  done < <(found -type f \( -name alembic.ini -o -name pyproject.toml \))
  if [[ -z $config ]]; then
    while IFS= read -r f; do
      if [[ -d "$(dirname "$f")/versions" ]]; then script_folder="$(dirname "$f")"; break; fi
    done < <(found -type f -name env.py)
  fi
  if [[ -z $config && -z $script_folder ]]; then
    echo "start.sh: no alembic.ini (or pyproject.toml with [tool.alembic]) found in $target or the folders below it" >&2
    echo "  (looked 12 levels deep, as the extension does, skipping node_modules, .git, virtual environments and build" >&2
    echo "  output), and no Alembic script folder (env.py beside a versions/ folder) either" >&2
    exit 2
  fi
fi

if [[ $dry_run == 1 ]]; then
  echo "host: $host"
  echo "mode: $mode"
  if [[ -z $target ]]; then
    echo "folder: a scratch copy of test/fixtures/amani"
  else
    echo "folder: $target"
    if [[ -n $config ]]; then echo "project: $config"
    else echo "project: a generated alembic.ini in the temporary folder, script_location = $script_folder"; fi
  fi
  if [[ $demo_db == 1 ]]; then echo "database: an empty throwaway PostgreSQL (DATABASE_URL)"
  else echo "database: yours (alembic.ini, DATABASE_URL, .env, the folder's .vscode/settings.json); nothing started"; fi
  echo "dry run: nothing started"
  exit 0
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
  echo "stopped; ${PG_DIR:+the demo database and }$TMP $([[ -n $PG_DIR ]] && echo are || echo is) gone"
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

# 3. an empty database on a throwaway server (the demo's, or yours with --demo-db)
if [[ $demo_db == 1 ]]; then
  eval "$(bash scripts/pg-throwaway.sh start)"
  node -e '
    const { Client } = require("pg");
    const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 5000 });
    c.connect().then(() => c.query("CREATE DATABASE amani_demo")).then(() => c.end())
      .catch((e) => { console.error("creating the demo database failed:", e.message); process.exit(1); });
  ' "$PG_URL"
  export DATABASE_URL="${PG_URL%/postgres}/amani_demo"
fi

# 4. the project: yours as it is, or the demo as a scratch copy (the fixture in the repository never changes)
if [[ -n $target ]]; then
  DEMO="$target"
  echo
  echo "your project:  $target (opened as it is: edits and migrations you run change it)"
  if [[ -n $config ]]; then
    echo "configuration: $config"
  else
    # No alembic.ini in the folder (the project builds its Config in Python): one in the temporary folder
    # points the extension at the script folder, through the user settings of this editor only.
    cat > "$TMP/alembic.ini" <<INI
# Written by npm start for $target, which has no alembic.ini: the extension reads the script folder.
[alembic]
script_location = $script_folder
INI
    echo "configuration: $TMP/alembic.ini (generated: script_location = $script_folder)"
  fi
  if [[ $demo_db == 1 ]]; then echo "database:      $DATABASE_URL (an empty throwaway database, as DATABASE_URL)"
  else echo "database:      yours, from alembic.ini, DATABASE_URL, .env or the folder's settings (none started)"; fi
else
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
fi

# 5. the editor
if [[ $host == desktop ]]; then
  echo "opening the desktop VS Code with --extensionDevelopmentPath=$ROOT; close the window or press Ctrl-C to stop"
  [[ -f "$TMP/alembic.ini" ]] && echo "(set alembic.configFile to $TMP/alembic.ini in that window to see the project)"
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
if [[ -f "$TMP/alembic.ini" ]]; then
  # The extension activates when the browser connects, after this: it reads the setting then.
  node -e '
    const fs = require("fs");
    const [file, ini] = process.argv.slice(1);
    const settings = JSON.parse(fs.readFileSync(file, "utf8"));
    settings["alembic.configFile"] = ini;
    fs.writeFileSync(file, JSON.stringify(settings, null, 2));
  ' "$RUN/user-data/User/settings.json" "$TMP/alembic.ini"
fi

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
# Blocks until code-server exits (or Ctrl-C, or a `kill` of this script); code-server is not our child,
# so a tail that ends with it is waited for instead. In the background, so that a signal to this script
# runs the cleanup at once (bash runs traps only after a foreground command ends).
tail --pid="$CS_PID" -f /dev/null &
wait $! || true
echo "code-server exited unexpectedly; the end of its log:"; tail -20 "$RUN/code-server.log"
exit 1
