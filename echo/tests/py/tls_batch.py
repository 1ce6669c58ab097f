#!/usr/bin/env python3
"""Many TLS connections in one process, with Python's `ssl` (echo/tests/shapes: the kit matrix).

Reads a JSON list of cases from the file named on the command line; each case is
  {"id": "...", "port": 12345, "ca": "ca.crt", "cert": "x.fullchain.pem" | null, "key": "x.key" | null}
and connects to 127.0.0.1:PORT with SNI and host name `localhost`, trusting only CA
(`ssl.create_default_context`: CERT_REQUIRED, host name checked), presenting CERT/KEY if given,
sends `GET /info` and reads certlab-echo's JSON answer. Prints one JSON list with, per case:
  {"id": ..., "ok": true|false, "tls_version": ..., "info": {...} | null, "error": "..." | null}
A refused client certificate surfaces in TLS 1.3 only after the handshake, as an error while
reading: that is `ok: false` with the error text. Never a traceback: every failure is data.
"""
import json
import socket
import ssl
import sys


def one(case, timeout):
    result = {"id": case["id"], "ok": False, "tls_version": None, "info": None, "error": None}
    try:
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=case["ca"])
        if case.get("cert"):
            ctx.load_cert_chain(case["cert"], case["key"])
        with socket.create_connection(("127.0.0.1", case["port"]), timeout=timeout) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                result["tls_version"] = tls.version()
                tls.sendall(b"GET /info HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                data = b""
                while True:
                    chunk = tls.recv(65536)
                    if not chunk:
                        break
                    data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(f"unexpected answer: {head[:80]!r}")
        result["info"] = json.loads(body)
        result["ok"] = True
    except Exception as e:  # reported as data, the Rust test asserts on it
        result["error"] = f"{type(e).__name__}: {e}"
    return result


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
    print(json.dumps([one(c, timeout) for c in cases]))


if __name__ == "__main__":
    main()
