#!/usr/bin/env bash
# Crash loop (issue 7 item 1, "nothing acknowledged is ever lost"; docs/DURABILITY.md "Crash
# loop"). Starts the real daftard on a fresh data directory holding examples/scenario-small and
# the 2027 budgets, then for each cycle:
#   1. starts the load: durability_client load, K client threads (one gRPC channel each) that
#      declare hires of synthetic people and run payout rounds (request, approve by another
#      actor, disburse), each request under its own request id, retried with the SAME id until
#      the server answers, each answer appended to an ack file (tests/durability/load_driver.h);
#   2. after a random 0.2-2.5 s (from --seed) kills daftard with SIGKILL, and restarts it on the
#      same data directory; about one restart in four is itself killed (SIGKILL) 0-0.6 s after
#      its launch, while it recovers, and started again;
#   3. stops the load (SIGTERM: the clients settle the requests they are in, against the
#      restarted server, then exit);
#   4. checks (durability_client check, tests/durability/log_check.h), over every cycle so far:
#      every acknowledged request id on exactly the records its answer named, once; positions
#      1..head without a gap; every record's hash and link recomputed, equal to the server's
#      VerifyChain; the live balances equal to the server's fresh fold as of the head and to the
#      checker's own fold from position 0; the live program report equal to the checker's fold;
#      then `daftar audit export` of the whole log and the offline `daftar audit verify` of it
#      (chain, Merkle root, signature, postings, rules), whose balances rebuilt from the file
#      must equal `daftar report balances`.
# Prints one line per cycle, then exactly
#   cycles=N acknowledged=A lost=L duplicated=D
# (A: requests acknowledged over the run; L, D: the worst check's counts) and exits 0 only if
# every check held; 1 otherwise; 2 on a usage error.
#
#   tests/durability/crash_loop.sh [--cycles=N] [--clients=K] [--seed=S] [--build_dir=DIR] [--keep]
#   tests/durability/crash_loop.sh --self_test [--build_dir=DIR] [--keep]
#
#   --cycles=N       crash cycles to run, 1..300 (default 10)
#   --clients=K      load client threads, 1..16 (default 4)
#   --seed=S         0..999999999; every random delay follows from it (default: from the clock,
#                    printed, so that a failure can be replayed)
#   --build_dir=DIR  where daftard, daftar and durability_client are (default build/ of this
#                    checkout)
#   --keep           keep the work directory (default: removed on exit)
#   --self_test      run the self test below instead of the loop (default: off)
# N, K and S are plain decimal numbers: no sign, no leading zero (08 is refused, not read as
# octal); anything else is a usage error.
#
# --self_test proves the check can fail: it takes a copy of the data directory (server
# stopped), runs one load, puts the copy back under the server (the acknowledged writes are now
# gone, as if the disk had lost them) and requires the check to report lost equal to the
# acknowledged count, and exit non-zero. It exits 0 only when the check caught the loss.
#
# Builds nothing: it takes daftard, daftar and durability_client from --build_dir (default
# build/ of this checkout). Works in a mktemp directory, removed on exit unless --keep; every
# process it starts is killed on exit. A failure is replayed with its --seed.
#
# Ctrl-C (SIGINT), SIGTERM or SIGHUP stops it at once: no check runs and no cycle is reported
# failed; every process it started is killed, the work directory removed (unless --keep), one
# "interrupted" line printed, and it exits 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP). To make
# that reliable the loop runs in a worker in its own session (setsid) under this script, which
# only waits for it: a terminal's Ctrl-C never reaches daftard or the load, and bash cannot lose
# the signal to a command that happened to exit normally at that moment.
set -euo pipefail

readonly CYCLES_MAX=300           # durability_client's kCyclesMax
readonly CLIENTS_MAX=16           # durability_client's kThreadsMax
readonly KILL_DELAY_MS_MIN=200    # the load runs this long at least before the kill ...
readonly KILL_DELAY_MS_SPREAD=2301  # ... and at most 200 + 2300 ms
readonly SERVER_START_TIMEOUT_S=60  # daftard writes its port file within this
readonly CLIENT_STOP_TIMEOUT_S=180  # the load settles its requests within this (its own
                                    # retry window is 120 s)
readonly RECOVERY_KILL_EVERY=4    # about one restart in 4 is killed again while it recovers ...
readonly RECOVERY_KILL_MS_SPREAD=601  # ... 0-600 ms after it was launched (opening the store,
                                      # folding the log, or just serving)
