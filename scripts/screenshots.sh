#!/usr/bin/env bash
# Regenerates the README's pictures (media/screenshots/*.png) from the UI end-to-end test: the packaged
# extension in a real VS Code (code-server, headless Chromium) on the amani demo project and a scratch
# database. The pictures are the test's own screenshots, so they show what the test has just checked.
#   bash scripts/screenshots.sh
# Uses ALEMBIC_TEST_PG_URL when set; otherwise starts a throwaway PostgreSQL and removes it afterwards.
# Copies nothing when a step failed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# README picture  <-  the UI test's screenshot (test/vscode/ui/ui.mjs names them NN-<name>.png)
PICTURES=(
  "tree.png:03-tree.png"
  "diagnostics-hover.png:05-diagnostic-hover.png"
  "sql-preview.png:04-sql-preview.png"
  "graph.png:06-graph.png"
)

SHOTS="$(mktemp -d /tmp/alembic-screenshots.XXXXXX)"
PG_DIR=""
cleanup() {
  [[ -n "$PG_DIR" ]] && bash scripts/pg-throwaway.sh stop "$PG_DIR"
  rm -rf "$SHOTS"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -z "${ALEMBIC_TEST_PG_URL:-}" ]]; then
  eval "$(bash scripts/pg-throwaway.sh start)"
  export ALEMBIC_TEST_PG_URL="$PG_URL"
fi

# The test rebuilds the .vsix when it is older than dist/ (npm run package).
SHOTS_DIR="$SHOTS" node test/vscode/ui/ui.mjs || {
  echo "screenshots.sh: the UI test failed; media/screenshots/ left as it was" >&2
  exit 1
}

for pair in "${PICTURES[@]}"; do
  [[ -f "$SHOTS/${pair#*:}" ]] || { echo "screenshots.sh: the test left no ${pair#*:}" >&2; exit 1; }
done
mkdir -p media/screenshots
for pair in "${PICTURES[@]}"; do
  picture="${pair%%:*}" shot="${pair#*:}"
  cp "$SHOTS/$shot" "media/screenshots/$picture"
  echo "media/screenshots/$picture  <-  $shot"
done
