#!/usr/bin/env bash
# CAF flux import benchmark (issue #7): `passerelle import caf-rsa-xml` of generated monthly
# fluxes of N households into a fresh store, then the same file again — households and persons
# per second and peak memory, each run in its own process. Builds the release preset, runs, and
# appends the figures with the machine, date and commit to bench/RESULTS.md.
#   bench/import.sh [N...]   (default: 10000 100000; work directory: $BENCH_DIR or
#                             build/bench-import)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build build/release -j2 --target passerelle passerelle_import_bench
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
work="${BENCH_DIR:-build/bench-import}"
mkdir -p "$work"
out="$(mktemp)"
build/release/bench/passerelle_import_bench build/release/cli/passerelle "$work" "${sizes[@]}" \
  | tee "$out"
{
  echo
  echo "## CAF flux import — $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)," \
       "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(df -T "$work" | awk 'NR==2 {print $2}') disk."
  echo "Generated monthly flux (one household in three a couple), imported as the CAF by"
  echo "\`passerelle import\` into a fresh SQLite store (synchronous=FULL, audit log on), then again;"
  echo "peak MB is the process's maximum resident set."
  echo
  sed -n '/^| households/,$p' "$out"
} >> bench/RESULTS.md
rm -f "$out"
echo "appended to bench/RESULTS.md"
