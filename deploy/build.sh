#!/usr/bin/env bash
# Configures and builds Daftar into build/ (Release), two jobs at most. Arguments are passed to
# `cmake --build` (e.g. --target daftard). Shared by demo.sh and test.sh so both reuse one tree.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j2 "$@"
