#!/usr/bin/env bash
# In-memory cost of a dossier read (issue #8): JSON parse, policy decision, filter and
# serialisation, per dossier, for two readers under the default policy; no HTTP, store or audit
# log. Builds the release preset, runs, and appends the figures with the machine, date and
# commit to bench/RESULTS.md.
#   bench/policy.sh [N]   N synthetic dossiers (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build build/release -j2 --target passerelle_policy_bench
out="$(mktemp)"
build/release/bench/passerelle_policy_bench "${1:-1000}" | tee "$out"
bench_append "Read steps in memory" "$out"
