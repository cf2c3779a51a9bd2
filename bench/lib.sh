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
