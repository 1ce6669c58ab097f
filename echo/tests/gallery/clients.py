"""Runs openssl s_client and Python ssl against every case of a served gallery.

usage: clients.py GALLERY_DIR  -> prints one JSON object: {case: {"openssl": "accept"|"reject",
"python": ..., "openssl_said": "...", "python_said": "..."}}

A case is accepted when the client gets the server's HTTP answer (GET /info, 200) over the
verified connection: with TLS 1.3 a server refuses a client certificate after the client's
handshake is done, so "connected" alone would count a refusal as a success.
"""
import json
import os
import socket
import ssl
import subprocess
import sys

DIR = sys.argv[1]
INDEX = json.load(open(os.path.join(DIR, "gallery.json")))


def path(p):
    return os.path.join(DIR, p)


def request(sni):
    return f"GET /info HTTP/1.1\r\nHost: {sni}\r\nConnection: close\r\n\r\n".encode()


def openssl(case):
    args = ["openssl", "s_client", "-connect", case["connect"], "-servername", case["sni"],
            "-verify_hostname", case["sni"], "-verify_return_error", "-CAfile", path(INDEX["ca"]),
            "-ign_eof"]
    if case["crl"]:
        args += ["-crl_check", "-CRL", path(case["crl"])]
    if case["client_cert"]:
        args += ["-cert", path(case["client_cert"]), "-key", path(case["client_key"])]
    p = subprocess.run(args, input=request(case["sni"]), capture_output=True, timeout=60)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    ok = "HTTP/1.1 200" in out
    said = next((l.strip() for l in (out + err).splitlines() if "verify error" in l or "alert" in l), "")
    return ("accept" if ok else "reject"), said or ("HTTP 200" if ok else err.strip()[-200:])


def python(case):
    ctx = ssl.create_default_context(cafile=path(INDEX["ca"]))
    if case["crl"]:
        ctx.load_verify_locations(cafile=path(case["crl"]))
        ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    if case["client_cert"]:
        ctx.load_cert_chain(path(case["client_cert"]), path(case["client_key"]))
    host, port = case["connect"].rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=60) as raw:
            with ctx.wrap_socket(raw, server_hostname=case["sni"]) as s:
                s.sendall(request(case["sni"]))
                data = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
        ok = data.startswith(b"HTTP/1.1 200")
        return ("accept" if ok else "reject"), data[:60].decode("utf-8", "replace")
    except (ssl.SSLError, ssl.CertificateError, ConnectionError, OSError) as e:
        return "reject", f"{type(e).__name__}: {e}"


result = {}
for case in INDEX["cases"]:
    o, o_said = openssl(case)
    p, p_said = python(case)
    result[case["name"]] = {"openssl": o, "python": p, "openssl_said": o_said, "python_said": p_said}
print(json.dumps(result, indent=1))
