// A tiny static file server on loopback for the browser tests (ephemeral port).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join, extname, normalize } from "node:path";

const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".json": "application/json", ".webmanifest": "application/manifest+json", ".png": "image/png" };

// `dir` is a folder, or a function returning one per request (a test swaps builds under one
// origin, as a redeploy does). `before(path)`, if given, is awaited before each response (a
// test records requests, or holds one back); if it gives `{ status }`, that HTTP status is
// the answer, with no body (a test makes a request fail).
export function serveDir(dir, before) {
  const server = createServer(async (req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    if (path.endsWith("/")) path += "index.html";
    const answer = await before?.(path.replace(/^\/+/, ""));
    if (typeof answer?.status === "number") {
      res.writeHead(answer.status);
      res.end();
      return;
    }
    try {
      const body = await readFile(join(typeof dir === "function" ? dir() : dir, path));
      res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end("not found");
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok({ server, origin: `http://127.0.0.1:${server.address().port}` })));
}

export const CHROMIUM = {
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};
