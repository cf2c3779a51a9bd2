# Shared by the bench scripts: source it, then `bench_append TITLE FILE` appends FILE's figures to
# bench/RESULTS.md under TITLE, with the date, the commit and the machine, and removes FILE.
bench_append() {
  {
    echo
    echo "## $1 — $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)"
    echo
    echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)," \
         "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)."
    cat "$2"
  } >>bench/RESULTS.md
  rm -f "$2"
  echo "appended to bench/RESULTS.md"
}

# The background processes a bench starts (`pids+=($!)`), all stopped when the script exits.
pids=()
bench_stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap bench_stop_all EXIT

# bench_start_gateway DIR PORT N WORK: runs `passerelle demo` on DIR (creating it with N synthetic
# dossiers the first time), logs under WORK, and returns once /healthz answers (at most an hour:
# loading is slow); sets gateway_pid. BENCH_PRELOAD, if set, is preloaded into the gateway.
bench_start_gateway() {
  ${BENCH_PRELOAD:+env LD_PRELOAD=$BENCH_PRELOAD} build/release/cli/passerelle demo --dir "$1" \
    --port "$2" --dossiers "$3" >"$4/gateway.out" 2>"$4/gateway.log" &
  gateway_pid=$!
  pids+=("$gateway_pid")
  for _ in $(seq 1 3600); do
    curl -sf --cacert "$1/ca.pem" "https://127.0.0.1:$2/healthz" >/dev/null 2>&1 && return
    kill -0 "$gateway_pid" 2>/dev/null || { cat "$4/gateway.log" >&2; exit 1; }
    sleep 1
  done
  echo "the gateway did not start within an hour" >&2
  exit 1
}
