#!/usr/bin/env bash
# End-to-end test of the first quick-start command's promise: `passerelle demo` serves, and
# every curl command it prints works exactly as printed, twice (fresh directory, then reused).
# Usage: demo_commands_test.sh PATH_TO_PASSERELLE
set -euo pipefail
binary=$1
. "$(dirname "$0")/demo_lib.sh"

passed=0
failed=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1: expected $2, got $3"; fi
}

run_demo() {  # run_demo ROUND EXPECTED_CODES...
  local round=$1; shift
  start_demo "$binary" 40
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
  if [ "$round" = 2 ]; then check_receipt_and_reload; fi
  kill "$demo_pid"; wait "$demo_pid" 2>/dev/null || true; demo_pid=
}

# The consent command's receipt verifies with `passerelle consent verify`, and no longer once
# altered; SIGHUP reloads an edited policy (new version served), and refuses a broken one.
check_receipt_and_reload() {
  local consent_cmd read_cmd
  consent_cmd=$(grep '^curl .*/consents$' "$work/out" | head -1)
  bash -c "$consent_cmd -s" >"$work/receipt.json"
  if "$binary" consent verify "$work/receipt.json" --config "$work/demo/passerelle.json" >/dev/null; then
    passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: a fresh receipt does not verify"; fi
  sed 's/"ecrit"/"oral"/g' "$work/receipt.json" >"$work/altered.json"
  if "$binary" consent verify "$work/altered.json" --config "$work/demo/passerelle.json" >/dev/null; then
    failed=$((failed + 1)); echo "FAIL: an altered receipt verifies"; else passed=$((passed + 1)); fi

  read_cmd=$(grep '^curl .*X-Purpose: accompagnement.*/v1/dossiers/d[a-z2-7]*$' "$work/out" | head -1)
  version() { bash -c "$read_cmd -s -D - -o /dev/null" | tr -d '\r' | sed -n 's/^X-Policy-Version: //p'; }
  local before after
  before=$(version)
  sed -i 's/"version": "2026-12-1"/"version": "2026-12-2"/' "$work/demo/policies/policy.json"
  kill -HUP "$demo_pid"; sleep 1
  after=$(version)
  check "policy version after SIGHUP" "2026-12-2" "${after%%+*}"
  echo '{ broken' >"$work/demo/policies/caf.json"
  kill -HUP "$demo_pid"; sleep 1
  check "policy version after a refused reload" "$after" "$(version)"
  grep -q 'sharing policy not reloaded.*caf.json' "$work/err" && passed=$((passed + 1)) ||
    { failed=$((failed + 1)); echo "FAIL: the refused reload is not logged with the file name"; }
  [ -n "$before" ] || { failed=$((failed + 1)); echo "FAIL: no X-Policy-Version header"; }
}

# healthz, readyz, lookup, read, section, PUT, history, POST (created then matched), schema violation,
# the mission locale's read, the consent recorded, the DPO's access report, the checkpoint, the
# CAF flux import, the change feed
run_demo 1 200 200 200 200 200 200 200 201 422 200 201 200 200 200 200
run_demo 2 200 200 200 200 200 200 200 200 422 200 201 200 200 200 200

# The audit log the two rounds wrote verifies, and its export too.
verify_cmd=$(sed -n 's/^# \(.* audit verify --config .*\)$/\1/p' "$work/out" | head -1)
if [ -n "$verify_cmd" ] && bash -c "$verify_cmd" | grep -q '^OK'; then passed=$((passed + 1)); else
  failed=$((failed + 1)); echo "FAIL: the printed audit verify command: $verify_cmd"; fi
"$binary" audit export --config "$work/demo/passerelle.json" --out "$work/audit.ndjson" >/dev/null
if "$binary" audit verify --file "$work/audit.ndjson" --public-key \
  "$("$binary" audit pubkey --config "$work/demo/passerelle.json")" | grep -q '^OK'; then
  passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: the audit export does not verify"; fi

# The DPO's commands: the record of processing, and checking a policy directory.
if "$binary" policy explain | grep -q "Registre des activités de traitement"; then
  passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: policy explain"; fi
cp -r "$work/demo/policies" "$work/checked"
"$binary" policy check "$work/checked" >/dev/null 2>&1 && { failed=$((failed + 1)); echo "FAIL: a broken policy (caf.json) passes check"; } ||
  passed=$((passed + 1))
printf '{"partner_kind":"caf","rules":[]}' >"$work/checked/caf.json"
if "$binary" policy check "$work/checked" >/dev/null; then passed=$((passed + 1)); else
  failed=$((failed + 1)); echo "FAIL: a valid policy fails check"; fi
sed -i 's/"6-1-e"/"6-1-z"/' "$work/checked/france_travail.json"
msg=$("$binary" policy check "$work/checked" 2>&1 || true)
case "$msg" in *"france_travail.json, rule ft-lecture"*) passed=$((passed + 1)) ;;
  *) failed=$((failed + 1)); echo "FAIL: policy check does not name the file and rule: $msg" ;; esac

msg=$("$binary" policy check "$work/checked/france_travail.json" 2>&1 || true)
case "$msg" in *"france_travail.json, rule ft-lecture"*) passed=$((passed + 1)) ;;
  *) failed=$((failed + 1)); echo "FAIL: policy check FILE does not name the file and rule: $msg" ;; esac
if "$binary" policy check "$work/checked/caf.json" >/dev/null; then passed=$((passed + 1)); else
  failed=$((failed + 1)); echo "FAIL: a valid policy file fails check"; fi

# A master key file of its own: created readable by its owner only, never overwritten.
"$binary" keys init --file "$work/new.key" >/dev/null
check "keys init mode" "600" "$(stat -c %a "$work/new.key")"
if "$binary" keys init --file "$work/new.key" 2>/dev/null; then
  failed=$((failed + 1)); echo "FAIL: keys init overwrote a key"; else passed=$((passed + 1)); fi

# Every command says what it takes: `--help` prints its own usage and exits 0; a command line
# that is wrong exits 2 and names what is wrong, without running anything.
for command in serve demo "policy explain" "policy check" "consent verify" "keys init" \
  "keys public" "keys status" "keys rotate" "audit pubkey" "audit verify" "audit export" \
  "audit prune" "export keygen" "export run" "export open" import "reconciliation list" \
  "reconciliation resolve" indicators "retention run"; do
  # shellcheck disable=SC2086 # the command's words are meant to split
  if help=$("$binary" $command --help 2>&1) && [[ "$help" == *"Usage: passerelle $command "* ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAIL: passerelle $command --help: $help"
  fi
done
set +e
msg=$("$binary" keys rotate --max-keys 3 2>&1); code=$?
set -e
check "a missing required option exits" "2" "$code"
case "$msg" in *"--config"*) passed=$((passed + 1)) ;;
  *) failed=$((failed + 1)); echo "FAIL: the usage error does not name --config: $msg" ;; esac
set +e
"$binary" import xlsx some-file --config x --as caf >/dev/null 2>&1; code=$?
set -e
check "an unknown import format exits" "2" "$code"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
