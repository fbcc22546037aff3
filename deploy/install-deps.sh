#!/usr/bin/env bash
# Installs what Daftar needs to build and test on Debian 12: compilers, CMake, gRPC, protobuf,
# RocksDB, Abseil, OpenSSL (library, and its command line for deploy/make-audit-key.sh),
# GoogleTest, Python 3 (the oracle), clang with its sanitizer and libFuzzer runtimes
# (libclang-rt-14-dev; deploy/fuzz.sh). Idempotent: installs only the
# packages that are missing, and runs apt-get update only then. Needs root when something is
# missing. `--bench` adds what bench/run.sh needs: PostgreSQL 15 (the peer baseline, started by
# the benchmark in a temp directory) and libpq (the benchmarks are programs of their own, bench/*.cc).
set -euo pipefail

packages=(
  cmake g++ make pkg-config ccache
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev libssl-dev openssl libgtest-dev libgmock-dev python3
  clang libclang-rt-14-dev
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(postgresql-15 libpq-dev procps)
elif [ $# -gt 0 ]; then
  echo "usage: install-deps.sh [--bench]" >&2
  exit 2
fi

missing=()
for package in "${packages[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)"
  [ "$status" = "install ok installed" ] || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages are installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${missing[*]}; run this script as root" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
