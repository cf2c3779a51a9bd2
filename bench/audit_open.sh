#!/usr/bin/env bash
# The audit log's start time and memory at a size (issue 23, tiles): writes a log of N entries
# (default 10,000,000; about 2 GB in /tmp), opens it as the gateway does, and compares with the
# start before tiles. Builds the release preset, runs, and appends the figures with the machine,
# date and commit to bench/RESULTS.md.
#   bench/audit_open.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build build/release -j2 --target passerelle_audit_open_bench
entries="${1:-10000000}"
out="$(mktemp)"
file="$(mktemp -d)/audit.db"
bench=build/release/bench/passerelle_audit_open_bench
"$bench" write "$entries" "$file" | tee "$out"
"$bench" open "$file" | tee -a "$out"
"$bench" whole "$file" | tee -a "$out"
# The two roots (tiles, every leaf in memory) must be the same.
[ "$(grep -c '^| root |' "$out")" -eq 2 ] && [ "$(grep '^| root |' "$out" | sort -u | wc -l)" -eq 1 ] ||
  { echo "error: the two roots differ" >&2; exit 1; }
rm -rf "$(dirname "$file")"
{
  echo
  echo "## Audit log start at $entries entries — $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)," \
       "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(df -T /tmp | awk 'NR==2 {print $2}') disk."
  echo
  echo "| measure | figure |"
  echo "|---|---|"
  cat "$out"
} >> bench/RESULTS.md
rm -f "$out"
echo "appended to bench/RESULTS.md"
