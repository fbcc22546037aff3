#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts daftard on a fresh data directory, imports
# examples/scenario-small with the CLI, prints the balances table, then runs one payout round
# (docs/MONEY.md): budgets for the scenario's fiscal years, a payout requested by an operator,
# approved by an approver (another actor: four-eyes), disbursed by the treasury; prints the
# balances and the program report, has the server verify the hash chain and print its signed
# tree head, exports the log and verifies the export offline with the tree head's public key
# (docs/AUDIT.md; the verifier's balances equal the server's) after a person was re-identified
# and erased (docs/PRIVACY.md), then stops the server with SIGTERM. Every choice is derived from
# the scenario, so two runs print the same figures (the person erased is the first `subject due`
# lists: due earliest, then by pseudonym, which depends on the run's random pepper). Each
# money step runs under the role the server's authorization table requires (README "Roles"):
# budgets admin, the request operator, the approval approver, the disbursement treasury; the
# erasure admin, the re-identification auditor; the import each step under its own role, the
# reports operator, the audit auditor. Every call goes over mTLS with the dev certificates of
# deploy/make-dev-certs.sh: the server takes actor and role from the certificate.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash deploy/install-deps.sh
bash deploy/build.sh --target daftard daftar

work="$(mktemp -d -t daftar-demo-XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The pepper keys people's pseudonyms: 32 random bytes, readable by its owner only.
(umask 077 && head -c 32 /dev/urandom > "$work/pepper")
# The key that signs tree heads; auditors get tree-head.pub.
bash deploy/make-audit-key.sh "$work/keys"
# mTLS: a dev CA, the server's certificate and one client certificate per role (README "mTLS").
bash deploy/make-dev-certs.sh "$work/certs" > /dev/null

build/services/daftard --data_dir="$work/data" --listen=127.0.0.1:0 \
  --pepper_file="$work/pepper" --key_store_dir="$work/subject-keys" --port_file="$work/port" \
  --tree_head_key="$work/keys/tree-head.key" --tls_cert="$work/certs/server.pem" \
  --tls_key="$work/certs/server.key" --tls_client_ca="$work/certs/ca.pem" 2> "$work/daftard.log" &
server_pid=$!
for _ in $(seq 1 300); do
  [ -s "$work/port" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$work/daftard.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ ! -s "$work/port" ]; then
  echo "demo: daftard wrote no port file in 30 s" >&2
  cat "$work/daftard.log" >&2
  exit 1
fi
server="$(cat "$work/port")"
# `as ROLE ARGS...`: the CLI with ROLE's certificate; the server takes the actor (CN, e.g.
# operator-1) and the role (OU) from it.
as() {
  local role="$1"
  shift
  build/clients/daftar --server="$server" --tls_ca="$work/certs/ca.pem" \
    --tls_cert="$work/certs/$role.pem" --tls_key="$work/certs/$role.key" "$@"
}

echo "== daftard serving on $server"
build/clients/daftar --server="$server" --tls_identity_dir="$work/certs" \
  import examples/scenario-small
echo
echo "== balances (MAD)"
as operator report balances --format=table

scenario=examples/scenario-small
months=("$scenario"/cnss/*.csv)
first_month="$(basename "${months[0]}" .csv)"
last_month="$(basename "${months[${#months[@]}-1]}" .csv)"
# The payout's value date: the first day after the last declared month.
if [ "${last_month:4:2}" = 12 ]; then
  value_date="$((${last_month:0:4} + 1))-01-01"
else
  value_date="$(printf '%s-%02d-01' "${last_month:0:4}" "$((10#${last_month:4:2} + 1))")"
fi

echo
echo "== budget: fiscal years ${first_month:0:4}..${value_date:0:4}, PAE and PAF (admin-1, admin)"
for year in $(seq "${first_month:0:4}" "${value_date:0:4}"); do
  for grant in PAE PAF; do
    amount=40000000.00
    [ "$grant" = PAF ] && amount=10000000.00
    echo "-- $year $grant $amount MAD"
    as admin budget allocate \
      --fiscal_year="$year" --grant="$grant" --amount_mad="$amount" \
      --reference="Loi de finances $year, Offre Offshoring Maroc" \
      --request_id="demo-budget-$year-$grant"
  done
done

# "<key>":"<amount>" of a JSON line, in centimes.
centimes_of() {
  local mad
  mad="$(printf '%s\n' "$1" | sed -n "s/.*\"$2\":\"\(-\{0,1\}[0-9]*\.[0-9][0-9]\)\".*/\1/p")"
  local sign=""
  if [ "${mad:0:1}" = "-" ]; then sign="-"; mad="${mad:1}"; fi
  echo "$sign$((10#${mad%.*} * 100 + 10#${mad#*.}))"
}

