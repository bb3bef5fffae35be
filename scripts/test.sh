#!/usr/bin/env bash
# The one test command (`npm test`, `npm test -- unit`, `bash scripts/test.sh integration vscode`).
# Installs what the chosen tiers need (npm dependencies, Debian packages when root, the VS Code host),
# builds once, starts one throwaway PostgreSQL for the tiers that need it (and for the integration tier a throwaway
# MariaDB beside it, in the background; both always removed again), runs
# each tier, and prints one line per tier (`unit: N passed, N failed`) and then the totals
# (`N passed, N failed`). Exit 0 only when everything passed. Tiers: unit protocol integration vscode editors.
# Env: ALEMBIC_TEST_PYTHON (default /usr/bin/python3), VSCODE_TEST_HOST (code-server | electron),
#      MOCHA_GREP (only tests whose title matches, in the Node tiers and inside VS Code).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ALL_TIERS=(unit protocol integration vscode editors)
TIERS=()
for a in "$@"; do
  case "$a" in
    unit|protocol|integration|vscode|editors) TIERS+=("$a") ;;
    all) TIERS=("${ALL_TIERS[@]}") ;;
    *) echo "test.sh: unknown tier '$a' (choose from: ${ALL_TIERS[*]})" >&2; exit 2 ;;
  esac
