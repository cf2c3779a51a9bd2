# Sourced by the end-to-end tests that run a real `passerelle demo`: a work directory removed at
# exit, a free port, and start_demo, which returns once the demo serves.
work=$(mktemp -d)
demo_pid=
cleanup() {
  [ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# start_demo BINARY DOSSIERS: serves $work/demo on $port; its output in $work/out, $work/err.
start_demo() {
  "$1" demo --dir "$work/demo" --port "$port" --dossiers "$2" >"$work/out" 2>"$work/err" &
  demo_pid=$!
  for _ in $(seq 1 300); do grep -q '^Stop with Ctrl-C' "$work/out" && break; sleep 0.1; done
  grep -q '^Stop with Ctrl-C' "$work/out" || { echo "FAIL: demo did not start"; cat "$work/err"; exit 1; }
}
