#!/usr/bin/env bash
# Installs the npm tools the tests use, at the versions each package-lock.json pins:
# tools/openapi (Redocly CLI, Spectral, Ajv) and tools/console (playwright-core, axe-core; the
# browser is Debian's chromium), unless they are already there at those versions.
set -euo pipefail
cd "$(dirname "$0")/../tools"
for dir in openapi console; do
  stamp="$dir/node_modules/.installed-lock"
  if [ -f "$stamp" ] && cmp -s "$dir/package-lock.json" "$stamp"; then continue; fi
  echo "Installing the pinned npm tools of tools/$dir/"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$dir/package-lock.json" "$stamp"
done
