#!/usr/bin/env python3
"""An independent wss client for certlab-echo's tests: Python's `websockets` over `ssl`.

Verifies the server against the kit CA (and the host name given as --server-name), optionally
presents a client certificate, reads the greeting JSON, sends one text and one binary
message, checks both echoes, closes cleanly, and prints one JSON object:

  {"ok": true, "tls_version": "TLSv1.3", "cipher": "...", "greeting": {...},
   "text_echo": true, "binary_echo": true, "close_code": null, "error": null}

Exit status 0 only when everything succeeded.
"""
import argparse
import asyncio
import json
import os
import ssl
import sys

import websockets
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed


async def run(args, result):
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=args.ca)
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    if args.cert:
        ctx.load_cert_chain(args.cert, args.key)
    async with connect(
        args.url,
        ssl=ctx,
        server_hostname=args.server_name,
        open_timeout=args.timeout,
        close_timeout=args.timeout,
        max_size=None,
    ) as ws:
        tls = ws.transport.get_extra_info("ssl_object")
        result["tls_version"] = tls.version()
        result["cipher"] = tls.cipher()[0]
        result["alpn"] = tls.selected_alpn_protocol()
        greeting = await asyncio.wait_for(ws.recv(), args.timeout)
        result["greeting"] = json.loads(greeting)
        try:
            await ws.send(args.text)
            echo = await asyncio.wait_for(ws.recv(), args.timeout)
            result["text_echo"] = echo == args.text
            blob = os.urandom(args.binary_size)
            await ws.send(blob)
            echo = await asyncio.wait_for(ws.recv(), args.timeout)
            result["binary_echo"] = echo == blob
        except ConnectionClosed as e:
            result["close_code"] = e.rcvd.code if e.rcvd else None
            result["close_reason"] = e.rcvd.reason if e.rcvd else None
            raise


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("url")
    p.add_argument("--ca", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--server-name", default="localhost")
    p.add_argument("--text", default="hello from python websockets ☃")
    p.add_argument("--binary-size", type=int, default=70000)
    p.add_argument("--timeout", type=float, default=10.0)
    args = p.parse_args()
    result = {
        "ok": False,
        "websockets_version": websockets.__version__,
        "tls_version": None,
        "cipher": None,
        "greeting": None,
        "text_echo": False,
        "binary_echo": False,
        "close_code": None,
        "error": None,
    }
    try:
        asyncio.run(run(args, result))
        result["ok"] = bool(result["text_echo"] and result["binary_echo"])
    except Exception as e:  # report every failure as data, never a traceback
        result["error"] = f"{type(e).__name__}: {e}"
    print(json.dumps(result))
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
