#!/usr/bin/env bash
# mkcert's nearest equivalent of `certlab kit --preset mtls` (benchmark peer, tests/bench/kit.mjs):
# a fresh CA (CAROOT inside OUTDIR, never installed anywhere), a server certificate for
# localhost, 127.0.0.1, ::1 (PEM cert + key) and the clients alice and bob as PKCS#12 files,
# then a zip of it all. What differs from certlab's kit: mkcert writes each client as a .p12
# only (no PEM key, one legacy flavour: RC2-40 certs, 3DES key, SHA-1 MAC with 1 iteration),
# no DER, chain or full-chain files, no README or manifest, and it supports only ECDSA P-256
# (-ecdsa) and RSA-2048 leaves (its RSA root is 3072-bit).
#
#   mkcert-kit.sh KEY OUTDIR      KEY: ecdsa-p256 | rsa2048
set -euo pipefail
KEY="${1:?usage: mkcert-kit.sh KEY OUTDIR}"
OUT="${2:?usage: mkcert-kit.sh KEY OUTDIR}"
case "$KEY" in
  ecdsa-p256) ALG=(-ecdsa) ;;
  rsa2048) ALG=() ;;
  *) echo "mkcert-kit.sh: mkcert cannot make $KEY keys" >&2; exit 2 ;;
esac
mkdir -p "$OUT"
cd "$OUT"
export CAROOT="$PWD/ca"
mkcert "${ALG[@]}" -cert-file server.crt -key-file server.key localhost 127.0.0.1 ::1 2>/dev/null
mkcert "${ALG[@]}" -client -pkcs12 -p12-file alice.p12 alice 2>/dev/null
mkcert "${ALG[@]}" -client -pkcs12 -p12-file bob.p12 bob 2>/dev/null
zip -q -r kit.zip . -x kit.zip
