#!/usr/bin/env bash
# docs/openapi.json linted by two independent tools, versions pinned in tools/openapi/: Redocly
# CLI (its recommended rules) and Spectral (its OpenAPI ruleset). Any error fails.
set -euo pipefail
tools="$(cd "$(dirname "$0")/../../tools/openapi" && pwd)"
doc="$1"
[ -x "$tools/node_modules/.bin/redocly" ] ||
  { echo "tools/openapi is not installed: scripts/install-tools.sh" >&2; exit 1; }
cd "$tools"
node_modules/.bin/redocly lint --format stylish "$doc"
node_modules/.bin/spectral lint --fail-severity error --ruleset .spectral.yaml "$doc"
