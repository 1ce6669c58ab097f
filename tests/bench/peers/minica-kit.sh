#!/usr/bin/env bash
# minica's nearest equivalent of `certlab kit --preset mtls` (benchmark peer, tests/bench/kit.mjs):
# Debian's minica (paultag/minica 1.0, RSA only) makes a CA, a server certificate for localhost
# and client certificates for alice and bob (PEM cert + key each), then a zip of it all. What
# differs from certlab's kit: no IP addresses in the server's SAN (minica takes DNS names only),
# no PKCS#12, DER, chain or full-chain files, no README or manifest, RSA keys only.
#
#   minica-kit.sh KEY OUTDIR      KEY: rsa2048 | rsa3072 | rsa4096
set -euo pipefail
KEY="${1:?usage: minica-kit.sh KEY OUTDIR}"
OUT="${2:?usage: minica-kit.sh KEY OUTDIR}"
case "$KEY" in
  rsa2048 | rsa3072 | rsa4096) BITS="${KEY#rsa}" ;;
  *) echo "minica-kit.sh: minica cannot make $KEY keys" >&2; exit 2 ;;
esac
mkdir -p "$OUT"
cd "$OUT"
SIZES=(-ca-key-size "$BITS" -key-size "$BITS")
minica "${SIZES[@]}" -type server localhost >/dev/null
minica "${SIZES[@]}" -type client alice >/dev/null
minica "${SIZES[@]}" -type client bob >/dev/null
zip -q -r kit.zip . -x kit.zip
