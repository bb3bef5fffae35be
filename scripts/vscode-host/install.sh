#!/usr/bin/env bash
# Installs the VS Code host used by the vscode test tier and by `npm start`: code-server (a real VS Code
# workbench and Node extension host, from npm) and the Node 24 it requires (the npm package `node`), into
# the git-ignored cache test/vscode/host/. Reinstalls only when the recorded versions differ.
#   scripts/vscode-host/install.sh          install if needed, print one line saying what happened
#   scripts/vscode-host/install.sh --check  exit 0 when the cache is complete and current, 1 otherwise
# Why npm and not @vscode/test-electron's download: these machines reach the npm registry only.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/vscode-host/env.sh
. "$HERE/env.sh"

WANT="code-server@$CODE_SERVER_VERSION node@$NODE_VERSION_SPEC"
STAMP="$HOST_DIR/installed.txt"

is_current() {
  [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" && -x "$CODE_SERVER_BIN" && -x "$HOST_NODE_BIN" ]]
}

if [[ "${1:-}" == --check ]]; then is_current; exit; fi
if is_current; then echo "vscode host: cached ($WANT) in $HOST_DIR"; exit 0; fi

# code-server's native modules (kerberos among them) compile against gssapi headers.
if [[ ! -e /usr/include/gssapi/gssapi.h && ! -e /usr/include/gssapi.h ]]; then
  echo "vscode host: the Kerberos headers are missing; install them: apt-get install -y libkrb5-dev" >&2
  exit 2
fi

started=$(date +%s)
echo "vscode host: installing $WANT into $HOST_DIR (a few minutes, once)"
rm -rf "$HOST_DIR/node24" "$HOST_DIR/cs" "$STAMP"
mkdir -p "$HOST_DIR/node24" "$HOST_DIR/cs"
# Each folder is its own tiny npm project so that nothing touches the repository's package.json.
printf '{"name":"vscode-host-node24","private":true}\n' > "$HOST_DIR/node24/package.json"
printf '{"name":"vscode-host-code-server","private":true}\n' > "$HOST_DIR/cs/package.json"

# Under `npm test` the outer npm's settings arrive as npm_* variables, which the inner npm would take as
# its own config: npm_config_user_agent, for one, names Node 20 and code-server's postinstall refuses it.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep -E '^npm_' || true)

npm_quiet=(--no-audit --no-fund --loglevel=error --no-package-lock)
(cd "$HOST_DIR/node24" && npm install "${npm_quiet[@]}" "node@$NODE_VERSION_SPEC")
[[ -x "$HOST_NODE_BIN" ]] || { echo "vscode host: node@$NODE_VERSION_SPEC installed no node binary at $HOST_NODE_BIN" >&2; exit 1; }

# From here on Node 24 runs npm and node-gyp builds against its own headers (the machine's npmrc may
# point node-gyp at another Node's headers, which gives modules that fail to load in code-server).
use_host_node
(cd "$HOST_DIR/cs" && npm install "${npm_quiet[@]}" "code-server@$CODE_SERVER_VERSION")
[[ -x "$CODE_SERVER_BIN" ]] || { echo "vscode host: code-server did not install $CODE_SERVER_BIN" >&2; exit 1; }
"$CODE_SERVER_BIN" --version >/dev/null

echo "$WANT" > "$STAMP"
echo "vscode host: installed $WANT in $(( $(date +%s) - started )) s (node $("$HOST_NODE_BIN" --version))"
