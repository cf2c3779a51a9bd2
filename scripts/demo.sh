#!/usr/bin/env bash
# Quick start, command 1: installs what is missing, builds, and runs the demo gateway on SQLite
# with a local CA, partner certificates and 500 synthetic dossiers in ./passerelle-demo.
# Extra arguments go to `passerelle demo` (e.g. --port 9443 --dir /tmp/demo).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release passerelle  # the demo needs the binary only, not the tests
exec build/release/cli/passerelle demo "$@"
