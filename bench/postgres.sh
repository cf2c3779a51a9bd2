#!/usr/bin/env bash
# PostgreSQL benchmark (issue 23): durable audited writes/s and reads/s of the real gateway on
# SQLite, on PostgreSQL with one node and with two nodes (the same load, in the same run, on the
# same machine), then the audit log's start time and memory on PostgreSQL at 1M and 10M entries.
#   bench/postgres.sh [N] [AUDIT_SIZES]   N synthetic dossiers (default 2000); AUDIT_SIZES, the
#                                        log sizes to open (default "1000000 10000000"); N=0
#                                        measures the audit log only
# Environment: BENCH_DIR (default build/bench-postgres), BENCH_DURATION (15s),
# BENCH_CONNECTIONS (32), BENCH_THREADS (2).
# Starts its own PostgreSQL 15 (initdb under BENCH_DIR, as the postgres user when root), moves
# the SQLite store there with `passerelle migrate`, and appends the figures to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
source bench/lib.sh
N="${1:-2000}"
audit_sizes="${2:-1000000 10000000}"
duration="${BENCH_DURATION:-15s}"
connections="${BENCH_CONNECTIONS:-32}"
threads="${BENCH_THREADS:-2}"
port=18450
pg_port=18459

scripts/install-deps.sh wrk jq
cmake --preset release >/dev/null
cmake --build build/release -j2 --target passerelle passerelle_audit_open_bench
bin="$root/build/release/cli/passerelle"

work="$(realpath -m "${BENCH_DIR:-build/bench-postgres}")"
mkdir -p "$work"
pristine="$work/demo-$N"
if [ "$N" -gt 0 ] && [ ! -f "$pristine/loaded" ]; then
  rm -rf "$pristine"
  echo "loading $N synthetic dossiers into $pristine (once)..."
  bench_start_gateway "$pristine" "$port" "$N" "$work"
  kill -TERM "$gateway_pid" && wait "$gateway_pid" || true
  touch "$pristine/loaded"
fi

# PostgreSQL, fresh for each run of this script.
pg="$work/pg"
rm -rf "$pg" && mkdir -p "$pg/sock"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$pg"; as_pg=(runuser -u postgres --); fi
pgbin=/usr/lib/postgresql/15/bin
"${as_pg[@]}" "$pgbin/initdb" -D "$pg/data" --auth=trust -U postgres >/dev/null
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$pg/data" -l "$pg/log" -w \
  -o "-p $pg_port -k $pg/sock -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
trap '"${as_pg[@]}" "$pgbin/pg_ctl" -D "$pg/data" -m fast stop >/dev/null 2>&1 || true; bench_stop_all' EXIT
url() { echo "postgresql://postgres@127.0.0.1:$pg_port/$1"; }
sql() { psql -q -X -h 127.0.0.1 -p "$pg_port" -U postgres -c "$1" postgres; }
summary="$(mktemp)"
if [ "$N" -gt 0 ]; then
for db in passerelle passerelle_keys; do sql "CREATE DATABASE $db"; done

# Each configuration starts from a copy of the same load.
run="$work/run"
rm -rf "$run" && cp -a "$pristine" "$run" && rm -f "$run/loaded"
"$bin" migrate --from "sqlite:$run/passerelle.json" --to "postgresql:$(url passerelle)" \
  --keys-to "postgresql:$(url passerelle_keys)" >"$work/migrate.log"
node_config() {  # node_config NAME PORT BACKEND
  jq --arg port "$2" --arg name "$1" --arg url "$(url passerelle)" \
     --arg keys "$(url passerelle_keys)" --arg backend "$3" '
    .listen.port = ($port | tonumber)
    | if $backend == "postgresql" then
        .store = {postgresql: {url: $url, keys_url: $keys, pool_size: 16,
                               work_dir: ("node-" + $name)}}
      else . end' "$run/passerelle.json" >"$run/$1.json"
}
node_config sqlite "$port" sqlite
node_config a "$((port + 1))" postgresql
node_config b "$((port + 2))" postgresql

serve() {  # serve NAME PORT: starts a node, returns when it answers
  "$bin" serve --config "$run/$1.json" >"$work/$1.log" 2>&1 &
  pids+=($!)
  eval "pid_$1=$!"
  for _ in $(seq 1 100); do
    curl -sf --cacert "$run/ca.pem" "https://127.0.0.1:$2/readyz" >/dev/null 2>&1 && return
    sleep 0.2
  done
  cat "$work/$1.log" >&2
  exit 1
}
stop_node() { local v="pid_$1"; kill -TERM "${!v}"; wait "${!v}" 2>/dev/null || true; }

