#!/usr/bin/env bash
# The "peer" of the kit benchmark (crate/benches/kit.rs): the work of `certlab kit --preset mtls`
# done with the openssl CLI, so the bench can report certlab/openssl in the same run.
#
#   scripts/openssl-kit.sh KEY OUTDIR
#
# KEY is a certlab key id: ecdsa-p256, ecdsa-p384, ed25519, rsa2048, rsa3072, rsa4096.
# Makes, in OUTDIR (created; must be empty or absent):
#   root CA  ca.key ca.crt ca.der                      (CA:TRUE, keyCertSign, name constraints)
#   server   server.{key,crt,der,chain.pem,fullchain.pem,p12,modern.p12}
#            (localhost, 127.0.0.1, ::1; serverAuth)
#   clients  alice.* and bob.* likewise (clientAuth)
#   and kit.zip of all of it.
# Each leaf gets both PKCS#12 flavours: "compatible" (PBE-SHA1-3DES, SHA-1 MAC) as NAME.p12 and
# "modern" (PBES2 AES-256-CBC, PBKDF2-HMAC-SHA256, SHA-256 MAC; OpenSSL 3's default) as
# NAME.modern.p12, both with 2048 iterations and password "changeit", like certlab's.
# Not made (certlab makes them): README.txt and manifest.json.
set -euo pipefail

KEY="${1:?usage: openssl-kit.sh KEY OUTDIR}"
OUT="${2:?usage: openssl-kit.sh KEY OUTDIR}"
PASS="pass:changeit"

case "$KEY" in
  ecdsa-p256) GEN=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256) ;;
  ecdsa-p384) GEN=(-algorithm EC -pkeyopt ec_paramgen_curve:P-384) ;;
  ed25519) GEN=(-algorithm ED25519) ;;
  rsa2048) GEN=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048) ;;
  rsa3072) GEN=(-algorithm RSA -pkeyopt rsa_keygen_bits:3072) ;;
  rsa4096) GEN=(-algorithm RSA -pkeyopt rsa_keygen_bits:4096) ;;
  *) echo "openssl-kit.sh: unknown key type '$KEY'" >&2; exit 2 ;;
esac
case "$KEY" in
  rsa*) SERVER_KU="digitalSignature, keyEncipherment" ;;
  *) SERVER_KU="digitalSignature" ;;
esac

mkdir -p "$OUT"
cd "$OUT"

cat > ext.cnf <<EOF
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
nameConstraints = critical, permitted;DNS:localhost, permitted;IP:127.0.0.0/255.0.0.0, permitted;IP:::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff

[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, $SERVER_KU
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

# Root CA (self-signed).
openssl genpkey "${GEN[@]}" -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -days 3650 -subj "/O=certlab lab PKI/CN=certlab Root CA" \
  -config ext.cnf -extensions ca -out ca.crt 2>/dev/null
openssl x509 -in ca.crt -outform DER -out ca.der

leaf() { # NAME CN PROFILE
  local n="$1" cn="$2" profile="$3"
  openssl genpkey "${GEN[@]}" -out "$n.key" 2>/dev/null
  openssl req -new -key "$n.key" -subj "/O=certlab lab PKI/CN=$cn" -out "$n.csr" 2>/dev/null
  openssl x509 -req -in "$n.csr" -CA ca.crt -CAkey ca.key -days 397 \
    -extfile ext.cnf -extensions "$profile" -out "$n.crt" 2>/dev/null
  rm -f "$n.csr"
  openssl x509 -in "$n.crt" -outform DER -out "$n.der"
  cp ca.crt "$n.chain.pem"
  cat "$n.crt" ca.crt > "$n.fullchain.pem"
  openssl pkcs12 -export -name "$cn" -inkey "$n.key" -in "$n.crt" -certfile ca.crt \
    -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 -iter 2048 \
    -passout "$PASS" -out "$n.p12"
  openssl pkcs12 -export -name "$cn" -inkey "$n.key" -in "$n.crt" -certfile ca.crt \
    -certpbe AES-256-CBC -keypbe AES-256-CBC -macalg sha256 -iter 2048 \
    -passout "$PASS" -out "$n.modern.p12"
}

leaf server localhost server
leaf alice alice client
leaf bob bob client
rm -f ext.cnf ca.srl

zip -q -r kit.zip . -x kit.zip