readonly SELF_TEST_LOAD_MS=1500   # --self_test: how long its one load runs
readonly FISCAL_YEAR=2027         # the payouts' year (load_driver.cc kPayoutValueDate)
readonly BUDGET_MAD=100000000.00  # per grant: far more than the load pays out

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cycles=10
clients=4
seed=""
build_dir="$repo/build"
self_test=0
cycles_given=0
keep=0

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

# die MESSAGE: usage error, exit 2.
die() {
  echo "crash_loop: error: $1 (crash_loop.sh --help)" >&2
  exit 2
}

for arg in "$@"; do
  case "$arg" in
    --cycles=*) cycles="${arg#*=}"; cycles_given=1 ;;
    --clients=*) clients="${arg#*=}" ;;
    --seed=*) seed="${arg#*=}" ;;
    --build_dir=*) build_dir="${arg#*=}" ;;
    --self_test) self_test=1 ;;
    --keep) keep=1 ;;
    --help | -h) usage; exit 0 ;;
    *) die "unknown argument $arg" ;;
  esac
done

# want_number FLAG VALUE MIN MAX: VALUE is a plain decimal number (no sign, no leading zero,
# at most 9 digits) in MIN..MAX; a usage error naming the flag otherwise.
want_number() {
  if ! [[ "$2" =~ ^(0|[123456789][0123456789]{0,8})$ ]] || ((10#$2 < $3 || 10#$2 > $4)); then
    die "--$1=$2: want a decimal number $3..$4 (no sign, no leading zero)"
  fi
}
if ((self_test && cycles_given)); then
  die "--cycles=$cycles does not apply to --self_test (it runs one load and one rollback)"
fi
want_number cycles "$cycles" 1 "$CYCLES_MAX"
want_number clients "$clients" 1 "$CLIENTS_MAX"
if [[ -z "$seed" ]]; then
  seed=$((10#$(date +%s) % 1000000000))
fi
want_number seed "$seed" 0 999999999
cycles=$((10#$cycles))  # base 10 from here on (the checks above already refuse 08)
clients=$((10#$clients))
seed=$((10#$seed))
RANDOM=$seed  # every random delay below follows from the seed

daftard="$build_dir/services/daftard"
daftar="$build_dir/clients/daftar"
client="$build_dir/tests/durability/durability_client"
for bin in "$daftard" "$daftar" "$client"; do
  [[ -x "$bin" ]] || die "$bin is missing: build daftard daftar durability_client first"
done
scenario="$repo/examples/scenario-small"
[[ -f "$scenario/contracts.csv" ]] || die "$scenario/contracts.csv is missing"

# The supervisor (the script as started): makes the work directory, runs the loop in a worker
# (this script again, in its own session, so in its own process group) and waits for it. On
# SIGINT/SIGTERM/SIGHUP the wait returns at once: it SIGKILLs the worker's whole process group
# (the worker, daftard, the load, whatever the worker was running), removes the work directory
# unless --keep, prints one line and exits 128 + the signal number.
supervise() {
  local status=0
  work="$(mktemp -d -t daftar-crash-XXXXXX)"
  trap 'stop_on_signal INT 130' INT
  trap 'stop_on_signal TERM 143' TERM
  trap 'stop_on_signal HUP 129' HUP
  local args=("--clients=$clients" "--seed=$seed" "--build_dir=$build_dir")
  if ((self_test)); then args+=(--self_test); else args+=("--cycles=$cycles"); fi
  if ((keep)); then args+=(--keep); fi  # for the worker, should it outlive the supervisor
  CRASH_LOOP_WORKER_DIR="$work" CRASH_LOOP_SUPERVISOR=$$ \
    setsid bash "${BASH_SOURCE[0]}" "${args[@]}" &
  wait "$!" || status=$?
  trap - INT TERM HUP
  if ((status > 128)); then  # the worker was killed from outside: sweep its group
    kill_group "$!"
  fi
  remove_work
  exit "$status"
}

# kill_group PID: SIGKILLs the process group PID leads (silent if it is gone) and waits (at most
# 10 s) until none of its processes is left.
kill_group() {
  local waited=0
  kill -KILL -- "-$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  while kill -0 -- "-$1" 2>/dev/null && ((waited++ < 200)); do
    sleep 0.05
  done
}

# Removes the work directory unless --keep.
remove_work() {
  if ((keep)); then
    echo "crash_loop: work directory kept: $work" >&2
  else
    rm -rf "$work"
  fi
}

# stop_on_signal NAME STATUS: the supervisor's trap.
# shellcheck disable=SC2317  # invoked from the traps in supervise
stop_on_signal() {
  trap '' INT TERM HUP  # a second Ctrl-C does not cut the clean-up short
  local worker=${!:-}   # the worker once it started (the supervisor starts nothing else)
  if [[ -n "$worker" ]]; then
    kill_group "$worker"
  fi
  remove_work
  echo "crash_loop: interrupted by SIG$1: stopped, every process it started killed (seed $seed)" >&2
  exit "$2"
}

if [[ -z "${CRASH_LOOP_WORKER_DIR:-}" ]]; then
  command -v setsid > /dev/null || die "setsid (util-linux) is missing"
  # Started as a background job of a non-interactive shell (`crash_loop.sh &` in a script),
  # bash inherits SIGINT ignored and can never trap it: start again with it restored (once).
  if [[ -z "${CRASH_LOOP_SIGNALS_RESET:-}" ]] &&
      [[ "$(trap -p INT TERM)" == *"''"* ]] && env --default-signal=INT true 2> /dev/null; then
    CRASH_LOOP_SIGNALS_RESET=1 exec env --default-signal=INT,TERM bash "${BASH_SOURCE[0]}" "$@"
  fi
  supervise
fi

# The worker from here on: the supervisor owns the work directory and removes it.
work="$CRASH_LOOP_WORKER_DIR"
[[ -d "$work" ]] || die "work directory $work is missing"
supervisor="${CRASH_LOOP_SUPERVISOR:-}"
server_pid=""
load_pid=""
load_line=""

# Kills whatever still runs (the load first, so that it does not retry against nothing). The
# work directory is the supervisor's, unless the supervisor is gone (see supervisor_alive).
# shellcheck disable=SC2317  # invoked from the EXIT trap
cleanup() {
  local status=$?
  trap - EXIT TERM
  if [[ -n "$load_pid" ]] && kill -0 "$load_pid" 2>/dev/null; then
    kill -KILL "$load_pid" 2>/dev/null || true
    wait "$load_pid" 2>/dev/null || true
  fi
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -z "$supervisor" ]]; then
    remove_work
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 143' TERM  # SIGINT is ignored here: the worker is a background job (bash sets it so)

# If the supervisor was killed outright (SIGKILL: it had no chance to stop the worker), stops:
# kills what runs and removes the work directory itself.
supervisor_alive() {
  if [[ -n "$supervisor" ]] && ! kill -0 "$supervisor" 2>/dev/null; then
    supervisor=""
    echo "crash_loop: the supervising script is gone; stopping" >&2
    exit 1
  fi
}

data="$work/data"
keys="$work/subject-keys"
port_file="$work/port"
acks="$work/acks"
mkdir -p "$acks" "$work/audit"
(umask 077 && head -c 32 /dev/urandom > "$work/pepper")
bash "$repo/deploy/make-audit-key.sh" "$work/audit" > /dev/null

# sleep_ms MS: sleeps MS milliseconds.
sleep_ms() {
  sleep "$(awk -v ms="$1" 'BEGIN { printf "%.3f", ms / 1000 }')"
}

# fail MESSAGE: a failed step of the run (not a finding of a check), exit 1 with the server's
# log tail.
fail() {
  echo "crash_loop: $1" >&2
  tail -n 20 "$work/daftard.log" >&2 2>/dev/null || true
  exit 1
}

# Starts daftard on the data directory (server_pid), without waiting for it.
launch_server() {
  rm -f "$port_file"
  "$daftard" --data_dir="$data" --pepper_file="$work/pepper" --key_store_dir="$keys" \
    --listen=127.0.0.1:0 --port_file="$port_file" \
    --tree_head_key="$work/audit/tree-head.key" >> "$work/daftard.log" 2>&1 &
  server_pid=$!
}

# Starts daftard on the data directory and waits for its port file.
start_server() {
  launch_server
  local waited=0
  until [[ -s "$port_file" ]]; do
    kill -0 "$server_pid" 2>/dev/null || fail "daftard exited at start"
    ((waited++ < SERVER_START_TIMEOUT_S * 10)) || fail "daftard did not start within ${SERVER_START_TIMEOUT_S} s"
    sleep 0.1
  done
}

# stop_server SIGNAL: KILL (the crash) or TERM (an orderly stop), then reaps it.
# A daftard that exited by itself before the signal is a failure of the run.
stop_server() {
  if ! kill "-$1" "$server_pid" 2>/dev/null; then
    local rc=0
    wait "$server_pid" 2>/dev/null || rc=$?
    server_pid=""
    fail "daftard had exited by itself (status $rc) before the SIG$1"
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# cli ARGS...: the daftar CLI against the running server.
cli() {
  "$daftar" --server="$(cat "$port_file")" "$@"
}

# Imports the scenario and allocates the budget the payouts draw on.
setup_ledger() {
  cli import "$scenario" > "$work/import.out" 2> "$work/import.err" ||
    fail "import of $scenario failed: $(tail -n 3 "$work/import.err")"
  local grant
  for grant in PAE PAF; do
    cli --role=admin --actor=crash-admin budget allocate --fiscal_year="$FISCAL_YEAR" \
      --grant="$grant" --amount_mad="$BUDGET_MAD" --reference="crash loop budget" \
      --request_id="crash-budget-$FISCAL_YEAR-$grant" > /dev/null 2>> "$work/import.err" ||
      fail "budget allocate $grant failed"
  done
}

# start_load CYCLE: starts the load's client threads in the background (load_pid).
start_load() {
  local tag
  tag=$(printf '%03d' "$1")
  "$client" load --port_file="$port_file" --ack_prefix="$acks/cycle-$tag" --run="$seed" \
    --cycle="$1" --clients="$clients" --contracts="$contracts" \
    > "$work/load-$tag.out" 2> "$work/load-$tag.err" &
  load_pid=$!
}

# stop_load CYCLE: SIGTERM, then waits (bounded) for it to settle its requests and exit.
# Sets load_line to its summary line; returns its exit code. Not for a $(...) subshell: only
# this shell can wait for the load.
stop_load() {
  local tag waited=0 rc=0
  tag=$(printf '%03d' "$1")
  kill -TERM "$load_pid" 2>/dev/null || true  # gone already: its exit code says why
  while kill -0 "$load_pid" 2>/dev/null; do
    if ((waited++ >= CLIENT_STOP_TIMEOUT_S * 10)); then
      kill -KILL "$load_pid" 2>/dev/null || true
      echo "crash_loop: the load did not settle within ${CLIENT_STOP_TIMEOUT_S} s" >&2
      break
    fi
    sleep 0.1
  done
  wait "$load_pid" || rc=$?
  load_pid=""
  load_line=$(head -n 1 "$work/load-$tag.out")
  return "$rc"
}

# field NAME LINE: the value of NAME=value in LINE (0 if absent).
field() {
  local value
  value=$(grep -o "\b$1=[^ ]*" <<< "$2" | head -n 1 | cut -d= -f2)
  echo "${value:-0}"
}

# count NAME LINE: the count NAME=N in LINE as a base-10 number (0 if absent); prints 0 and
# returns 1 if N is not a plain decimal count.
count() {
  local value
  value=$(field "$1" "$2")
  if [[ "$value" =~ ^[0123456789]{1,18}$ ]]; then
    echo "$((10#$value))"
  else
    echo 0
    return 1
  fi
}

# Runs the check; prints its line; returns its exit code. Findings go to $work/check.err.
run_check() {
  local rc=0
  "$client" check --port_file="$port_file" --ack_dir="$acks" 2> "$work/check.err" || rc=$?
  return "$rc"
}

# Exports the whole log, verifies it offline, and compares the balances rebuilt from the file
# with the server's report. Prints "verified" or what failed.
export_and_verify() {
  rm -f "$work/export.bin"
  if ! cli --role=auditor audit export --out="$work/export.bin" > /dev/null 2> "$work/export.err"; then
    echo "EXPORT-FAILED"; return 1
  fi
  if ! "$daftar" audit verify "$work/export.bin" --public_key="$work/audit/tree-head.pub" \
      > "$work/verify.out" 2> "$work/verify.err"; then
    echo "VERIFY-FAILED($(tail -n 1 "$work/verify.err"))"; return 1
  fi
  cli --role=auditor report balances > "$work/balances.out" 2>> "$work/export.err" ||
    { echo "REPORT-FAILED"; return 1; }
  if ! cmp -s "$work/verify.out" "$work/balances.out"; then
    echo "BALANCES-DIFFER"; return 1
  fi
  echo "verified"
}

contracts=$(tail -n +2 "$scenario/contracts.csv" | cut -d, -f1 | paste -sd, -)

# --self_test: roll the data directory back under acknowledged writes; the check must see them
# lost.
self_test() {
  start_server
  setup_ledger
  stop_server TERM
  cp -a "$data" "$work/data.before"
  start_server
  start_load 0
  sleep_ms "$SELF_TEST_LOAD_MS"
  local acked
  stop_load 0 || fail "self_test: the load failed: $load_line"
  acked=$(count acknowledged "$load_line") || fail "self_test: no count in: $load_line"
  ((acked > 0)) || fail "self_test: the load acknowledged nothing: $load_line"
  local line rc=0
  line=$(run_check) || rc=$?
  ((rc == 0)) || fail "self_test: the check failed before the rollback: $line $(head -n 5 "$work/check.err")"
  stop_server TERM
  rm -rf "$data"
  mv "$work/data.before" "$data"
  start_server
  rc=0
  line=$(run_check) || rc=$?
  echo "self_test: $acked acknowledged writes rolled back; check: $line (exit $rc)"
  local lost
  lost=$(count lost "$line") || lost=-1
  if ((rc == 1 && lost == acked)); then
    echo "self_test: ok: the check reported every rolled-back write lost"
    return 0
  fi
  echo "self_test: FAILED: expected lost=$acked and exit 1" >&2
  return 1
}

if ((self_test)); then
  self_test
  exit $?
fi

echo "crash_loop: cycles=$cycles clients=$clients seed=$seed work=$work"
SECONDS=0
start_server
setup_ledger
failed=0
cycles_done=0
load_line=""
acknowledged=0
lost_max=0
duplicated_max=0
for ((cycle = 0; cycle < cycles; cycle++)); do
  supervisor_alive
  start_load "$cycle"
  delay_ms=$((KILL_DELAY_MS_MIN + RANDOM % KILL_DELAY_MS_SPREAD))
  sleep_ms "$delay_ms"
  stop_server KILL
  restart_note=""
  if ((RANDOM % RECOVERY_KILL_EVERY == 0)); then
    recovery_ms=$((RANDOM % RECOVERY_KILL_MS_SPREAD))
    launch_server
    sleep_ms "$recovery_ms"
    phase="before it served"
    if [[ -s "$port_file" ]]; then phase="while serving"; fi
    stop_server KILL
    restart_note=", again ${recovery_ms} ms into its restart ($phase)"
  fi
  start_server
  load_rc=0
  stop_load "$cycle" || load_rc=$?
  check_rc=0
  check_line=$(run_check) || check_rc=$?
  export_line=$(export_and_verify) || check_rc=1
  acknowledged=$(count acknowledged "$check_line") || check_rc=1
  lost=$(count lost "$check_line") || check_rc=1
  duplicated=$(count duplicated "$check_line") || check_rc=1
  if ((lost > lost_max)); then lost_max=$lost; fi
  if ((duplicated > duplicated_max)); then duplicated_max=$duplicated; fi
  cycles_done=$((cycle + 1))
  printf 'cycle %d/%d: killed after %d ms%s; load +%s (dedup %s, refused %s, retries %s); ' \
    "$((cycle + 1))" "$cycles" "$delay_ms" "$restart_note" "$(field acknowledged "$load_line")" \
    "$(field deduplicated "$load_line")" "$(field refused "$load_line")" \
    "$(field retries "$load_line")"
  printf 'head=%s acknowledged=%s lost=%s duplicated=%s chain=%s projections=%s export=%s\n' \
    "$(field head "$check_line")" "$acknowledged" "$lost" "$duplicated" \
    "$(field chain "$check_line")" "$(field projections "$check_line")" "$export_line"
  if ((load_rc != 0 || check_rc != 0)); then
    echo "  load: $load_line" >&2
    echo "  check: $check_line" >&2
    failed=1
    echo "crash_loop: cycle $((cycle + 1)) failed (load exit $load_rc, check exit $check_rc; replay with --seed=$seed)" >&2
    sed 's/^/  /' "$work/check.err" | head -n 40 >&2
    tail -n 5 "$work/load-$(printf '%03d' "$cycle").err" >&2 || true
    break
  fi
done
stop_server TERM
if ((cycles_done < 1 || cycles_done != cycles)) && ((!failed)); then
  echo "crash_loop: only $cycles_done of $cycles cycles ran" >&2
  failed=1
fi
echo "crash_loop: elapsed ${SECONDS} s, seed $seed"
echo "cycles=$cycles_done acknowledged=$acknowledged lost=$lost_max duplicated=$duplicated_max"
if ((failed || cycles_done < 1 || lost_max > 0 || duplicated_max > 0)); then
  exit 1
fi
exit 0
