#!/usr/bin/env python3
"""Checks a certlab kit with pyca/cryptography, an independent X.509 stack (Rust, RFC 5280 and
CA/B Forum profiles), for crate/tests/verifiers.rs.

    verify_kit.py KIT_DIR P12_PASSWORD [KEY_PASSWORD]

For every identity of manifest.json: the PEM and DER certificates are the same certificate;
every server leaf verifies as a TLS server for each of its names (ServerVerifier: path to its
root through the kit's chain file, name constraints, EKU serverAuth); every client and device
leaf verifies as a TLS client (ClientVerifier) -- or, when it has no subjectAltName, is refused
for exactly that (certlab's lint rule client-without-san says so); Ed25519 leaves are refused
for their key algorithm (the verifier follows the CA/B Forum profile, which has no Ed25519:
certlab's Ed25519 lint names it); both PKCS#12 flavours open
with the password and hold the key, the certificate and the chain; the private key file reads
(with the key password when the kit's keys are encrypted) and matches the certificate.
Prints one JSON object with what was checked; exits 1 at the first failure.
"""
import ipaddress
import json
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
    pkcs12,
)
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

kit = Path(sys.argv[1])
p12_password = sys.argv[2].encode()
key_password = sys.argv[3].encode() if len(sys.argv) > 3 else None
manifest = json.loads((kit / "manifest.json").read_text())
ids = {i["name"]: i for i in manifest["identities"]}
checked = {"server_names": 0, "clients": 0, "clients_without_san": 0, "ed25519_refused": 0, "p12": 0, "keys": 0}


def fail(msg):
    print(json.dumps({"error": msg, "checked": checked}))
    sys.exit(1)


def pem_certs(path):
    return x509.load_pem_x509_certificates((kit / path).read_bytes())


def spki(public_key):
    return public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def root_of(ident):
    seen = 0
    while ident["issuer"] != ident["name"]:
        ident = ids[ident["issuer"]]
        seen += 1
        if seen > 5:
            fail(f"issuer loop at {ident['name']}")
    return ident


for ident in manifest["identities"]:
    name, files = ident["name"], ident["files"]
    cert = pem_certs(files["cert"])[0]
    if cert != x509.load_der_x509_certificate((kit / files["der"]).read_bytes()):
        fail(f"{name}: the .crt and .der differ")
    if files.get("key"):
        data = (kit / files["key"]).read_bytes()
        key = load_pem_private_key(data, key_password if ident.get("key_encrypted") else None)
        if spki(key.public_key()) != spki(cert.public_key()):
            fail(f"{name}: the key does not match the certificate")
        checked["keys"] += 1
    if ident["role"] in ("root-ca", "intermediate-ca"):
        continue
    root = pem_certs(root_of(ident)["files"]["cert"])[0]
    chain = pem_certs(files["chain"]) if files.get("chain") else []
    intermediates = [c for c in chain if c != root]
    policy = PolicyBuilder().store(Store([root]))
    if ident["key_algorithm"] == "ed25519" or root_of(ident)["key_algorithm"] == "ed25519":
        dns = [s.partition(":")[2] for s in ident["sans"] if s.startswith("DNS:") and "*" not in s]
        verifier = (
            policy.build_server_verifier(x509.DNSName(dns[0]))
            if ident["role"] == "server" and dns
            else policy.build_client_verifier()
        )
        try:
            verifier.verify(cert, intermediates)
            fail(f"{name}: an Ed25519 chain was accepted; certlab's Ed25519 lint says it is not")
        except VerificationError as e:
            # A client without SAN is refused for that first (see below).
            if "Forbidden public key algorithm" not in str(e) and (ident["sans"] or "2.5.29.17" not in str(e)):
                fail(f"{name}: refused for another reason than Ed25519: {e}")
        checked["ed25519_refused"] += 1
    elif ident["role"] == "server":
        for san in ident["sans"]:
            kind, _, value = san.partition(":")
            if kind == "DNS":
                subject = x509.DNSName(value.replace("*", "wild", 1))
            elif kind == "IP":
                subject = x509.IPAddress(ipaddress.ip_address(value))
            else:
                continue
            try:
                policy.build_server_verifier(subject).verify(cert, intermediates)
            except VerificationError as e:
                fail(f"{name}: not a valid TLS server for {san}: {e}")
            checked["server_names"] += 1
    else:
        verifier = policy.build_client_verifier()
        if ident["sans"]:
            try:
                verifier.verify(cert, intermediates)
            except VerificationError as e:
                fail(f"{name}: not a valid TLS client: {e}")
            checked["clients"] += 1
        else:
            try:
                verifier.verify(cert, intermediates)
                fail(f"{name}: a client without SAN was accepted; the lint rule client-without-san is wrong")
            except VerificationError as e:
                if "2.5.29.17" not in str(e):
                    fail(f"{name}: refused for another reason than the missing SAN: {e}")
            checked["clients_without_san"] += 1
    for flavour in ("p12_compat", "p12_modern"):
        data = (kit / files[flavour]).read_bytes()
        key, p12_cert, extra = pkcs12.load_key_and_certificates(data, p12_password)
        if p12_cert != cert or spki(key.public_key()) != spki(cert.public_key()):
            fail(f"{name}: {files[flavour]} does not hold its key and certificate")
        if sorted(c.public_bytes(Encoding.DER) for c in extra) != sorted(c.public_bytes(Encoding.DER) for c in chain):
            fail(f"{name}: {files[flavour]} does not hold the chain")
        checked["p12"] += 1

print(json.dumps({"ok": True, "checked": checked}))
