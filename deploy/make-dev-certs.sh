#!/usr/bin/env bash
# Creates a development PKI for Daftar's mTLS (issue 5): a dev CA, a server certificate and one
# client certificate per role, with OpenSSL. For development and tests only: the CA key sits next
# to the certificates it signs.
#
#   deploy/make-dev-certs.sh DIR
#
# Every key is EC P-256 (prime256v1), PEM PKCS#8, mode 0600; every certificate is PEM X.509 v3,
# signed with SHA-256, with a random 128-bit serial number. DIR is created if missing. Writes
#   DIR/ca.key, DIR/ca.pem          the dev CA: subject /O=Daftar dev/CN=Daftar dev CA,
#                                   basicConstraints critical CA:TRUE, keyUsage critical
#                                   keyCertSign, cRLSign; valid 3650 days.
#   DIR/server.key, DIR/server.pem  the server: subject /O=Daftar dev/CN=localhost,
#                                   subjectAltName DNS:localhost, IP:127.0.0.1, IP:::1,
#                                   extendedKeyUsage serverAuth; valid 825 days.
#   DIR/<role>.key, DIR/<role>.pem  one client per role, for role in operator, approver,
#                                   treasury, auditor, admin, cnss: subject
#                                   /O=Daftar dev/OU=<role>/CN=<role>-1.
#   DIR/company-<ICE>.key, .pem     one client per company, for the first two distinct ICE
#                                   values of examples/scenario-small/contracts.csv (its `ice`
#                                   column): subject /O=Daftar dev/OU=company/CN=company-<ICE>-1
#                                   /serialNumber=<ICE>.
# Client certificates carry extendedKeyUsage clientAuth and are valid 825 days; every leaf has
# basicConstraints CA:FALSE and keyUsage critical digitalSignature.
#
# How the server is to read a client certificate: the role is the subject's OU, the actor its
# CN, and for the `company` role the company's ICE is the subject's serialNumber attribute
# (OID 2.5.4.5; not the certificate's serial number).
#
# Prints each file it made, one per line, on stdout. Refuses (exit 1, nothing changed) if DIR
# already holds a ca.key or any file it would write: nothing is overwritten. Exit 2 for a
# usage error; exit 1 if OpenSSL or reading contracts.csv fails.
set -euo pipefail

if [[ $# -ne 1 || -z "$1" ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
source_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
contracts="$source_dir/examples/scenario-small/contracts.csv"
roles=(operator approver treasury auditor admin cnss)
org="Daftar dev"

if [[ -e "$dir/ca.key" ]]; then
  echo "error: $dir/ca.key already exists; refusing to overwrite a dev CA" >&2
  exit 1
fi

# The first two distinct values of the `ice` column (found by name in the header).
mapfile -t ices < <(awk -F, '
  NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ice") col = i; next }
  col && $col != "" && !seen[$col]++ { print $col; if (++n == 2) exit }
' "$contracts")
if [[ ${#ices[@]} -ne 2 ]]; then
  echo "error: $contracts: found ${#ices[@]} distinct ICE values, need 2" >&2
  exit 1
fi
for ice in "${ices[@]}"; do
  if [[ ! "$ice" =~ ^[0-9]{15}$ ]]; then
    echo "error: $contracts: ICE \"$ice\" is not 15 digits" >&2
    exit 1
  fi
done

names=(ca server "${roles[@]}")
for ice in "${ices[@]}"; do names+=("company-$ice"); done
for name in "${names[@]}"; do
  for ext in key pem; do
    if [[ -e "$dir/$name.$ext" ]]; then
      echo "error: $dir/$name.$ext already exists; refusing to overwrite" >&2
      exit 1
    fi
  done
done

umask 077
mkdir -p -- "$dir"
stage=$(mktemp -d "$dir/.dev-certs.XXXXXX")
trap 'rm -rf -- "$stage"' EXIT

new_key() {  # new_key NAME
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 \
    -pkeyopt ec_param_enc:named_curve -out "$stage/$1.key" 2>/dev/null
  chmod 600 -- "$stage/$1.key"
}

serial() { echo "0x$(openssl rand -hex 16)"; }

# leaf NAME SUBJECT EXTENSIONS: a key and a certificate signed by the dev CA.
leaf() {
  new_key "$1"
  openssl req -new -key "$stage/$1.key" -subj "$2" -out "$stage/$1.csr"
  printf '%s\n' "basicConstraints = critical, CA:FALSE" \
    "keyUsage = critical, digitalSignature" \
    "subjectKeyIdentifier = hash" "authorityKeyIdentifier = keyid:always" \
    "$3" >"$stage/$1.ext"
  openssl x509 -req -in "$stage/$1.csr" -CA "$stage/ca.pem" -CAkey "$stage/ca.key" \
    -set_serial "$(serial)" -days 825 -sha256 -extfile "$stage/$1.ext" \
    -out "$stage/$1.pem" 2>/dev/null
  chmod 644 -- "$stage/$1.pem"
}

new_key ca
openssl req -new -x509 -key "$stage/ca.key" -subj "/O=$org/CN=$org CA" -days 3650 -sha256 \
  -set_serial "$(serial)" \
  -addext "basicConstraints = critical, CA:TRUE" \
  -addext "keyUsage = critical, keyCertSign, cRLSign" \
  -out "$stage/ca.pem"
chmod 644 -- "$stage/ca.pem"

leaf server "/O=$org/CN=localhost" "$(printf '%s\n' \
  "subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1" \
  "extendedKeyUsage = serverAuth")"
for role in "${roles[@]}"; do
  leaf "$role" "/O=$org/OU=$role/CN=$role-1" "extendedKeyUsage = clientAuth"
done
for ice in "${ices[@]}"; do
  leaf "company-$ice" "/O=$org/OU=company/CN=company-$ice-1/serialNumber=$ice" \
    "extendedKeyUsage = clientAuth"
done

# ln fails if the name exists, so files created meanwhile by someone else are not replaced;
# ca.key goes first, and on any failure the files linked so far are removed.
linked=()
for name in "${names[@]}"; do
  for ext in key pem; do
    if ! ln -- "$stage/$name.$ext" "$dir/$name.$ext"; then
      rm -f -- "${linked[@]}"
      echo "error: $dir/$name.$ext already exists; refusing to overwrite" >&2
      exit 1
    fi
    linked+=("$dir/$name.$ext")
  done
done
printf '%s\n' "${linked[@]}"
