// Trunk post-build step (run by web/tools/post-build.mjs after single-file.mjs, which reads the
// plain names, and before service-worker.mjs, which lists the final ones): give every file the
// page loads a name with its content hash (app.js → app.<16 hex>.js), and rewrite the names in
// the files that refer to them. A browser's HTTP cache then never mixes two builds: a new
// index.html names only new files, and a page served over plain http on a LAN (no service
// worker there: not a secure context) cannot pair a cached worker.js of the last build with
// this build's engine-boot.js. Trunk's own `filehash` is off (Trunk.toml): it would not reach
// the names inside worker.js and engine-boot.js, which Trunk only copies.
//
// Kept as they are: index.html (the address users open), sw.js (a service worker's address
// must not change, or the browser could not find its update), manifest.webmanifest (an
// installed app is known by its manifest's address) and the icons it names.
//
// The order matters: a file is hashed after the names inside it are rewritten, so its hash
// covers them (worker.js names engine.js and engine_bg.wasm; engine-boot.js names worker.js).
// app.js and engine.js are not rewritten: index.html pins app.js with Subresource Integrity,
// and both are only ever given their module's address by the page (module_or_path).
import { createHash } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashedName } from "./hashed-name.mjs";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error("TRUNK_STAGING_DIR is not set (run from a Trunk hook, or set it to a built dist/)");

/** Each file to rename, in order, with the files whose names it holds (renamed before it). */
const ORDER = [
  ["engine_bg.wasm", []],
  ["engine.js", []],
  ["worker.js", ["engine.js", "engine_bg.wasm"]],
  ["engine-boot.js", ["worker.js", "engine_bg.wasm"]],
  ["app_bg.wasm", []],
  ["app.js", []],
  ["boot.js", ["app.js", "app_bg.wasm"]],
  ["style.css", []],
  ["pwa.js", []],
];

const renamed = new Map();

/** Replaces each quoted or path-ending reference to `from` (`"./x.js"`, `'/x.js'`, `"x.js"`). */
function rewrite(text, from, to, where) {
  const re = new RegExp(`(["'/])${from.replace(/[.]/g, "\\.")}(?=["'?#])`, "g");
  let count = 0;
  const out = text.replace(re, (_, lead) => {
    count += 1;
    return lead + to;
  });
  if (count === 0) throw new Error(`hash-names.mjs: ${where} does not name ${from} (the build changed: update ORDER)`);
  return out;
}

for (const [name, refs] of ORDER) {
  const path = join(dir, name);
  let body = readFileSync(path);
  if (refs.length > 0) {
    let text = body.toString("utf8");
    for (const ref of refs) text = rewrite(text, ref, renamed.get(ref), name);
    body = Buffer.from(text, "utf8");
  }
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 16);
  const to = hashedName(name, hash);
  writeFileSync(path, body);
  renameSync(path, join(dir, to));
  renamed.set(name, to);
}

const index = join(dir, "index.html");
let html = readFileSync(index, "utf8");
// index.html names the page's files (scripts, style, preloads), not the engine's own.
for (const name of ["boot.js", "app.js", "app_bg.wasm", "engine-boot.js", "style.css", "pwa.js"]) {
  html = rewrite(html, name, renamed.get(name), "index.html");
}
writeFileSync(index, html);
