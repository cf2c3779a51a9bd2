#!/usr/bin/env bash
# Builds the Debian package of the gateway (packaging/): the release build, then CPack. Prints
# the package's path: install it with `sudo apt install ./PATH` (README, "Running for real").
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh >&2
scripts/build.sh release >&2
out=build/release/packages
rm -rf "$out"
cpack --config build/release/CPackConfig.cmake -G DEB -B "$out" >&2
ls "$PWD/$out"/passerelle_*.deb
