#!/usr/bin/env bash
# Installs a packaged extension (.vsix) into the isolated extensions folder of a code-server run folder,
# exactly as a user's `Install from VSIX...` would; start-code-server.sh with the same RUN_DIR then loads it.
#   install-vsix.sh RUN_DIR FILE.vsix
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/vscode-host/env.sh
. "$HERE/env.sh"
RUN="$(realpath -m "${1:?usage: $0 RUN_DIR FILE.vsix}")"
VSIX="$(realpath "${2:?usage: $0 RUN_DIR FILE.vsix}")"
"$HERE/install.sh" --check || { echo "the VS Code host is not installed: run scripts/vscode-host/install.sh" >&2; exit 2; }
mkdir -p "$RUN/user-data" "$RUN/extensions" "$RUN/tmp" "$RUN/xdg-config" "$RUN/xdg-data"
if ! out="$(TMPDIR="$RUN/tmp" XDG_CONFIG_HOME="$RUN/xdg-config" XDG_DATA_HOME="$RUN/xdg-data" \
    "$HOST_NODE_BIN" "$CODE_SERVER_BIN" --user-data-dir "$RUN/user-data" --extensions-dir "$RUN/extensions" \
    --install-extension "$VSIX" 2>&1)" || ! grep -q 'successfully installed' <<<"$out"; then
  echo "installing $VSIX into code-server failed:" >&2
  echo "$out" >&2
  exit 1
fi
echo "installed $(basename "$VSIX") into $RUN/extensions" >&2
