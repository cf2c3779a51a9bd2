#!/usr/bin/env bash
# Configures and builds one CMake preset (release by default), every target or those named:
#   scripts/build.sh [release|asan|fuzz] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
shift || true
# ccache (when installed) keyed on paths relative to the checkout, so that a clone in another
# folder (CI's) hits what this one compiled.
export CCACHE_BASEDIR="$(pwd)" CCACHE_NOHASHDIR=1
cmake --preset "$preset" >/dev/null
if [ $# -gt 0 ]; then
  cmake --build --preset "$preset" --target "$@"
else
  cmake --build --preset "$preset"
fi
