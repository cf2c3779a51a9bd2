#!/usr/bin/env bash
# End-to-end test of the first quick-start command's promise: `passerelle demo` serves, and
# every curl command it prints works exactly as printed, twice (fresh directory, then reused).
# Usage: demo_commands_test.sh PATH_TO_PASSERELLE
set -euo pipefail
binary=$1
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
       echo $((20000 + RANDOM % 20000)))

passed=0
failed=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1: expected $2, got $3"; fi
}

run_demo() {  # run_demo ROUND EXPECTED_CODES...
  local round=$1; shift
  "$binary" demo --dir "$work/demo" --port "$port" --dossiers 40 >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 1 300); do grep -q '^Stop with Ctrl-C' "$work/out" && break; sleep 0.1; done
  grep -q '^Stop with Ctrl-C' "$work/out" || { echo "FAIL: demo did not start"; cat "$work/err"; exit 1; }
  mapfile -t commands < <(grep '^curl ' "$work/out")
  check "round $round: number of printed commands" "$#" "${#commands[@]}"
  local i=0
  for expected in "$@"; do
    code=$(bash -c "${commands[$i]} -s -o /dev/null -w '%{http_code}'" || true)
    check "round $round command $((i + 1)) (${commands[$i]:0:60}...)" "$expected" "$code"
    i=$((i + 1))
  done
  # The application log must not hold the identifiers, names or addresses the commands used.
  local ft_id
  ft_id=$(grep -o 'france_travail=[0-9A-Z]*' "$work/out" | head -1 | cut -d= -f2)
  [ -n "$ft_id" ] || { echo "FAIL: no France Travail id in the printed commands"; exit 1; }
  if grep -qE "$ft_id|exemple\.invalid|Tournesol|7654321|/v1/dossiers/d[a-z2-7]{26}" "$work/err"; then
    failed=$((failed + 1)); echo "FAIL: round $round: personal data in the application log"
  else passed=$((passed + 1)); fi
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

# healthz, lookup, read, section, PUT, history, POST (created then matched), schema violation,
# the mission locale's read, the consent recorded
run_demo 1 200 200 200 200 200 200 201 422 200 201
run_demo 2 200 200 200 200 200 200 200 422 200 201

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
