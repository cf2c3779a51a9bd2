#!/usr/bin/env bash
# Runs one fuzz target on its seed corpus for a bounded time: CI's smoke run, and the regression
# run of every input found so far (crashes fixed are kept in the corpus). New inputs go to a
# temporary directory, never into the repository's corpus (bench/fuzz.sh grows it). A fixed
# seed makes a run repeatable (the campaign explores with others). A crash, leak, timeout or
# out-of-memory fails the run; its input is kept beside the binary.
#   run_target.sh BINARY CORPUS_DIR SECONDS
set -euo pipefail
binary=$1 corpus=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$binary" -seed=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
  -artifact_prefix="$(dirname "$binary")/$(basename "$binary")-" "$work" "$corpus"
