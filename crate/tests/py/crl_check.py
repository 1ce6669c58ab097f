#!/usr/bin/env python3
"""Python's own ssl module (OpenSSL underneath, stdlib only) checking a certlab CRL, for
crate/tests/revocation.rs.

    crl_check.py KIT_DIR CLIENT_NAME...

Starts a TLS server on 127.0.0.1 (a free port) with the kit's server identity, requiring a
client certificate verified against the kit's root and its CRL (VERIFY_CRL_CHECK_LEAF). Then,
for each CLIENT_NAME, a client presenting CLIENT_NAME.crt/.key connects (also checking the
server against the root and the CRL) and sends a line. Prints one JSON object
{name: "accepted" | "refused: <server-side reason>"}; exits 1 if the harness itself fails.
"""
import json
import socket
import ssl
import sys
import threading
from pathlib import Path


def main() -> None:
    kit = Path(sys.argv[1])
    names = sys.argv[2:]
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(kit / "server.fullchain.pem", kit / "server.key")
    server_ctx.load_verify_locations(kit / "ca.crt")
    server_ctx.load_verify_locations(kit / "ca.crl")
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    server_ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    verdicts = {}

    def serve(count: int) -> None:
        for _ in range(count):
            raw, _ = listener.accept()
            raw.settimeout(60)
            try:
                with server_ctx.wrap_socket(raw, server_side=True) as tls:
                    peer = tls.getpeercert()
                    cn = dict(x[0] for x in peer["subject"])["commonName"]
                    tls.sendall(tls.recv(100))
                    verdicts.setdefault("_server", []).append(f"accepted {cn}")
            except (ssl.SSLError, OSError) as e:
                verdicts.setdefault("_server", []).append(f"refused: {e}")

    t = threading.Thread(target=serve, args=(len(names),), daemon=True)
    t.start()
    for name in names:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(kit / "ca.crt")
        ctx.load_verify_locations(kit / "ca.crl")
        ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
        ctx.load_cert_chain(kit / f"{name}.crt", kit / f"{name}.key")
        # TLS 1.2: the server's verdict on the client arrives within the handshake (with
        # TLS 1.3 the client learns it only at its first read).
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=60) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                    tls.sendall(b"hello\n")
                    echoed = tls.recv(100)
                    verdicts[name] = "accepted" if echoed == b"hello\n" else f"odd echo {echoed!r}"
        except (ssl.SSLError, OSError) as e:
            verdicts[name] = f"refused: {e}"
    t.join(timeout=120)
    print(json.dumps(verdicts))


if __name__ == "__main__":
    main()
