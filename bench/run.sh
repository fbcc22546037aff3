#!/usr/bin/env bash
# The benchmarks of issue 6, in one command (docs/BENCHMARKS.md): builds a Release tree of its
# own (build-bench/, -DDAFTAR_BENCH=ON), then runs B1..B5, each printing its figures next to the
# baseline measured in the same run, and prints them together at the end.
#
#   bench/run.sh [--quick] [--work_dir=DIR] [--keep]
#
#   --quick      a smoke check: small sizes (B2 on a generated 5,000-hire program, B5 at 200,000
#                records, short latency runs); under 3 minutes once build-bench/ is built
#   --work_dir   where data directories, exports and the PostgreSQL cluster go (default
#                build-bench/work; the full run needs about 15 GB free there)
#   --keep       keep the work directory (the 10 M-record proof store is reused by the next run)
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
# Exit 0 when every benchmark ran (a goal missed is a figure, not a failure); 1 when one could
# not run; 2 for a usage error.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=0
keep=0
work=""
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --keep) keep=1 ;;
    --work_dir=*) work="${arg#--work_dir=}" ;;
    *) echo "usage: bench/run.sh [--quick] [--work_dir=DIR] [--keep]" >&2; exit 2 ;;
  esac
done

bash deploy/install-deps.sh --bench
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DDAFTAR_BENCH=ON \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache > /dev/null
cmake --build build-bench -j2 --target daftard daftar ingest_bench append_latency_bench \
  proof_latency_bench rebuild_bench

[ -n "$work" ] || work="$PWD/build-bench/work"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" || true
  fi
  if [ "$keep" -eq 0 ]; then
    find "$work" -mindepth 1 -maxdepth 1 ! -name proofs -exec rm -rf {} +
    [ "$quick" -eq 1 ] && rm -rf "$work/proofs"
  fi
  return 0
}
trap cleanup EXIT

bin=build-bench
# Floating-point arithmetic and comparisons (awk: no bc needed): calc "1 / 3", holds "2 < 3".
calc() { awk "BEGIN { print $1 }"; }
holds() { awk "BEGIN { exit !($1) }"; }
verdict() { if holds "$1"; then echo met; else echo missed; fi; }
results="$work/results.txt"
: > "$results"
# Runs a benchmark step, its output both shown and kept for the summary.
step() {
  echo
  echo "== $1"
  shift
  "$@" 2>&1 | tee -a "$results"
}

echo "== machine"
{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "machine: $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo), kernel $(uname -r)"
  echo "machine: work dir on $(df -h "$work" | awk 'NR==2 {print $1 " (" $2 ", " $4 " free)"}')"
  echo "machine: load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
} | tee -a "$results"

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
  "${b1_flags[@]}"

# --- B2 -------------------------------------------------------------------------------------
echo
echo "== B2 the program at scale: generate, import, rebuild"
scenario="$work/scenario"
gen_start=$(date +%s.%N)
python3 bench/generate_scenario.py "${gen_flags[@]}" --seed 2030 --out "$scenario" --force --quiet
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
"$bin/clients/daftar" --server="$server" --actor=bench import "$scenario" > "$work/import.out"
import_end=$(date +%s.%N)
rss="$(peak_rss_mib)"
events="$("$bin/clients/daftar" --server="$server" --role=auditor audit head | sed -n 's/^head position=\([0-9]*\).*/\1/p')"
import_s="$(calc "$import_end - $import_start")"
{
  printf 'B2 import %s events through daftard + CLI: %.1f s = %.0f events/s (goal < 300 s: %s)\n' \
    "$events" "$import_s" "$(calc "$events / $import_s")" "$(verdict "$import_s < 300")"
  printf 'B2 daftard peak RSS during the import: %s MiB (goal < 1024 MiB: %s)\n' "$rss" \
    "$(verdict "$rss < 1024")"
} | tee -a "$results"

