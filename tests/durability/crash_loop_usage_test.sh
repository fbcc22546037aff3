#!/usr/bin/env bash
# crash_loop.sh's usage errors: each refused with exit 2 and a line naming the flag, before any
# server starts (a mistyped run must not pass for a loop that ran).
set -uo pipefail
script="$(dirname "${BASH_SOURCE[0]}")/crash_loop.sh"
failures=0

# expect_usage_error WANT_TEXT ARGS...: exit 2, stderr holds WANT_TEXT.
expect_usage_error() {
  local want="$1"
  shift
  local err rc
  err=$(bash "$script" "$@" 2>&1 >/dev/null)
  rc=$?
  if ((rc != 2)) || [[ "$err" != *"$want"* ]]; then
    echo "FAIL: crash_loop.sh $*: exit $rc, stderr: $err (want exit 2 and: $want)" >&2
    failures=$((failures + 1))
  fi
}

expect_usage_error "--cycles=3 does not apply to --self_test" --self_test --cycles=3
expect_usage_error "--cycles=3 does not apply to --self_test" --cycles=3 --self_test
expect_usage_error "--cycles=0: want a decimal number 1..300" --cycles=0
expect_usage_error "--cycles=301: want a decimal number 1..300" --cycles=301
expect_usage_error "--cycles=08: want a decimal number 1..300" --cycles=08
expect_usage_error "--clients=0: want a decimal number" --clients=0
expect_usage_error "unknown argument --cycle=3" --cycle=3

if ((failures > 0)); then
  echo "crash_loop_usage: $failures failed" >&2
  exit 1
fi
echo "crash_loop_usage: 7 usage errors refused with exit 2"
