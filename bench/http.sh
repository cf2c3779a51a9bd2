#!/usr/bin/env bash
# HTTP benchmark (issue #8): the gateway doing its real work (mutual-TLS-capable HTTPS, bearer
# token, policy, audit entry, encryption at rest, SQLite with synchronous=FULL) against nginx
# serving the same JSON as static files over TLS on the same machine, with the same wrk load.
#   bench/http.sh [N]   N synthetic dossiers (default 10000)
# Environment: BENCH_DIR (default build/bench-http), BENCH_DURATION (30s), BENCH_CONNECTIONS (64),
# BENCH_THREADS (2), BENCH_RUNS (what to run: "read write", the default).
# Installs nginx, wrk, jq and sqlite3 if missing; builds the release preset; loads the dossiers
# once per N (kept under BENCH_DIR) and starts every run from a copy of that load; prints req/s,
# p50/p99 for both and the ratio, checks that no response was an error and that every completed
# request has its audit entry, and appends the figures to bench/RESULTS.md with the machine,
# date and commit.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
source bench/lib.sh
N="${1:-10000}"
duration="${BENCH_DURATION:-30s}"
connections="${BENCH_CONNECTIONS:-64}"
threads="${BENCH_THREADS:-2}"
runs="${BENCH_RUNS:-read write}"
gateway_port=18443
nginx_port=18444

scripts/install-deps.sh nginx wrk jq sqlite3
cmake --preset release >/dev/null
cmake --build build/release -j2 --target passerelle

work="$(realpath -m "${BENCH_DIR:-build/bench-http}")"
mkdir -p "$work"

# The gateway: the demo's configuration (its own CA, server certificate, partner tokens, default
# policy, master key, SQLite store and audit log), loaded with N synthetic dossiers the first time
# into a pristine copy. Every run starts from a fresh copy of it, so that runs compare: the write
# run adds versions and the reads add audit entries, which would slow the next run down.
pristine="$work/demo-$N"
demo="$work/run-$N"
base="https://127.0.0.1:$gateway_port"
start_gateway() { bench_start_gateway "$1" "$gateway_port" "$N" "$work"; }
if [ ! -f "$pristine/loaded" ]; then
  rm -rf "$pristine" "$work/ids-$N.txt" "$work/static-$N"
  echo "loading $N synthetic dossiers into $pristine (once)..."
  start_gateway "$pristine"
  kill -TERM "$gateway_pid" && wait "$gateway_pid" || true
  touch "$pristine/loaded"
fi
rm -rf "$demo"
cp -a "$pristine" "$demo"
rm -f "$demo/loaded"
start_gateway "$demo"
token="$(cat "$demo/partners/departement/token")"
purpose=accompagnement
auth=(-H "Authorization: Bearer $token" -H "X-Purpose: $purpose")

# The dossier ids, as the Département learns them: from the change feed.
ids="$work/ids-$N.txt"
if [ ! -s "$ids" ]; then
  since=0
  : >"$ids.all"
  while :; do
    page="$(curl -sf --cacert "$demo/ca.pem" "${auth[@]}" "$base/v1/changes?since=$since&limit=1000")"
    jq -r '.changes[].dossier' <<<"$page" >>"$ids.all"
    [ "$(jq -r '.more' <<<"$page")" = true ] || break
    since="$(jq -r '.next' <<<"$page")"
  done
  sort -u "$ids.all" >"$ids"
  rm -f "$ids.all"
fi
echo "$(wc -l <"$ids") dossiers"

# nginx serves, for each dossier, the JSON the gateway returned to the Département, over TLS with
# the gateway's own certificate.
static="$work/static-$N"
if [ ! -d "$static/v1/dossiers" ]; then
  mkdir -p "$static.tmp/v1/dossiers"
  {
    echo "header = \"Authorization: Bearer $token\""
    echo "header = \"X-Purpose: $purpose\""
    while read -r id; do
      echo "url = \"$base/v1/dossiers/$id\""
      echo "output = \"$static.tmp/v1/dossiers/$id\""
    done <"$ids"
  } >"$work/fetch.curl"
  curl -sf --cacert "$demo/ca.pem" -K "$work/fetch.curl"
  rm -rf "$static" && mv "$static.tmp" "$static"
fi
chmod -R a+rX "$static"  # for nginx's workers; nothing else of the demo
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $demo/server/cert.pem;
    ssl_certificate_key $demo/server/key.pem;
    keepalive_requests 1000000;
    root $static;
    default_type application/json;
    location / { try_files \$uri =404; }
  }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids+=($!)
for _ in $(seq 1 50); do
  curl -sf --cacert "$demo/ca.pem" "https://127.0.0.1:$nginx_port/v1/dossiers/$(head -1 "$ids")" \
    >/dev/null && break
  sleep 0.2
