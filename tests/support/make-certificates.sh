#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Makes the TLS test certificates in testcertificates.h (run once; the output is committed):
# a test CA, and P-256 leaves it signed: one for 127.0.0.1 and localhost, one for
# wrong.example only (host name mismatch), and one for 127.0.0.1 that expired in 2020.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p db && touch db/index && echo 1000 >db/serial
config() { # name extensions...: an `openssl ca` configuration; fixed dates need `openssl ca`
    cat >"$1.cnf" <<CNF
[ca]
default_ca = test
[test]
dir = db
database = db/index
new_certs_dir = db
serial = db/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
[ext]
$2
CNF
}
# The CA from 2024 on, so no clock before today's date refuses it.
openssl ecparam -name prime256v1 -genkey -noout -out ca.key
openssl req -new -key ca.key -subj "/CN=Streamscope Test CA" -out ca.csr
config ca "basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign"
openssl ca -batch -notext -selfsign -config ca.cnf -keyfile ca.key -extensions ext \
    -startdate 20240101000000Z -enddate 21240101000000Z -in ca.csr -out ca.pem 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out leaf.key
leaf() { # name subject san startdate enddate
    openssl req -new -key leaf.key -subj "$2" -out "$1.csr"
    config "$1" "basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $3"
    openssl ca -batch -notext -config "$1.cnf" -cert ca.pem -keyfile ca.key -extensions ext \
        -startdate "$4" -enddate "$5" -in "$1.csr" -out "$1.pem" 2>/dev/null
}
leaf good "/CN=127.0.0.1" "IP:127.0.0.1,DNS:localhost" 20240101000000Z 21240101000000Z
leaf wronghost "/CN=wrong.example" "DNS:wrong.example" 20240101000000Z 21240101000000Z
leaf expired "/CN=127.0.0.1" "IP:127.0.0.1,DNS:localhost" 20190101000000Z 20200101000000Z
out="$OLDPWD/testcertificates.h"
{
    echo "#pragma once"
    echo
    echo "// Made by tests/support/make-certificates.sh: a test CA and leaves it signed, one key."
    echo "// clang-format off"
    for name in ca good wronghost expired; do
        echo "inline constexpr char s_${name}CertificatePem[] ="
        sed 's/^/    "/; s/$/\\n"/' "$name.pem"
        echo "    ;"
    done
    echo "inline constexpr char s_leafKeyPem[] ="
    sed 's/^/    "/; s/$/\\n"/' leaf.key
    echo "    ;"
} >"$out"
