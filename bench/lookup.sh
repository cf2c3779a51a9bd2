#!/usr/bin/env bash
# Lookup timing (issue #21, §4): the NIR of a dossier the caller may not see against one of
# nobody, alternating, through the real services over SQLite; no HTTP.
# Builds the release preset, runs, and appends the figures with the machine, date and
# commit to bench/RESULTS.md.
#   bench/lookup.sh [N]   N alternating pairs (default 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build build/release -j2 --target passerelle_lookup_bench
out="$(mktemp)"
build/release/bench/passerelle_lookup_bench "${1:-5000}" | tee "$out"
bench_append "Lookup timing, unseen dossier against nobody" "$out"
