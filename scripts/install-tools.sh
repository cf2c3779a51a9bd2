#!/usr/bin/env bash
# Installs the npm tools the tests use, at the versions tools/openapi/package-lock.json pins
# (Redocly CLI, Spectral, Ajv), unless they are already there at those versions.
set -euo pipefail
cd "$(dirname "$0")/../tools/openapi"
stamp=node_modules/.installed-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then exit 0; fi
echo "Installing the pinned npm tools of tools/openapi/"
npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json "$stamp"
