#!/usr/bin/env bash
# Quick start, command 2: installs what is missing, checks formatting, then builds and runs the
# whole test suite twice, optimised and under AddressSanitizer + UndefinedBehaviorSanitizer, and
# runs every libFuzzer target on its corpus for 20 s (clang build, tests/fuzz/).
#   scripts/test.sh          the three builds (what CI runs)
#   scripts/test.sh release  only the optimised build (faster, for local iteration)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/install-tools.sh

presets=("${@:-release asan fuzz}")
read -r -a presets <<<"${presets[*]}"

echo "== clang-format check"
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find . -name '*.[ch]pp' -not -path './build/*')
clang-format --dry-run -Werror "${sources[@]}"

for preset in "${presets[@]}"; do
  echo "== build ($preset)"
  scripts/build.sh "$preset"
  echo "== tests ($preset)"
  ctest --preset "$preset" -j2 --timeout 300
done
