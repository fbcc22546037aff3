#!/usr/bin/env bash
# The tests: installs what is missing, builds everything, runs every test with ctest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash deploy/install-deps.sh
bash deploy/build.sh
cd build
ctest --output-on-failure -j2
