#!/usr/bin/env bash
# The Debian packages the test tiers and `npm start` need, checked by what they provide (so a machine that
# has them some other way passes too), and installed when we are root.
#   scripts/prereqs.sh [tier...]            check; print what is missing and the exact apt-get line; exit 1 if any
#   scripts/prereqs.sh --install [tier...]  the same, but as root install what is missing (apt-get update once)
#   scripts/prereqs.sh --list               print every package, one line, for .ci/run
# Tiers: unit protocol integration vscode editors start (default: all of them).
# Env: ALEMBIC_TEST_PYTHON (the interpreter that must have Alembic; default /usr/bin/python3).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

ALL_PACKAGES=(postgresql python3-alembic python3-psycopg2 python3-asyncpg mariadb-server python3-pymysql pre-commit chromium libkrb5-dev neovim emacs-nox elpa-eglot tmux)
PYTHON="${ALEMBIC_TEST_PYTHON:-/usr/bin/python3}"

install=0
tiers=()
for a in "$@"; do
  case "$a" in
    --list) echo "${ALL_PACKAGES[*]}"; exit 0 ;;
    --install) install=1 ;;
    unit|protocol|integration|vscode|editors|start) tiers+=("$a") ;;
    *) echo "prereqs.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done
[[ ${#tiers[@]} -gt 0 ]] || tiers=(unit protocol integration vscode editors)

# Which packages the chosen tiers need (unit and protocol need Node only).
needed=()
need() { local p; for p in "$@"; do [[ " ${needed[*]} " == *" $p "* ]] || needed+=("$p"); done; }
for t in "${tiers[@]}"; do
  case "$t" in
    # MariaDB and PyMySQL: the MySQL-dialect tests (a throwaway server, scripts/mariadb-throwaway.sh);
    # pre-commit: the hook test installs .pre-commit-hooks.yaml with the real pre-commit.
    integration) need postgresql python3-alembic python3-psycopg2 python3-asyncpg mariadb-server python3-pymysql pre-commit ;;
    # Neovim and Emacs with eglot drive the server; tmux gives Emacs the terminal eglot needs.
    editors) need neovim emacs-nox elpa-eglot tmux ;;
    vscode|start)
      need postgresql python3-alembic python3-psycopg2 python3-asyncpg
      [[ "$t" == vscode ]] && need chromium
      # only to compile code-server's native modules, so not needed once the host is cached
      bash "$HERE/vscode-host/install.sh" --check || need libkrb5-dev
      ;;
  esac
done

py_has() { [[ -x "$PYTHON" ]] && "$PYTHON" -c "import $1" >/dev/null 2>&1; }
present() {
  case "$1" in
    postgresql)
      local d
      for d in /usr/lib/postgresql/*/bin; do [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] && return 0; done
      command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 ;;
    python3-alembic) py_has alembic ;;
    python3-psycopg2) py_has psycopg2 ;;
    python3-asyncpg) py_has asyncpg ;;
    python3-pymysql) py_has pymysql ;;
    mariadb-server)
      { command -v mariadbd >/dev/null 2>&1 || [[ -x /usr/sbin/mariadbd ]]; } && command -v mariadb-install-db >/dev/null 2>&1 ;;
    chromium)
      [[ -n "${CHROMIUM_PATH:-}" && -x "${CHROMIUM_PATH:-}" ]] || command -v chromium >/dev/null 2>&1 \
        || command -v chromium-browser >/dev/null 2>&1 ;;
    libkrb5-dev) [[ -e /usr/include/gssapi/gssapi.h || -e /usr/include/gssapi.h ]] ;;
    neovim) command -v nvim >/dev/null 2>&1 ;;
    emacs-nox) command -v emacs >/dev/null 2>&1 ;;
    elpa-eglot) command -v emacs >/dev/null 2>&1 && emacs --batch -q --eval "(require 'eglot)" >/dev/null 2>&1 ;;
    tmux) command -v tmux >/dev/null 2>&1 ;;
    pre-commit) command -v pre-commit >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

missing_now() {
  missing=()
  local p
  for p in "${needed[@]}"; do present "$p" || missing+=("$p"); done
}

missing_now
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $install == 1 && "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "prereqs: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  missing_now
  [[ ${#missing[@]} -eq 0 ]] && { echo "prereqs: installed"; exit 0; }
  echo "prereqs: still missing after apt-get install: ${missing[*]}" >&2
fi

sudo=""; [[ "$(id -u)" == 0 ]] || sudo="sudo "
{
  echo "Missing prerequisites for the ${tiers[*]} tier(s): ${missing[*]}"
  [[ "$PYTHON" == /usr/bin/python3 ]] || echo "(the Python modules are looked for in ALEMBIC_TEST_PYTHON=$PYTHON)"
  echo "Install them with:"
  echo "  ${sudo}apt-get update && ${sudo}apt-get install -y ${missing[*]}"
} >&2
exit 1
