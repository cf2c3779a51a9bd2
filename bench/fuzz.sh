#!/usr/bin/env bash
# The long fuzzing campaign (issue 21, §5): every libFuzzer target of tests/fuzz/ until it has run
# its goal of executions (10 million for the parsers that face partners over HTTP: bodies,
# requests, CAF XML, France Travail CSV, NDJSON; 1 million for the others) or has spent its time
# budget (20 minutes per target per call), two targets at a time. Resumable: each target's
# working corpus and the executions done so far are kept under BENCH_DIR, and a later call goes
# on where this one stopped. At the end, what each target found that adds coverage is merged into
# its seed corpus in the repository (tests/fuzz/corpus/<target>/), crashes are kept under
# BENCH_DIR/artifacts/ (fix each, then add its input to the corpus as a regression test), and
# one row per target is appended to bench/RESULTS.md: executions, speed, coverage, corpus,
# crashes.
#   bench/fuzz.sh [TARGET...]   (default: all)
# Environment: BENCH_DIR (default build/bench-fuzz), FUZZ_SECONDS (time budget per target per
# call, 1200), FUZZ_JOBS (targets at once, 2).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
work="$(realpath -m "${BENCH_DIR:-build/bench-fuzz}")"
budget="${FUZZ_SECONDS:-1200}"
jobs="${FUZZ_JOBS:-2}"
http_facing="json_body http_request caf_xml france_travail_csv ndjson"
all="$http_facing policy_files audit_records consent_receipt sealed_export configuration"
targets="${*:-$all}"

scripts/install-deps.sh clang libclang-rt-14-dev
scripts/build.sh fuzz
mkdir -p "$work/artifacts"

goal() { case " $http_facing " in *" $1 "*) echo 10000000 ;; *) echo 1000000 ;; esac; }
done_runs() { cat "$work/$1.runs" 2>/dev/null || echo 0; }

run_target() {  # run_target NAME: one call's share of the campaign for one target
  local name=$1 left log
  left=$(($(goal "$name") - $(done_runs "$name")))
  [ "$left" -gt 0 ] || { echo "$name: goal reached"; return 0; }
  mkdir -p "$work/corpus/$name"
  log="$work/$name.log"
  echo "$name: up to $left executions or ${budget}s..."
  set +e
  "build/fuzz/tests/fuzz/fuzz_$name" -runs="$left" -max_total_time="$budget" -timeout=10 \
    -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$work/artifacts/$name-" \
    "$work/corpus/$name" "tests/fuzz/corpus/$name" >"$log" 2>&1
  echo $? >"$work/$name.status"
  set -e
  local ran
  ran=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo $(($(done_runs "$name") + ${ran:-0})) >"$work/$name.runs"
}

running=0
for name in $targets; do
  run_target "$name" &
  pids+=($!)
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

summary="$(mktemp)"
{
  echo
  echo "Campaign totals so far (build/fuzz, clang 14, ASan + UBSan, ${budget}s per target per call," \
    "$jobs at a time); coverage and speed from this call."
  echo
  echo "| target | executions (goal) | exec/s | cov | ft | corpus | crashes | last exit |"
  echo "|---|---|---|---|---|---|---|---|"
} >"$summary"
for name in $targets; do
  log="$work/$name.log"
  [ -f "$log" ] || continue
  # What this call found that adds coverage goes into the seed corpus in the repository.
  if [ -d "$work/corpus/$name" ]; then
    "build/fuzz/tests/fuzz/fuzz_$name" -merge=1 "tests/fuzz/corpus/$name" "$work/corpus/$name" \
      >"$work/$name.merge.log" 2>&1 || true
  fi
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  crashes=$(find "$work/artifacts" -name "$name-*" | wc -l)
  echo "| $name | $(done_runs "$name") ($(goal "$name")) | ${speed:-?} | ${cov:-?} | ${ft:-?} |" \
    "$(find "tests/fuzz/corpus/$name" -type f | wc -l) | $crashes | $(cat "$work/$name.status") |" \
    >>"$summary"
done
cat "$summary"
bench_append "Fuzzing campaign (bench/fuzz.sh)" "$summary"
