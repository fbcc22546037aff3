#!/usr/bin/env bash
# Creates the Ed25519 key pair that signs Daftar's tree heads (docs/AUDIT.md "Keys").
#
#   deploy/make-audit-key.sh DIR
#
# Writes
#   DIR/tree-head.key  the private key, PEM PKCS#8 (`openssl genpkey -algorithm ed25519`), mode
#                      0600. Only daftard reads it (--tree_head_key); it never leaves the server.
#   DIR/tree-head.pub  the public key, PEM SubjectPublicKeyInfo (`openssl pkey -pubout`), for
#                      auditors: `daftar audit verify FILE --public_key=tree-head.pub`.
# and prints the key id on stdout: the lowercase hex SHA-256 of the raw 32-byte Ed25519 public
# key (the last 32 bytes of the public key's DER), the value every SignedTreeHead carries in
# key_id. Publish the .pub file and the key id through a channel auditors trust.
#
# Refuses (exit 1, nothing changed) if either file already exists: a key is never overwritten,
# since heads signed with it could no longer be verified. Exit 2 for a usage error.
set -euo pipefail

if [[ $# -ne 1 || -z "$1" ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
key="$dir/tree-head.key"
pub="$dir/tree-head.pub"
for f in "$key" "$pub"; do
  if [[ -e "$f" ]]; then
    echo "error: $f already exists; refusing to overwrite a tree-head key" >&2
    exit 1
  fi
done

umask 077
mkdir -p -- "$dir"
tmp_key=$(mktemp "$dir/.tree-head.key.XXXXXX")
tmp_pub=$(mktemp "$dir/.tree-head.pub.XXXXXX")
trap 'rm -f -- "$tmp_key" "$tmp_pub"' EXIT

openssl genpkey -algorithm ed25519 -out "$tmp_key"
chmod 600 -- "$tmp_key"
openssl pkey -in "$tmp_key" -pubout -out "$tmp_pub"
chmod 644 -- "$tmp_pub"

# ln fails if the name exists, so a key created meanwhile by someone else is not replaced.
if ! ln -- "$tmp_key" "$key"; then
  echo "error: $key already exists; refusing to overwrite a tree-head key" >&2
  exit 1
fi
if ! ln -- "$tmp_pub" "$pub"; then
  rm -f -- "$key"
  echo "error: $pub already exists; refusing to overwrite a tree-head key" >&2
  exit 1
fi

# The raw key is the last 32 bytes of the 44-byte DER SubjectPublicKeyInfo.
openssl pkey -pubin -in "$pub" -outform DER | tail -c 32 | sha256sum | cut -d' ' -f1
