#!/usr/bin/env bash
# Audit log benchmark (issue #4): group commit vs one durable write per entry, and the cost of
# the audit entry on a dossier read. Builds the release preset, runs, and appends the figures
# with the machine, date and commit to bench/RESULTS.md.
#   bench/audit.sh [SECONDS_PER_FIGURE]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build build/release -j2 --target passerelle_audit_bench
seconds="${1:-3}"
out="$(mktemp)"
build/release/bench/passerelle_audit_bench "$seconds" | tee "$out"
{
  echo
  echo "## Audit log — $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)," \
       "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(df -T . | awk 'NR==2 {print $2}') disk."
  cat "$out"
} >> bench/RESULTS.md
rm -f "$out"
echo "appended to bench/RESULTS.md"
