#!/usr/bin/env bash
# Export benchmark (issue #6): `passerelle export run` (annexe-e) and `passerelle indicators`
# over stores of N synthetic dossiers — throughput and peak memory of each command, in its own
# process. Builds the release preset, loads the stores (kept under the work directory and reused:
# a million dossiers take about half an hour to load), runs, and appends the figures with the
# machine, date and commit to bench/RESULTS.md.
#   bench/export.sh [N...]   (default: 100000 1000000; work directory: $BENCH_DIR or
#                             build/bench-export)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build build/release -j2 --target passerelle passerelle_export_bench
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
work="${BENCH_DIR:-build/bench-export}"
mkdir -p "$work"
out="$(mktemp)"
build/release/bench/passerelle_export_bench build/release/cli/passerelle "$work" "${sizes[@]}" \
  | tee "$out"
{
  echo
  echo "## Export and indicators — $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)," \
       "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(df -T "$work" | awk 'NR==2 {print $2}') disk."
  echo "Each command in its own process, store opened cold from the command line (profile"
  echo "annexe-e, whole population, reference date 2026-06-30; indicators 2025-01-01 to 2026-06-30);"
  echo "peak MB is the process's maximum resident set."
  echo
  sed -n '/^| dossiers/,$p' "$out"
} >> bench/RESULTS.md
rm -f "$out"
echo "appended to bench/RESULTS.md"