done

audit_db="$demo/passerelle.db.audit"
[ -f "$audit_db" ] || audit_db="$(ls "$demo"/*audit* | grep -v -- '-wal\|-shm' | head -1)"
audit_size() { sqlite3 "$audit_db" 'SELECT coalesce(max(idx), 0) FROM audit_entries'; }

# One wrk run: prints its RESULT line's fields as shell assignments prefixed by $2.
load() {  # load PREFIX URL SCRIPT
  local out
  out="$(wrk -t "$threads" -c "$connections" -d "$duration" --latency -s "$root/bench/http/$3" \
    "$2" -- "$ids" "$token" "$purpose")"
  sed -n 's/^RESULT //p' <<<"$out" | tr ' ' '\n' | sed "s/^/$1_/"
}

summary="$(mktemp)"
echo "| load | server | req/s | p50 ms | p99 ms | max ms | errors | audit entries / completed | gateway CPU µs/request |" >"$summary"
echo "|---|---|---|---|---|---|---|---|---|" >>"$summary"
status=0
# The gateway's user and system CPU time, in clock ticks: throughput on a shared 2-core machine
# moves with its neighbours by 10-20%, the CPU time a request costs much less.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$gateway_pid/stat"; }
cpu_per_request() {  # cpu_per_request TICKS_BEFORE REQUESTS
  awk -v t="$(($(cpu_ticks) - $1))" -v hz="$(getconf CLK_TCK)" -v n="$2" \
    'BEGIN {printf "%.0f", t * 1e6 / hz / n}'
}
row() {  # row LOAD SERVER PREFIX AUDIT CPU
  local p=$3 v errors=0 cells=()
  for f in non2xx connect read write timeout; do v="${p}_$f"; errors=$((errors + ${!v})); done
  for f in rps p50_ms p99_ms max_ms; do v="${p}_$f"; cells+=("${!v}"); done
  echo "| $1 | $2 | ${cells[0]} | ${cells[1]} | ${cells[2]} | ${cells[3]} | $errors | $4 | $5 |" >>"$summary"
  [ "$errors" -eq 0 ] || status=1
}

for run in $runs; do
  case "$run" in
    read)
      echo "reads: nginx (static files)..."
      eval "$(load nginx "https://127.0.0.1:$nginx_port" read.lua)"
      row "GET dossier" nginx nginx "-" "-"
      echo "reads: gateway..."
      before="$(audit_size)"
      ticks="$(cpu_ticks)"
      eval "$(load gread "$base" read.lua)"
      cpu="$(cpu_per_request "$ticks" "$gread_requests")"
      sleep 1
      audited=$(($(audit_size) - before))
      row "GET dossier" gateway gread "$audited / $gread_requests" "$cpu"
      [ "$audited" -ge "$gread_requests" ] || status=1
      ratio="$(awk -v g="$gread_rps" -v n="$nginx_rps" 'BEGIN {printf "%.2f", g / n}')"
      echo "| GET dossier | gateway / nginx | $ratio | | | | | | |" >>"$summary"
      echo "reads: the gateway's HTTP and TLS stack alone (GET /healthz)..."
      ticks="$(cpu_ticks)"
      eval "$(load health "$base" healthz.lua)"
      row "GET /healthz" gateway health "-" "$(cpu_per_request "$ticks" "$health_requests")"
      ;;
    write)
      echo "writes: gateway..."
      before="$(audit_size)"
      ticks="$(cpu_ticks)"
      eval "$(load gwrite "$base" write.lua)"
      cpu="$(cpu_per_request "$ticks" "$gwrite_requests")"
      sleep 1
      audited=$(($(audit_size) - before))
      row "PUT section" gateway gwrite "$audited / $gwrite_requests" "$cpu"
      [ "$audited" -ge "$gwrite_requests" ] || status=1
      ;;
    *) echo "unknown run $run" >&2; exit 2 ;;
  esac
done
cat "$summary"

{
  echo
  echo "## HTTP vs nginx — $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)," \
       "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(df -T "$work" | awk 'NR==2 {print $2}') disk."
  echo "$N dossiers; wrk $threads threads, $connections connections, $duration, keep-alive, random"
  echo "ids, on the same machine as the server. Gateway: \`passerelle demo\` configuration (TLS,"
  echo "bearer token of the Département, purpose accompagnement, default policy, audit entry per"
  echo "request, per-person encryption, SQLite synchronous=FULL). nginx: the same JSON as static"
  echo "files, same certificate. GET /healthz: the gateway's HTTP and TLS stack alone (no token,"
  echo "policy, store or audit entry). Writes: PUT of the contact section, each body different."
  echo
  cat "$summary"
} >>bench/RESULTS.md
rm -f "$summary"
echo "appended to bench/RESULTS.md"
exit $status
