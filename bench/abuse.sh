#!/usr/bin/env bash
# Abuse benchmark (issue 21, §3): /healthz p99 and a partner's reads/s and p99 while misbehaving
# clients are attached (IDLE idle TCP sockets, SLOW_HEADERS clients sending their headers one
# byte every 4 s, SLOW_BODIES clients sending their body one byte every 4 s), beside the same
# figures without them. Targets: the partner's reads/s within 20 % of the baseline, /healthz p99
# under 50 ms.
#   bench/abuse.sh [N]   N synthetic dossiers (default 2000)
# Environment: BENCH_DIR (default build/bench-abuse), BENCH_DURATION (20s), BENCH_CONNECTIONS (16),
# BENCH_IDLE (1000), BENCH_SLOW_HEADERS (200), BENCH_SLOW_BODIES (50), BENCH_SPREAD (1: each kind of
# abuser connects from one loopback address, "one client misbehaves"; 20 spreads each kind over
# 20 addresses, past the per-address cap).
# Every client is on this machine, on loopback addresses only (127.0.x.y). Installs wrk, jq and
# python3 if missing; builds the release preset; appends the figures to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
source bench/lib.sh
N="${1:-2000}"
duration="${BENCH_DURATION:-20s}"
connections="${BENCH_CONNECTIONS:-16}"
idle="${BENCH_IDLE:-1000}"
slow_headers="${BENCH_SLOW_HEADERS:-200}"
slow_bodies="${BENCH_SLOW_BODIES:-50}"
spread="${BENCH_SPREAD:-1}"
port=18445

scripts/install-deps.sh wrk jq python3
cmake --preset release >/dev/null
cmake --build build/release -j2 --target passerelle

work="$(realpath -m "${BENCH_DIR:-build/bench-abuse}")"
demo="$work/demo-$N"
mkdir -p "$work"
ulimit -n "$(ulimit -Hn)"

base="https://127.0.0.1:$port"
bench_start_gateway "$demo" "$port" "$N" "$work"
token="$(cat "$demo/partners/departement/token")"
purpose=accompagnement
ids="$work/ids-$N.txt"
if [ ! -s "$ids" ]; then
  curl -sf --cacert "$demo/ca.pem" -H "Authorization: Bearer $token" -H "X-Purpose: $purpose" \
    "$base/v1/changes?since=0&limit=1000" | jq -r '.changes[].dossier' | sort -u >"$ids"
fi

load() {  # load PREFIX SCRIPT: prints the RESULT line's fields as shell assignments
  local out
  out="$(wrk -t 2 -c "$connections" -d "$duration" --latency -s "$root/bench/http/$2" "$base" \
    -- "$ids" "$token" "$purpose")"
  sed -n 's/^RESULT //p' <<<"$out" | tr ' ' '\n' | sed "s/^/$1_/"
}
measure() {  # measure PREFIX: a partner's reads, then /healthz
  eval "$(load "${1}_read" read.lua)"
  eval "$(load "${1}_health" healthz.lua)"
}

echo "baseline: a partner's reads, then /healthz, nobody else attached..."
measure base

echo "attaching $idle idle sockets, $slow_headers slow-header and $slow_bodies slow-body clients" \
  "(spread over $spread address(es) each)..."
stats="$work/abusers.json"
rm -f "$stats"
python3 bench/abuse/abusers.py 127.0.0.1 "$port" "$demo/ca.pem" \
  "$demo/partners/departement/cert.pem" "$demo/partners/departement/key.pem" \
  "$idle" "$slow_headers" "$slow_bodies" "$spread" "$stats" 2>"$work/abusers.log" &
abusers_pid=$!
pids+=("$abusers_pid")
sleep 8  # every abuser has connected at least once, and the first deadlines have passed
measure abused
attached="$(jq -c '{idle: .idle.attached, slow_headers: .slow_headers.attached, slow_bodies: .slow_bodies.attached}' "$stats")"
cut="$(jq -c '{idle: .idle.closed, slow_headers: .slow_headers.closed, slow_bodies: .slow_bodies.closed}' "$stats")"
kill "$abusers_pid"

errors() {  # errors PREFIX
  local p=$1 v n=0
  for f in non2xx connect read write timeout; do v="${p}_$f"; n=$((n + ${!v})); done
  echo "$n"
}
ratio="$(awk -v a="$abused_read_rps" -v b="$base_read_rps" 'BEGIN {printf "%.2f", a / b}')"
summary="$(mktemp)"
{
  echo
  echo "Abusers: $idle idle, $slow_headers slow-header, $slow_bodies slow-body clients, each kind" \
    "from $spread loopback address(es); partner: wrk, $connections connections, $duration per run," \
    "$N dossiers. Abusers attached at the end: $attached; connections the gateway closed or" \
    "refused during the run: $cut."
  echo
  echo "| run | partner reads/s | reads p99 ms | reads errors | /healthz req/s | /healthz p99 ms | /healthz errors |"
  echo "|---|---|---|---|---|---|---|"
  for run in base abused; do
    r="${run}_read" h="${run}_health"
    rps="${r}_rps" p99="${r}_p99_ms" hrps="${h}_rps" hp99="${h}_p99_ms"
    echo "| $([ "$run" = base ] && echo alone || echo abused) | ${!rps} | ${!p99} | $(errors "$r") |" \
      "${!hrps} | ${!hp99} | $(errors "$h") |"
  done
  echo
  echo "Partner reads/s abused / alone: $ratio (target ≥ 0.80); /healthz p99 abused:" \
    "$abused_health_p99_ms ms (target < 50)."
} >"$summary"
cat "$summary"
bench_append "Abuse (bench/abuse.sh, spread $spread)" "$summary"
