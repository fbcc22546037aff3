#!/usr/bin/env bash
# The benchmarks of issue 6, in one command (docs/BENCHMARKS.md): builds a Release tree of its
# own (build-bench/, -DDAFTAR_BENCH=ON), then runs B1..B5, each printing its figures next to the
# baseline measured in the same run, and prints them together at the end.
#
#   bench/run.sh [--quick] [--work_dir=DIR] [--proof_store=DIR] [--keep]
#
#   --quick        a smoke check: small sizes (B2 on a generated 5,000-hire program, B5 at
#                  200,000 records, short latency runs); under 3 minutes once build-bench/ is
#                  built. Ratios are printed as usual; the B2 and B5 goals are for the 2030 scale
#                  and are not graded.
#   --work_dir     where the run's directory goes (default build-bench/work; relative to the
#                  current directory). Each run makes its own directory in it, run.XXXXXX, and
#                  removes only that one at the end: nothing else in DIR is touched. The full
#                  run needs about 15 GB free there. Run as root, DIR and every directory above
#                  it must be searchable by others (PostgreSQL runs as `nobody`).
#   --proof_store  B5's 10 M-record store: created there if missing, reused if it holds no more
#                  records than asked, never removed (default: inside the run's directory)
#   --keep         keep the run's directory (data directories, export, logs)
#
# B1 durable ingest through gRPC vs raw RocksDB synced batches vs PostgreSQL 15 (ingest_bench)
# B2 the 2030 program (bench/generate_scenario.py --contracts 600 --hires 270000 --months 66):
#    import through daftard + the CLI, peak RSS of daftard, rebuild from position 0
#    (rebuild_bench)
# B3 offline verification of the export: the chain-and-root pass (daftar audit verify
#    --only=chain, every core) vs `openssl speed sha256` (one thread); the full verify too
# B4 64 concurrent appenders vs raw fdatasync (append_latency_bench)
# B5 inclusion and consistency proofs at 10 M records (proof_latency_bench)
#
# Ctrl-C or SIGTERM stops the running benchmark (which stops its daftard and PostgreSQL), then
# removes the run's directory. One run at a time per checkout (a lock on build-bench/).
# The summary is also written to build-bench/last-run-summary.txt.
#
# Exit 0 when every benchmark ran (a goal missed is a figure, not a failure); 1 when one could
# not run or the run was stopped; 2 for a usage error.
set -euo pipefail
# A write to a pipe whose reader a Ctrl-C killed must fail, not kill this script before it has
# cleaned up; messages of the clean-up go to the terminal's stderr (fd 8), not into a step's pipe.
trap '' PIPE
exec 8>&2
caller_dir="$PWD"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  echo "usage: bench/run.sh [--quick] [--work_dir=DIR] [--proof_store=DIR] [--keep]" >&2
}
fail_usage() {
  echo "bench/run.sh: $1" >&2
  usage
  exit 2
}
quick=0
keep=0
work_parent=""
proof_store=""
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --keep) keep=1 ;;
    --work_dir=?*) work_parent="${arg#--work_dir=}" ;;
    --proof_store=?*) proof_store="${arg#--proof_store=}" ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    --work_dir* | --proof_store*) fail_usage "$arg: give a directory, e.g. ${arg%%=*}=/var/tmp/bench" ;;
    *) fail_usage "unknown argument '$arg'" ;;
  esac
