// A plain ws:// echo server on loopback for the page's tester in tests/web (certlab-echo
// itself is exercised by tests/e2e): it greets like certlab-echo's --plain-listen (the
// certlab-wire greeting of a plain connection: no TLS facts, no client certificate) and
// echoes every text and binary frame. Node has no WebSocket server of its own; this is the
// RFC 6455 handshake and frames, enough for short messages.
import { createServer } from "node:http";
import { createHash } from "node:crypto";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

function frame(opcode, payload) {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]);
  return Buffer.concat([head, payload]);
}

/** The next whole client frame in `buf` as {opcode, payload, rest}, or null. */
function nextFrame(buf) {
  if (buf.length < 2) return null;
  let len = buf[1] & 0x7f;
  let at = 2;
  if (len === 126) {
    if (buf.length < 4) return null;
    len = buf.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    throw new Error("frames over 64 KiB are not supported here");
  }
  if (buf.length < at + 4 + len) return null;
  const mask = buf.subarray(at, at + 4);
  const payload = Buffer.from(buf.subarray(at + 4, at + 4 + len)).map((b, i) => b ^ mask[i % 4]);
  return { opcode: buf[0] & 0x0f, payload, rest: buf.subarray(at + 4 + len) };
}

/** Starts the server: {port, url, close()}. */
export function startWsEcho() {
  const server = createServer((_, res) => res.writeHead(404).end());
  const sockets = new Set();
  server.on("upgrade", (req, socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    const accept = createHash("sha1").update(req.headers["sec-websocket-key"] + GUID).digest("base64");
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    const greeting = { mode: "serve", listener: "default", remote_addr: `${socket.remoteAddress}:${socket.remotePort}`, tls_version: null, cipher_suite: null, alpn: null, sni: null, client_certificate: null, client_chain_len: 0, verdict: "no client certificate" };
    socket.write(frame(1, Buffer.from(JSON.stringify(greeting))));
    let buf = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (let f = nextFrame(buf); f; f = nextFrame(buf)) {
        buf = f.rest;
        if (f.opcode === 1 || f.opcode === 2) socket.write(frame(f.opcode, f.payload));
        if (f.opcode === 9) socket.write(frame(10, f.payload));
        if (f.opcode === 8) {
          socket.end(frame(8, f.payload));
          return;
        }
      }
    });
    socket.on("error", () => {});
  });
  return new Promise((ok) =>
    server.listen(0, "127.0.0.1", () => {
      const port = server.address().port;
      ok({
        port,
        url: `ws://127.0.0.1:${port}/`,
        close: () => {
          for (const s of sockets) s.destroy();
          server.close();
        },
      });
    }),
  );
}

/** A loopback port nothing listens on (taken, then released). */
export function closedPort() {
  const s = createServer();
  return new Promise((ok) => s.listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => ok(port));
  }));
}