# The first contract with a payable PAE balance. Before any payout the PAE payable of a contract
# is its PAE accrued less its clawbacks (docs/MONEY.md "Chart of accounts": a clawback debits
# payable PAE first); the payout asks for half of it, rounded down to the centime.
contract=""
while IFS= read -r line; do
  pae=$(( $(centimes_of "$line" pae_accrued_mad) - $(centimes_of "$line" clawback_mad) ))
  payable=$(centimes_of "$line" payable_mad)
  if [ "$pae" -gt 0 ] && [ "$payable" -gt 0 ]; then
    contract="$(printf '%s\n' "$line" | sed -n 's/.*"contract_id":"\([^"]*\)".*/\1/p')"
    half=$(( (pae < payable ? pae : payable) / 2 ))
    break
  fi
done < <(as operator report balances --format=jsonl)
if [ -z "$contract" ]; then
  echo "demo: no contract has a payable PAE balance" >&2
  exit 1
fi
amount="$((half / 100)).$(printf '%02d' "$((half % 100))")"

echo
echo "== payout: $contract, PAE, $amount MAD, value date $value_date"
echo "-- requested by operator-1 (operator)"
requested="$(as operator \
  payout request --contract="$contract" --grant=PAE --amount_mad="$amount" \
  --value_date="$value_date" --reason="PAE tranche payment, demo" \
  --request_id="demo-payout-request")"
echo "$requested"
payout_id="${requested%%$'\n'*}"  # its first line
echo "-- approved by approver-1 (approver)"
as approver \
  payout approve "$payout_id" --reason="checked against the balances report" \
  --request_id="demo-payout-approve"
echo "-- disbursed by treasury-1 (treasury)"
as treasury \
  payout disburse "$payout_id" --bank_reference="TGR-VIR-${value_date//-/}-0001" \
  --value_date="$value_date" --request_id="demo-payout-disburse"

echo
echo "== balances after the payout (MAD)"
as operator report balances --format=table
echo
echo "== program report"
as operator report program --format=table
echo
echo "== personal data (docs/PRIVACY.md): a person re-identified by an auditor, then erased"
# Everyone is due by 2200: the first listed is one of the two people hired before the rule set.
subject="$(as admin \
  subject due --as_of_date=2200-01-01 --format=jsonl 2>/dev/null \
  | sed -n '1s/.*"subject_id":"\([0-9a-f]*\)".*/\1/p')"
echo "-- pseudonym $subject"
as operator report balances --format=jsonl > "$work/before-erasure.jsonl"
echo "-- re-identified by auditor-1 (auditor): CNSS number $(as auditor subject reidentify "$subject" \
  --reason="IGF mission demo" --request_id=demo-reidentify 2>/dev/null)"
echo "-- erased by admin-1 (admin)"
as admin subject erase "$subject" \
  --reason="CNDP request demo" --request_id=demo-erase
echo "-- re-identified again: refused"
as auditor subject reidentify \
  "$subject" --reason="IGF mission demo" --request_id=demo-reidentify-2 || true
as operator report balances --format=jsonl > "$work/after-erasure.jsonl"
if cmp -s "$work/before-erasure.jsonl" "$work/after-erasure.jsonl"; then
  echo "balances after the erasure == before (byte for byte)"
else
  echo "demo: the erasure changed the balances" >&2
  exit 1
fi

echo
echo "== audit: hash chain verified by the server from position 1 to its head, signed tree head"
as auditor audit head --sign_now
echo
echo "== audit: export of the whole log, verified offline with the public key"
as auditor audit export --out="$work/ledger.export"
build/clients/daftar audit verify "$work/ledger.export" --public_key="$work/keys/tree-head.pub" \
  --format=jsonl > "$work/verified.jsonl"
as operator report balances --format=jsonl > "$work/served.jsonl"
if cmp -s "$work/verified.jsonl" "$work/served.jsonl"; then
  echo "balances rebuilt by the verifier == the server's balances report (byte for byte)"
else
  echo "demo: the verifier's balances differ from the server's" >&2
  diff "$work/verified.jsonl" "$work/served.jsonl" >&2 || true
  exit 1
fi

kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""
echo
echo "== daftard stopped cleanly"
