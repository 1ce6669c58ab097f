// A tiny static file server on loopback for the browser tests (ephemeral port).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join, extname, normalize } from "node:path";
import { plainName } from "../../web/tools/hashed-name.mjs";

// web/tools/hash-names.mjs puts a content hash in most built names (`app.<16 hex>.js`); the
// tests speak of `app.js`.
export { plainName, hashOf } from "../../web/tools/hashed-name.mjs";

/** The path in the build `dir` of the file whose plain name is `name` (app.js → app.<hash>.js). */
export function builtPath(dir, name) {
  const plain = join(dir, name);
  if (existsSync(plain)) return plain;
  const found = readdirSync(dirname(plain)).find((f) => plainName(f) === basename(name));
  if (!found) throw new Error(`${name} is not in ${dir} (under any hashed name): build the page first`);
  return join(dirname(plain), found);
}

const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".json": "application/json", ".webmanifest": "application/manifest+json", ".png": "image/png" };

// `dir` is a folder, or a function returning one per request (a test swaps builds under one
// origin, as a redeploy does). `before(name)`, if given, is awaited before each response with
// the file's plain name (`engine_bg.wasm`, whatever its hash; `index.html` for "/") (a
// test records requests, or holds one back); if it gives `{ status }`, that HTTP status is
// the answer, with no body (a test makes a request fail).
export function serveDir(dir, before) {
  const server = createServer(async (req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    if (path.endsWith("/")) path += "index.html";
    const answer = await before?.(plainName(path.replace(/^\/+/, "")));
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