done
# Paths as the caller spelled them, from the caller's directory.
absolute() { case "$1" in /*) echo "$1" ;; *) echo "$caller_dir/$1" ;; esac; }
work_parent="$(absolute "${work_parent:-$repo/build-bench/work}")"
[ -z "$proof_store" ] || proof_store="$(absolute "$proof_store")"
cd "$repo"

# The work directory is checked before anything is installed or built, and before anything is
# made: the nearest existing directory on its path must be a writable directory.
existing="$work_parent"
while [ ! -e "$existing" ]; do existing="$(dirname "$existing")"; done
[ -d "$existing" ] || fail_usage "--work_dir: $existing is not a directory"
[ -w "$existing" ] || fail_usage "--work_dir: $existing is not writable"
if [ "$(id -u)" -eq 0 ]; then
  # B1's PostgreSQL runs as `nobody` and must reach its directory inside the run's.
  dir="$existing"
  while [ "$dir" != "/" ]; do
    [ "$(( 0$(stat -c %a "$dir") & 01 ))" -ne 0 ] || fail_usage "--work_dir: $dir (on the \
way to $work_parent) is not searchable by others, which PostgreSQL (run as nobody) needs; give \
e.g. --work_dir=/var/tmp/daftar-bench"
    dir="$(dirname "$dir")"
  done
fi
mkdir -p "$work_parent" 2>/dev/null || fail_usage "--work_dir: cannot create $work_parent"
work_parent="$(cd "$work_parent" && pwd)"

if [ -n "$proof_store" ]; then
  mkdir -p "$(dirname "$proof_store")" 2>/dev/null ||
    fail_usage "--proof_store: cannot create the directory above $proof_store"
fi

# One run per checkout: a lock directory holding the run's pid (not a lock on an open file,
# which daftard and PostgreSQL would inherit and hold after a Ctrl-C). A lock whose process is
# gone is stale and taken over.
mkdir -p build-bench
lock_dir=build-bench/.run.lock
if ! mkdir "$lock_dir" 2>/dev/null; then
  holder="$(cat "$lock_dir/pid" 2>/dev/null || true)"
  if [ -n "$holder" ] && kill -0 "$holder" 2>/dev/null; then
    echo "bench/run.sh: another run (pid $holder) is using this checkout ($lock_dir)" >&2
    exit 1
  fi
  rm -rf "$lock_dir"
  mkdir "$lock_dir" || { echo "bench/run.sh: cannot take $lock_dir" >&2; exit 1; }
fi
echo $$ > "$lock_dir/pid"
trap 'rm -rf "$repo/$lock_dir"' EXIT

bash deploy/install-deps.sh --bench
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DDAFTAR_BENCH=ON \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache > /dev/null
cmake --build build-bench -j2 --target daftard daftar ingest_bench append_latency_bench \
  proof_latency_bench rebuild_bench

work="$(mktemp -d "$work_parent/run.XXXXXX")"
chmod 0755 "$work"  # PostgreSQL (nobody) goes through it to its own directory
server_pid=""
child=""
results="$work/results.txt"
: > "$results"
summary_file="$repo/build-bench/last-run-summary.txt"
print_summary() {
  echo
  echo "== summary ($( [ "$quick" -eq 1 ] && echo quick || echo full ) run${1:-})"
  grep -E '^(machine:|B[1-5] )' "$results" | grep -vE '^B[1-5] (round [0-9]|diagnostics)' |
    tee "$summary_file" || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" || true
  fi
  if [ "$rc" -ne 0 ] && [ -s "$results" ]; then print_summary ": stopped early, exit $rc" >&8; fi
  if [ "$keep" -eq 0 ]; then
    rm -rf "$work"
  else
    echo "bench/run.sh: kept $work" >&8
  fi
  rm -rf "$repo/$lock_dir"
  exit "$rc"
}
trap cleanup EXIT
# A signal stops the benchmark running now (SIGTERM: it stops its own servers), then cleans up.
on_signal() {
  trap - INT TERM
  echo "bench/run.sh: stopping on a signal" >&8
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  exit 1
}
trap on_signal INT TERM
# Runs a command in the background and waits for it, so that a signal reaches on_signal at once
# (bash runs a trap only once a foreground command has ended). Its exit status is returned.
run() {
  "$@" &
  child=$!
  local rc=0
  wait "$child" || rc=$?
  child=""
  return "$rc"
}

bin=build-bench
# Floating-point arithmetic and comparisons (awk: no bc needed): calc "1 / 3", holds "2 < 3".
calc() { awk "BEGIN { print $1 }"; }
holds() { awk "BEGIN { exit !($1) }"; }
verdict() { if holds "$1"; then echo met; else echo missed; fi; }
# The B2 goals are for the 2030 program, and a quick run's 18 MB export is hashed in ~30 ms (too
# short a sample for B3's ratio): neither is graded in a quick run.
scale_verdict() { if [ "$quick" -eq 1 ]; then echo "not graded at quick scale"; else verdict "$1"; fi; }
# Runs a benchmark step, its output both shown and kept for the summary.
step() {
  echo
  echo "== $1"
  shift
  # The filter and tee ignore Ctrl-C: they end when the step's output does.
  run "$@" > >(trap '' INT; quick_grades | tee -a "$results") 2>&1
}
# A quick run's B2 rebuild and B5 lines are below the goals' scale: their verdicts are shown as
# not graded (the figures stay).
quick_grades() {
  if [ "$quick" -eq 1 ]; then
    sed -u -E -e '/^B2 rebuild_from/ s/\(goal ([^:]*): (met|missed)\)/(goal \1: not graded at quick scale)/' \
      -e 's/^(B5 goal [^:]*): (met|missed)$/\1: not graded at quick scale/'
  else
    cat
  fi
}

echo "== machine"
{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "machine: $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo), kernel $(uname -r)"
  echo "machine: work dir on $(df -h "$work" | awk 'NR==2 {print $1 " (" $2 ", " $4 " free)"}')"
  echo "machine: load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
} | tee -a "$results"

keep_flags=()
[ "$keep" -eq 0 ] || keep_flags=(--keep)  # B1's and B4's own directories kept too
if [ "$quick" -eq 1 ]; then
  b1_flags=(--hires=20000 --runs=1)
  gen_flags=(--contracts 60 --hires 5000 --months 12)
  b4_flags=(--seconds=3)
  b5_flags=(--records=200000)
else
  b1_flags=(--hires=100000 --runs=3)
  gen_flags=(--contracts 600 --hires 270000 --months 66)
  b4_flags=(--seconds=10)
  b5_flags=(--records=10000000)
fi

# --- B1 -------------------------------------------------------------------------------------
step "B1 durable ingest: gRPC vs raw RocksDB vs PostgreSQL 15" \
  "$bin/bench/ingest_bench" --daftard="$bin/services/daftard" --work_dir="$work/b1" \
  "${b1_flags[@]}" "${keep_flags[@]}"

# --- B2 -------------------------------------------------------------------------------------
echo
echo "== B2 the program at scale: generate, import, rebuild"
scenario="$work/scenario"
gen_start=$(date +%s.%N)
run python3 bench/generate_scenario.py "${gen_flags[@]}" --seed 2030 --out "$scenario" --force \
  --quiet
gen_end=$(date +%s.%N)
printf 'B2 generate %s: %.1f s\n' "${gen_flags[*]}" "$(calc "$gen_end - $gen_start")" \
  | tee -a "$results"

(umask 077 && head -c 32 /dev/urandom > "$work/pepper")
mkdir -p "$work/keys"
bash deploy/make-audit-key.sh "$work/keys/audit" > /dev/null
start_daftard() {
  rm -f "$work/port"
  "$bin/services/daftard" --data_dir="$work/data" --pepper_file="$work/pepper" \
    --key_store_dir="$work/subject-keys" --listen=127.0.0.1:0 --port_file="$work/port" \
    --tree_head_key="$work/keys/audit/tree-head.key" 2>> "$work/daftard.log" &
  server_pid=$!
  for _ in $(seq 1 3000); do
    [ -s "$work/port" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/daftard.log" >&2; exit 1; }
    sleep 0.1
  done
  server="$(cat "$work/port")"
}
stop_daftard() {
  kill -TERM "$server_pid"
  wait "$server_pid"
  server_pid=""
}
peak_rss_mib() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$server_pid/status"; }

start_daftard
import_start=$(date +%s.%N)
run "$bin/clients/daftar" --server="$server" --actor=bench import "$scenario" > "$work/import.out"
import_end=$(date +%s.%N)
rss="$(peak_rss_mib)"
events="$("$bin/clients/daftar" --server="$server" --role=auditor audit head | sed -n 's/^head position=\([0-9]*\).*/\1/p')"
import_s="$(calc "$import_end - $import_start")"
{
  printf 'B2 import %s events through daftard + CLI: %.1f s = %.0f events/s (goal < 300 s: %s)\n' \
    "$events" "$import_s" "$(calc "$events / $import_s")" "$(scale_verdict "$import_s < 300")"
  printf 'B2 daftard peak RSS during the import: %s MiB (goal < 1024 MiB: %s)\n' "$rss" \
    "$(scale_verdict "$rss < 1024")"
} | tee -a "$results"

# The export for B3, while the server runs; then the rebuild works on the stopped data directory.
run "$bin/clients/daftar" --server="$server" --role=auditor audit export \
  --out="$work/ledger.export" > /dev/null
stop_daftard

step "B2 rebuild of every projection from position 0" \
  "$bin/bench/rebuild_bench" --data_dir="$work/data" --pepper_file="$work/pepper" \
  --key_store_dir="$work/subject-keys"

# --- B3 ---------------------------------------------------------------------------------------
echo
echo "== B3 offline verification of the export vs SHA-256 on this machine"
export_bytes=$(stat -c %s "$work/ledger.export")
# The chain-and-root pass alone (audit verify --only=chain) on every core: its `chain_pass:` line
# gives its own wall time and thread count. Then the full verify (every check), timed from here.
chain_line="$(run "$bin/clients/daftar" audit verify "$work/ledger.export" --only=chain \
  --public_key="$work/keys/audit/tree-head.pub" 2>&1 >/dev/null | grep '^chain_pass:')"
chain_field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$chain_line"; }
chain_s="$(chain_field seconds)"
chain_cpu_s="$(chain_field cpu_seconds)"
chain_threads="$(chain_field threads)"
verify_start=$(date +%s.%N)
run "$bin/clients/daftar" audit verify "$work/ledger.export" \
  --public_key="$work/keys/audit/tree-head.pub" --format=jsonl > "$work/verified.jsonl"
verify_end=$(date +%s.%N)
verify_s="$(calc "$verify_end - $verify_start")"
# openssl speed: one thread, the 16384-byte column, in 1000s of bytes per second; -elapsed: per
# wall-clock second like the pass's figure (by default openssl divides by its user CPU time, which
# a busy machine does not slow down).
sha_kbps="$(openssl speed -elapsed -seconds 3 -bytes 16384 sha256 2>/dev/null \
  | awk '/^sha256/ {gsub("k", "", $NF); print $NF}')"
chain_mbps="$(calc "$export_bytes / $chain_s / 1000000")"
verify_mbps="$(calc "$export_bytes / $verify_s / 1000000")"
sha_mbps="$(calc "$sha_kbps / 1000")"
ratio="$(calc "$chain_mbps / $sha_mbps")"
{
  printf 'B3 chain+root pass (audit verify --only=chain, %s threads): %.1f MB in %.3f s = %.1f MB/s, %.0f events/s\n' \
    "$chain_threads" "$(calc "$export_bytes / 1000000")" "$chain_s" "$chain_mbps" \
    "$(calc "$events / $chain_s")"
  # Per CPU-second of the pass: what one thread of it does against one thread of openssl.
  printf 'B3 chain+root pass CPU: %.2f s on %s threads = %.1f MB per CPU-second (ratio to sha256 per thread %.2f)\n' \
    "$chain_cpu_s" "$chain_threads" "$(calc "$export_bytes / $chain_cpu_s / 1000000")" \
    "$(calc "$export_bytes / $chain_cpu_s / 1000000 / $sha_mbps")"
  printf 'B3 full audit verify (chain, root, signature, postings, rules, balances): %.3f s = %.1f MB/s, %.0f events/s\n' \
    "$verify_s" "$verify_mbps" "$(calc "$events / $verify_s")"
  printf 'B3 openssl speed -elapsed sha256 (16 KiB blocks, 1 thread): %.1f MB/s\n' "$sha_mbps"
  printf 'B3 ratio chain+root/sha256  %.2f (%s threads vs 1; goal >= 0.80: %s)\n' "$ratio" \
    "$chain_threads" "$(scale_verdict "$ratio >= 0.8")"
} | tee -a "$results"

# --- B4, B5 ---------------------------------------------------------------------------------
step "B4 64 concurrent appenders vs raw fdatasync" \
  "$bin/bench/append_latency_bench" --work_dir="$work/b4" "${b4_flags[@]}" "${keep_flags[@]}"
step "B5 proof latency" \
  "$bin/bench/proof_latency_bench" --store_dir="${proof_store:-$work/proofs}" "${b5_flags[@]}"

{
  echo "machine: load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  # The load at the start: B4's 64 writer threads raise the load average by themselves, so the
  # figure at the end is not a sign of other work.
  start_load="$(sed -n 's/^machine: load average \([0-9.]*\) .* at start$/\1/p' "$results")"
  if holds "$start_load > $(nproc)"; then
    echo "machine: WARNING: load average $start_load at the start, above the $(nproc) cores:" \
      "other work shared the CPUs, so latencies (B4, B5) and wall-clock rates are unreliable;" \
      "run again on an idle machine"
  fi
  if [ "$quick" -eq 1 ]; then
    echo "machine: quick run: B2, B3 and B5 ran below the goals' scale (5,000 hires, an 18 MB" \
      "export, 200,000 records) and are not graded; their figures say nothing of the 2030 program"
  fi
} | tee -a "$results"
print_summary