# --- B3 (needs the server for the export) ----------------------------------------------------
echo
echo "== B3 offline verification of the export vs SHA-256 on this machine"
"$bin/clients/daftar" --server="$server" --role=auditor audit export --out="$work/ledger.export" \
  > /dev/null
stop_daftard
export_bytes=$(stat -c %s "$work/ledger.export")
# The chain-and-root pass alone (audit verify --only=chain) on every core: its `chain_pass:` line
# gives its own wall time and thread count. Then the full verify (every check), timed from here.
chain_line="$("$bin/clients/daftar" audit verify "$work/ledger.export" --only=chain \
  --public_key="$work/keys/audit/tree-head.pub" 2>&1 >/dev/null | grep '^chain_pass:')"
chain_field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$chain_line"; }
chain_s="$(chain_field seconds)"
chain_cpu_s="$(chain_field cpu_seconds)"
chain_threads="$(chain_field threads)"
verify_start=$(date +%s.%N)
"$bin/clients/daftar" audit verify "$work/ledger.export" \
  --public_key="$work/keys/audit/tree-head.pub" --format=jsonl > "$work/verified.jsonl"
verify_end=$(date +%s.%N)
verify_s="$(calc "$verify_end - $verify_start")"
# openssl speed: one thread, the 16384-byte column, in 1000s of bytes per second.
sha_kbps="$(openssl speed -seconds 3 -bytes 16384 sha256 2>/dev/null \
  | awk '/^sha256/ {gsub("k", "", $NF); print $NF}')"
chain_mbps="$(calc "$export_bytes / $chain_s / 1000000")"
verify_mbps="$(calc "$export_bytes / $verify_s / 1000000")"
sha_mbps="$(calc "$sha_kbps / 1000")"
ratio="$(calc "$chain_mbps / $sha_mbps")"
{
  printf 'B3 chain+root pass (audit verify --only=chain, %s threads): %.1f MB in %.2f s = %.1f MB/s, %.0f events/s\n' \
    "$chain_threads" "$(calc "$export_bytes / 1000000")" "$chain_s" "$chain_mbps" \
    "$(calc "$events / $chain_s")"
  # openssl speed divides by its own user CPU time: the same measure of the pass, per thread.
  printf 'B3 chain+root pass CPU: %.2f s on %s threads = %.1f MB per CPU-second (ratio to sha256 per thread %.2f)\n' \
    "$chain_cpu_s" "$chain_threads" "$(calc "$export_bytes / $chain_cpu_s / 1000000")" \
    "$(calc "$export_bytes / $chain_cpu_s / 1000000 / $sha_mbps")"
  printf 'B3 full audit verify (chain, root, signature, postings, rules, balances): %.1f s = %.1f MB/s, %.0f events/s\n' \
    "$verify_s" "$verify_mbps" "$(calc "$events / $verify_s")"
  printf 'B3 openssl speed sha256 (16 KiB blocks, 1 thread, per user CPU-second): %.1f MB/s\n' "$sha_mbps"
  printf 'B3 ratio chain+root/sha256  %.2f (%s threads vs 1; goal >= 0.80: %s)\n' "$ratio" \
    "$chain_threads" "$(verdict "$ratio >= 0.8")"
} | tee -a "$results"

step "B2 rebuild of every projection from position 0" \
  "$bin/bench/rebuild_bench" --data_dir="$work/data" --pepper_file="$work/pepper" \
  --key_store_dir="$work/subject-keys"

# --- B4, B5 ---------------------------------------------------------------------------------
step "B4 64 concurrent appenders vs raw fdatasync" \
  "$bin/bench/append_latency_bench" --work_dir="$work/b4" "${b4_flags[@]}"
step "B5 proof latency" \
  "$bin/bench/proof_latency_bench" --store_dir="$work/proofs" "${b5_flags[@]}"

echo
echo "== summary ($( [ "$quick" -eq 1 ] && echo quick || echo full ) run)"
grep -E '^(machine:|B[1-5] )' "$results"
