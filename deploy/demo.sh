#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts daftard on a fresh data directory, imports
# examples/scenario-small with the CLI, prints the balances table, has the server verify the
# hash chain and print its head, then stops the server with SIGTERM.
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

build/services/daftard --data_dir="$work/data" --listen=127.0.0.1:0 \
  --pepper_file="$work/pepper" --port_file="$work/port" 2> "$work/daftard.log" &
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
daftar=(build/clients/daftar --server="$server" --actor=demo --role=operator)

echo "== daftard serving on $server"
"${daftar[@]}" import examples/scenario-small
echo
echo "== balances (MAD)"
"${daftar[@]}" report balances --format=table
echo
echo "== audit: hash chain verified by the server from position 1 to its head"
"${daftar[@]}" audit head

kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""
echo
echo "== daftard stopped cleanly"
