# Sourced by the other scripts here: where the VS Code host lives and which versions it holds.
# Change a version here and the next test run reinstalls the host.
REPO_ROOT="${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
HOST_DIR="${VSCODE_HOST_DIR:-$REPO_ROOT/test/vscode/host}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"   # bundles VS Code 1.139
NODE_VERSION_SPEC="${HOST_NODE_VERSION:-24}"            # code-server 4.139 refuses older Node
CODE_SERVER_BIN="$HOST_DIR/cs/node_modules/.bin/code-server"
HOST_NODE_BIN="$HOST_DIR/node24/node_modules/.bin/node"

# Puts Node 24 first on PATH and points node-gyp at its headers.
use_host_node() {
  export PATH="$HOST_DIR/node24/node_modules/.bin:$PATH"
  local d
  for d in "$HOST_DIR"/node24/node_modules/node/node_modules/node-linux-*; do
    [[ -d "$d/include/node" ]] && export npm_config_nodedir="$d"
  done
  return 0
}
