#!/usr/bin/env bash
# Fuzzing: builds the libFuzzer targets of fuzz/ with clang, ASan and UBSan into build-fuzz/
# (RelWithDebInfo, two jobs at most; the g++ build in build/ is not touched), replays every input
# kept under fuzz/regressions/<target>/, then runs each target for a bounded time:
#
#   bash deploy/fuzz.sh [--seconds=N]     N seconds per target, default 30
#
# Targets: contracts_csv_fuzzer, hires_csv_fuzzer, declarations_csv_fuzzer (ParseCsv and the row
# parsers of ledger/domain/rows.h), ruleset_json_fuzzer (ParseRuleSetJson),
# record_envelope_fuzzer (DecodeEnvelope of ledger/store/record_codec.h). Each starts from its
# seed corpus fuzz/corpus/<target>/, copied to build-fuzz/corpus/<target>/ so that a run never
# grows the committed corpus. Exits 1 on any finding (a crash, a sanitizer report, a broken
# invariant, a timeout of 10 s on one input, more than 2 GiB of memory), naming the target and
# the file holding the input; keep that file under fuzz/regressions/<target>/ once fixed.
# Installs nothing itself beyond deploy/install-deps.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=30
for arg in "$@"; do
  case "$arg" in
    --seconds=*) seconds="${arg#--seconds=}" ;;
    *) echo "fuzz.sh: unknown argument $arg (usage: deploy/fuzz.sh [--seconds=N])" >&2; exit 2 ;;
  esac
done
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz.sh: --seconds must be a positive integer, got '$seconds'" >&2
  exit 2
fi

targets=(contracts_csv_fuzzer hires_csv_fuzzer declarations_csv_fuzzer ruleset_json_fuzzer
         record_envelope_fuzzer)

bash deploy/install-deps.sh
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DDAFTAR_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build-fuzz -j2  # fuzz/ only: the libraries are EXCLUDE_FROM_ALL

export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
failed=0
for target in "${targets[@]}"; do
  binary="build-fuzz/fuzz/$target"
  regressions="fuzz/regressions/$target"
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    echo "fuzz.sh: $target: replaying $(ls -A "$regressions" | wc -l) regression inputs"
    if ! "$binary" -timeout=10 -rss_limit_mb=2048 "$regressions"/* \
        > "build-fuzz/$target.regressions.log" 2>&1; then
      tail -n 40 "build-fuzz/$target.regressions.log" >&2
      echo "fuzz.sh: FINDING in $target: a regression input of $regressions fails again" \
           "(log: build-fuzz/$target.regressions.log)" >&2
      failed=1
      continue
    fi
  fi
  corpus="build-fuzz/corpus/$target"
  artifacts="build-fuzz/artifacts/$target/"
  rm -rf "$corpus" "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  cp -r "fuzz/corpus/$target/." "$corpus/"
  echo "fuzz.sh: $target: fuzzing for ${seconds}s from $(ls -A "$corpus" | wc -l) seeds"
  log="build-fuzz/$target.log"
  if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
      -artifact_prefix="$artifacts" "$corpus" > "$log" 2>&1; then
    grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units)' "$log" | tail -n 1 || true
  else
    tail -n 60 "$log" >&2
    for crash in "$artifacts"*; do
      [ -e "$crash" ] && echo "fuzz.sh: FINDING in $target: input in $crash (log: $log)" >&2
    done
    echo "fuzz.sh: FINDING in $target (log: $log)" >&2
    failed=1
  fi
done
if [ "$failed" -ne 0 ]; then
  echo "fuzz.sh: findings above; fix them, keep each input under fuzz/regressions/<target>/" >&2
  exit 1
fi
echo "fuzz.sh: ${#targets[@]} targets, ${seconds}s each, no finding"