token="$(cat "$run/partners/departement/token")"
ids="$work/ids-$N.txt"
serve sqlite "$port"
if [ ! -s "$ids" ]; then
  since=0
  : >"$ids.all"
  while :; do
    page="$(curl -sf --cacert "$run/ca.pem" -H "Authorization: Bearer $token" \
      -H "X-Purpose: accompagnement" "https://127.0.0.1:$port/v1/changes?since=$since&limit=1000")"
    jq -r '.changes[].dossier' <<<"$page" >>"$ids.all"
    [ "$(jq -r '.more' <<<"$page")" = true ] || break
    since="$(jq -r '.next' <<<"$page")"
  done
  sort -u "$ids.all" >"$ids" && rm -f "$ids.all"
fi

load() {  # load PORT SCRIPT CONNECTIONS: prints the RESULT fields of one wrk run
  wrk -t "$threads" -c "$3" -d "$duration" --latency -s "$root/bench/http/$2" \
    "https://127.0.0.1:$1" -- "$ids" "$token" accompagnement | sed -n 's/^RESULT //p'
}
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
errors() {
  local n=0
  for f in non2xx connect read write timeout; do n=$((n + $(field "$1" "$f"))); done
  echo "$n"
}

echo "| load | store | req/s | p50 ms | p99 ms | errors |" >"$summary"
echo "|---|---|---|---|---|---|" >>"$summary"
row() { echo "| $1 | $2 | $(field "$3" rps) | $(field "$3" p50_ms) | $(field "$3" p99_ms) | $(errors "$3") |" >>"$summary"; }
for script in read.lua write.lua; do
  name="GET dossier"; [ "$script" = write.lua ] && name="PUT section"
  echo "$name: SQLite, one process..."
  row "$name" "SQLite, one process" "$(load "$port" "$script" "$connections")"
done
stop_node sqlite

serve a "$((port + 1))"
for script in read.lua write.lua; do
  name="GET dossier"; [ "$script" = write.lua ] && name="PUT section"
  echo "$name: PostgreSQL, one node..."
  row "$name" "PostgreSQL, one node" "$(load "$((port + 1))" "$script" "$connections")"
done
serve b "$((port + 2))"
for script in read.lua write.lua; do
  name="GET dossier"; [ "$script" = write.lua ] && name="PUT section"
  echo "$name: PostgreSQL, two nodes (half the connections each)..."
  a_out="$work/a.out"; b_out="$work/b.out"
  load "$((port + 1))" "$script" "$((connections / 2))" >"$a_out" &
  a_pid=$!
  load "$((port + 2))" "$script" "$((connections / 2))" >"$b_out" &
  b_pid=$!
  wait "$a_pid" "$b_pid"
  a="$(cat "$a_out")"; b="$(cat "$b_out")"
  rps="$(awk -v x="$(field "$a" rps)" -v y="$(field "$b" rps)" 'BEGIN {printf "%.1f", x + y}')"
  echo "| $name | PostgreSQL, two nodes | $rps | $(field "$a" p50_ms) / $(field "$b" p50_ms) | $(field "$a" p99_ms) / $(field "$b" p99_ms) | $(($(errors "$a") + $(errors "$b"))) |" >>"$summary"
done
stop_node a
stop_node b
fi

# The audit log's start on PostgreSQL: a log of each size, then an open as a node does it.
opens="$(mktemp)"
echo "| entries | open time, memory added | inclusion proof of an old entry |" >"$opens"
echo "|---|---|---|" >>"$opens"
for size in $audit_sizes; do
  db="audit_$size"
  sql "CREATE DATABASE $db"
  echo "writing $size audit entries into PostgreSQL..."
  build/release/bench/passerelle_audit_open_bench pgwrite "$size" "$(url "$db")" >/dev/null
  build/release/bench/passerelle_audit_open_bench pgopen "$(url "$db")" | tee "$work/open-$size"
  echo "| $size | $(sed -n 's/^| open with tiles[^|]*| \(.*\) |$/\1/p' "$work/open-$size") | $(sed -n 's/^| inclusion proof[^|]*| \(.*\) |$/\1/p' "$work/open-$size") |" >>"$opens"
done

cat "$summary" "$opens"
{
  if [ "$N" -gt 0 ]; then
  echo "$N dossiers; wrk $threads threads, $connections connections in all, $duration a run, the"
  echo "bench/http.sh scripts (GET of a whole dossier, PUT of the contact section: a durable write"
  echo "with its audit entry), the Département's token. SQLite: one \`passerelle serve\`. PostgreSQL:"
  echo "the same store moved by \`passerelle migrate\`, one node, then two nodes on the same machine"
  echo "and database (half the connections each; p50 and p99 of each)."
  echo
  cat "$summary"
  echo
  fi
  echo "The audit log's start on PostgreSQL (an \`AuditLog\` opened on a log of that size, as a node"
  echo "starts):"
  echo
  cat "$opens"
} >"$summary.all"
rm -f "$summary" "$opens"
bench_append "PostgreSQL" "$summary.all"
