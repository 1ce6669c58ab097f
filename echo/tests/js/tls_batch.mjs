// Many TLS connections in one node process, with node's `tls` and `https` (echo/tests/shapes:
// the kit matrix). Reads a JSON list of cases from the file named on the command line; each is
//   {"id": "...", "port": 12345, "ca": "ca.crt", "cert": "x.fullchain.pem" | null, "key": "x.key" | null}
// and, for each, connects to 127.0.0.1:PORT with SNI `localhost`, trusting only CA (node's
// default verification: chain and host name), presenting CERT (with its issuers) and KEY if
// given, and asks certlab-echo for `GET /info` twice: over `tls.connect` (a raw HTTP request)
// and with `https.get` (a fresh agent each time). Prints one JSON list, per case and way:
//   {"id": ..., "via": "tls" | "https", "ok": bool, "tls_version": ..., "info": {...} | null, "error": ...}
import { readFileSync } from "node:fs";
import https from "node:https";
import tls from "node:tls";

const TIMEOUT_MS = Number(process.argv[3] ?? 30_000);

function options(c) {
  const o = { host: "127.0.0.1", port: c.port, servername: "localhost", ca: readFileSync(c.ca) };
  if (c.cert) {
    o.cert = readFileSync(c.cert);
    o.key = readFileSync(c.key);
  }
  return o;
}

function settle(c, via, resolve) {
  return (error, version, body) => {
    const r = { id: c.id, via, ok: false, tls_version: version ?? null, info: null, error: null };
    if (error) r.error = String(error.code ?? "") + " " + String(error.message ?? error);
    else {
      try {
        r.info = JSON.parse(body);
        r.ok = true;
      } catch (e) {
        r.error = `no JSON in the answer: ${e.message}: ${body.slice(0, 200)}`;
      }
    }
    resolve(r);
  };
}

function viaTls(c) {
  return new Promise((resolve) => {
    const done = settle(c, "tls", resolve);
    let data = "";
    let version = null;
    const sock = tls.connect(options(c), () => {
      version = sock.getProtocol();
      sock.write("GET /info HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    });
    sock.setTimeout(TIMEOUT_MS, () => sock.destroy(new Error("timeout")));
    sock.setEncoding("utf8");
    sock.on("data", (d) => (data += d));
    sock.on("error", (e) => done(e, version));
    sock.on("end", () => {
      const [head, ...rest] = data.split("\r\n\r\n");
      if (!head.startsWith("HTTP/1.1 200")) done(new Error(`unexpected answer: ${head.slice(0, 80)}`), version);
      else done(null, version, rest.join("\r\n\r\n"));
    });
  });
}

function viaHttps(c) {
  return new Promise((resolve) => {
    const done = settle(c, "https", resolve);
    const o = { ...options(c), path: "/info", agent: false, headers: { host: "localhost" }, timeout: TIMEOUT_MS };
    const req = https.get(o, (res) => {
      const version = res.socket.getProtocol();
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => (res.statusCode === 200 ? done(null, version, body) : done(new Error(`HTTP ${res.statusCode}`), version)));
      res.on("error", (e) => done(e, version));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e) => done(e));
  });
}

const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = [];
for (const c of cases) {
  results.push(await viaTls(c));
  results.push(await viaHttps(c));
}
process.stdout.write(JSON.stringify(results) + "\n");