done
[[ ${#TIERS[@]} -gt 0 ]] || TIERS=("${ALL_TIERS[@]}")
wants() { [[ " ${TIERS[*]} " == *" $1 "* ]]; }

export ALEMBIC_TEST_PYTHON="${ALEMBIC_TEST_PYTHON:-/usr/bin/python3}"
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ inside the fixtures
MOCHA="$ROOT/node_modules/.bin/mocha"
REPORTER="$ROOT/scripts/lib/mocha-summary-reporter.cjs"

now_ms() { date +%s%3N; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f s", ms / 1000 }'; }
T_START=$(now_ms)
WORK="$(mktemp -d /tmp/alembic-test.XXXXXX)"

declare -A PASSED FAILED NOTE TIME
STEP_TIMES=()
PG_DIR=""
MARIADB_DIR=""
MARIADB_JOB=""
VSCODE_RUN=""

cleanup() {
  local code=$?
  trap - EXIT INT TERM
  if [[ -n "$VSCODE_RUN" && -f "$VSCODE_RUN/code-server/pid" ]]; then
    bash scripts/vscode-host/stop-code-server.sh "$VSCODE_RUN/code-server" || true
  fi
  # an interrupted VS Code run has nothing worth keeping
  [[ -n "$VSCODE_RUN" && ( $code -eq 130 || $code -eq 143 ) ]] && rm -rf "$VSCODE_RUN"
  if [[ -n "$PG_DIR" ]]; then
    bash scripts/pg-throwaway.sh stop "$PG_DIR" || echo "test.sh: could not remove the throwaway PostgreSQL in $PG_DIR" >&2
  fi
  # A MariaDB still starting in the background: let it finish, so that its folder is known and removed.
  if [[ -n "$MARIADB_JOB" ]]; then wait "$MARIADB_JOB" 2>/dev/null; read_mariadb_env; fi
  if [[ -n "$MARIADB_DIR" ]]; then
    bash scripts/mariadb-throwaway.sh stop "$MARIADB_DIR" || echo "test.sh: could not remove the throwaway MariaDB in $MARIADB_DIR" >&2
  fi
  rm -rf "$WORK"
  exit "$code"
}
trap cleanup EXIT
trap 'echo "test.sh: interrupted" >&2; exit 130' INT
trap 'echo "test.sh: terminated" >&2; exit 143' TERM

# A child that died of (or handled) Ctrl-C / TERM ends the whole run; the EXIT trap cleans up.
interrupted_by() {
  if [[ $1 -eq 130 || $1 -eq 143 ]]; then echo "test.sh: interrupted" >&2; exit "$1"; fi
}
banner() { printf '\n=== %s ===\n' "$*"; }
fail_tier() { FAILED[$1]=$(( ${FAILED[$1]:-0} + 1 )); NOTE[$1]="${NOTE[$1]:+${NOTE[$1]}; }$2"; echo "$1: $2" >&2; }

print_summary() {
  local total_p=0 total_f=0 t line
  banner "summary"
  for t in "${TIERS[@]}"; do
    line="$t: ${PASSED[$t]:-0} passed, ${FAILED[$t]:-0} failed"
    echo "$line"
    [[ -n "${NOTE[$t]:-}" ]] && echo "  ($t: ${NOTE[$t]})"
    total_p=$(( total_p + ${PASSED[$t]:-0} )); total_f=$(( total_f + ${FAILED[$t]:-0} ))
  done
  if [[ -n "${NOTE[typecheck]:-}" ]]; then
    echo "typecheck: 0 passed, 1 failed"; total_f=$(( total_f + 1 ))
  fi
  local times="" s
  for s in "${STEP_TIMES[@]}"; do times+="${times:+, }$s"; done
  for t in "${TIERS[@]}"; do [[ -n "${TIME[$t]:-}" ]] && times+=", $t ${TIME[$t]}"; done
  echo "wall time: ${times:+$times, }total $(secs $(( $(now_ms) - T_START )))"
  echo "$total_p passed, $total_f failed"
  [[ $total_f -eq 0 && $total_p -gt 0 ]]
}

# Everything that must hold before any test can run; a failure here ends the run at once.
stop_now() {
  echo "test.sh: $1" >&2
  local t
  for t in "${TIERS[@]}"; do FAILED[$t]=${FAILED[$t]:-1}; NOTE[$t]="not run: $1"; done
  print_summary
  exit 1
}

# --- setup: npm dependencies, Debian prerequisites, the VS Code host --------------------------------------
t0=$(now_ms)
banner "setup"
if [[ ! -x "$MOCHA" || ! -d node_modules/vscode-languageserver || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "installing npm dependencies"
  # npm ci on a fresh clone; npm install when node_modules exists, since ci would wipe it first
  if [[ -f package-lock.json && ! -d node_modules ]]; then npm ci --no-audit --no-fund || stop_now "npm ci failed"
  else npm install --no-audit --no-fund || stop_now "npm install failed"; fi
fi

prereq_args=()
[[ "$(id -u)" == 0 ]] && prereq_args+=(--install)
bash scripts/prereqs.sh "${prereq_args[@]}" "${TIERS[@]}" \
  || stop_now "Debian prerequisites missing (the apt-get line to run is printed above)"

if wants vscode; then
  bash scripts/vscode-host/install.sh || fail_tier vscode "the VS Code host (code-server) could not be installed: see scripts/vscode-host/install.sh output above"
fi
STEP_TIMES+=("setup $(secs $(( $(now_ms) - t0 )))")

# --- build ----------------------------------------------------------------------------------------------
t0=$(now_ms)
banner "build"
node esbuild.mjs --tests || stop_now "the build failed (node esbuild.mjs --tests)"
if ! { "$ROOT/node_modules/.bin/tsc" --noEmit -p . && "$ROOT/node_modules/.bin/tsc" --noEmit -p client/webview; }; then
  NOTE[typecheck]="type errors"
  echo "test.sh: type check failed (npm run typecheck): the run fails; tests still run for feedback" >&2
fi
STEP_TIMES+=("build $(secs $(( $(now_ms) - t0 )))")

# --- one throwaway MariaDB (integration), started in the background while PostgreSQL starts ---------------
read_mariadb_env() {
  MARIADB_JOB=""
  local line
  [[ -f "$WORK/mariadb.env" ]] || return 0
  while IFS= read -r line; do
    case "$line" in
      MARIADB_URL=*) export ALEMBIC_TEST_MARIADB_URL="${line#MARIADB_URL=}" ;;
      MARIADB_DIR=*) MARIADB_DIR="${line#MARIADB_DIR=}" ;;
    esac
  done <"$WORK/mariadb.env"
}
if wants integration; then
  T_MARIADB=$(now_ms)
  bash scripts/mariadb-throwaway.sh start >"$WORK/mariadb.env" 2>"$WORK/mariadb.err" &
  MARIADB_JOB=$!
fi

# --- one throwaway PostgreSQL for the tiers that need it ------------------------------------------------
if wants integration || wants vscode; then
  t0=$(now_ms)
  if pg_env="$(bash scripts/pg-throwaway.sh start)"; then
    eval "$pg_env"
    export ALEMBIC_TEST_PG_URL="$PG_URL"
    echo "throwaway PostgreSQL on ${PG_URL##*@} (data in $PG_DIR), up in $(secs $(( $(now_ms) - t0 )))"
  else
    wants integration && fail_tier integration "the throwaway PostgreSQL did not start (scripts/pg-throwaway.sh start)"
    wants vscode && fail_tier vscode "the throwaway PostgreSQL did not start (scripts/pg-throwaway.sh start)"
  fi
fi
if [[ -n "$MARIADB_JOB" ]]; then
  wait "$MARIADB_JOB"; mariadb_code=$?
  read_mariadb_env
  if [[ $mariadb_code -eq 0 && -n "${ALEMBIC_TEST_MARIADB_URL:-}" ]]; then
    echo "throwaway MariaDB on ${ALEMBIC_TEST_MARIADB_URL##*@} (data in $MARIADB_DIR), up in $(secs $(( $(now_ms) - T_MARIADB ))) (in parallel)"
  else
    cat "$WORK/mariadb.err" >&2
    fail_tier integration "the throwaway MariaDB did not start (scripts/mariadb-throwaway.sh start)"
  fi
fi

# --- tiers ----------------------------------------------------------------------------------------------
# Reads a summary JSON written by the reporter into PASSED/FAILED of a tier.
add_summary() {
  local tier=$1 file=$2 counts
  counts="$(node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));
    console.log(s.passed, s.failed, s.pending)' "$file" 2>/dev/null)" || return 1
  read -r p f pend <<<"$counts"
  PASSED[$tier]=$(( ${PASSED[$tier]:-0} + p )); FAILED[$tier]=$(( ${FAILED[$tier]:-0} + f ))
  [[ "$pend" -gt 0 ]] && NOTE[$tier]="${NOTE[$tier]:+${NOTE[$tier]}; }$pend pending (skipped)"
  return 0
}

run_mocha_tier() {
  local tier=$1 timeout=$2 dir="out/test/$1"
  if [[ -z "$(find "$dir" -name '*.test.js' 2>/dev/null | head -1)" ]]; then
    fail_tier "$tier" "no tests found under $dir (test/$tier/**/*.test.ts)"; return
  fi
  local summary="$WORK/$tier.json" grep_args=()
  [[ -n "${MOCHA_GREP:-}" ]] && grep_args=(--grep "$MOCHA_GREP")
  # --exit: a test that leaves a handle open must not hang the run; the count still tells the result.
  MOCHA_SUMMARY_FILE="$summary" "$MOCHA" --reporter "$REPORTER" --timeout "$timeout" --exit \
    "${grep_args[@]}" "$dir/**/*.test.js"
  local code=$?
  interrupted_by "$code"
  add_summary "$tier" "$summary" || { fail_tier "$tier" "mocha exited $code before reporting any result"; return; }
  if [[ $code -ne 0 && ${FAILED[$tier]:-0} -eq 0 ]]; then fail_tier "$tier" "mocha exited $code"; fi
}

run_vscode_tier() {
  [[ ${FAILED[vscode]:-0} -eq 0 ]] || return   # host or database missing: already failed with a reason
  local summary="$WORK/vscode.json"
  # In the repository (git-ignored) rather than in $WORK: run-tests.mjs keeps a failed run's logs there.
  mkdir -p "$ROOT/.test-runs"
  VSCODE_RUN="$ROOT/.test-runs/vscode-$(date +%Y%m%d-%H%M%S)-$$"
  MOCHA_SUMMARY_FILE="$summary" VSCODE_TEST_GREP="${MOCHA_GREP:-}" \
    node scripts/vscode-host/run-tests.mjs --run-dir "$VSCODE_RUN" \
      --workspace test/fixtures/amani --extension "$ROOT" --tests "$ROOT/out/test/vscode/index.js"
  local code=$?
  interrupted_by "$code"
  add_summary vscode "$summary" || fail_tier vscode "no result from inside VS Code (exit $code)"
  if [[ $code -ne 0 && ${FAILED[vscode]:-0} -eq 0 ]]; then fail_tier vscode "the VS Code run exited $code"; fi

  # The same extension in Restricted Mode: workspace trust on, the folder untrusted (test/vscode/restricted).
  banner "vscode: Restricted Mode"
  local restricted_summary="$WORK/vscode-restricted.json" restricted_run="$VSCODE_RUN-restricted"
  MOCHA_SUMMARY_FILE="$restricted_summary" VSCODE_TEST_GREP="${MOCHA_GREP:-}" \
    node scripts/vscode-host/run-tests.mjs --restricted --run-dir "$restricted_run" \
      --workspace test/fixtures/amani --extension "$ROOT" --tests "$ROOT/out/test/vscode/index.js"
  code=$?
  interrupted_by "$code"
  local failed_before=${FAILED[vscode]:-0}
  add_summary vscode "$restricted_summary" || fail_tier vscode "no result from VS Code in Restricted Mode (exit $code)"
  if [[ $code -ne 0 && ${FAILED[vscode]:-0} -eq $failed_before ]]; then fail_tier vscode "the Restricted Mode run exited $code"; fi

  # UI scripts drive the workbench with playwright and print their own `N passed, N failed` line.
  local ui out line
  for ui in test/vscode/ui/*.mjs; do
    [[ -e "$ui" ]] || continue
    banner "vscode ui: $ui"
    out="$WORK/ui-$(basename "$ui").log"
    VSCODE_HOST_SCRIPTS="$ROOT/scripts/vscode-host" SHOTS_DIR="$ROOT/test-results/screenshots" \
      node "$ui" 2>&1 | tee "$out"
    code=${PIPESTATUS[0]}
    line="$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)"
    if [[ -n "$line" ]]; then
      [[ "$line" =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]
      PASSED[vscode]=$(( ${PASSED[vscode]:-0} + BASH_REMATCH[1] ))
      FAILED[vscode]=$(( ${FAILED[vscode]:-0} + BASH_REMATCH[2] ))
      [[ $code -ne 0 && ${BASH_REMATCH[2]} -eq 0 ]] && fail_tier vscode "$ui exited $code"
    else
      [[ $code -eq 0 ]] && fail_tier vscode "$ui printed no 'N passed, N failed' line" \
        || fail_tier vscode "$ui exited $code"
    fi
  done
}

# Real editors' LSP clients (Neovim headless, Emacs + eglot in tmux) against dist/server.js: the runner
# prints its own `editors: N passed, N failed` line, whose counts become the tier's.
run_editors_tier() {
  local out="$WORK/editors.log" line code
  node out/test/editors/run.js 2>&1 | tee "$out"
  code=${PIPESTATUS[0]}
  interrupted_by "$code"
  line="$(grep -E '^editors: [0-9]+ passed, [0-9]+ failed' "$out" | tail -1)"
  if [[ "$line" =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    PASSED[editors]=$(( ${PASSED[editors]:-0} + BASH_REMATCH[1] ))
    FAILED[editors]=$(( ${FAILED[editors]:-0} + BASH_REMATCH[2] ))
    [[ $code -ne 0 && ${BASH_REMATCH[2]} -eq 0 ]] && fail_tier editors "out/test/editors/run.js exited $code"
  else
    fail_tier editors "out/test/editors/run.js exited $code without its 'editors: N passed, N failed' line"
  fi
}

for tier in "${TIERS[@]}"; do
  banner "$tier"
  t0=$(now_ms)
  case "$tier" in
    unit) run_mocha_tier unit 10000 ;;
    protocol) run_mocha_tier protocol 30000 ;;
    integration)
      if [[ -n "${ALEMBIC_TEST_PG_URL:-}" && -n "$PG_DIR" ]]; then run_mocha_tier integration 60000; fi ;;
    vscode) run_vscode_tier ;;
    editors) run_editors_tier ;;
  esac
  TIME[$tier]="$(secs $(( $(now_ms) - t0 )))"
  echo "--- $tier tier done in ${TIME[$tier]}"
done

print_summary
