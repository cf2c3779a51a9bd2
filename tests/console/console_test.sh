#!/usr/bin/env bash
# Runs tests/console/console_test.mjs against a real `passerelle demo` (a few dossiers).
# Usage: console_test.sh PATH_TO_PASSERELLE SCREENSHOT_DIR
set -euo pipefail
binary=$1
shots=$2
here="$(cd "$(dirname "$0")" && pwd)"
tools="$here/../../tools/console"
[ -d "$tools/node_modules/playwright-core" ] ||
  { echo "tools/console is not installed: scripts/install-tools.sh" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "Debian's chromium is missing: scripts/install-deps.sh" >&2; exit 1; }
. "$here/../e2e/demo_lib.sh"
start_demo "$binary" 12
grep -q "/console" "$work/out" || { echo "FAIL: the demo does not print the console's address"; exit 1; }
cd "$tools"
dossier=$(grep -oE '/v1/dossiers/d[a-z2-7]{26}' "$work/out" | head -1 | cut -d/ -f4)
[ -n "$dossier" ] || { echo "FAIL: no dossier id in the demo's instructions"; exit 1; }
node "$here/console_test.mjs" "https://127.0.0.1:$port" "$work/demo/partners" "$shots" "$dossier"
