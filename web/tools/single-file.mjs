// Trunk post-build hook: fold the page into one self-contained certlab.html that works when
// opened from file:// (labs, USB sticks). Chromium refuses module scripts and .wasm fetches
// from origin `null`, so: the wasm module travels gzipped + base64 and is inflated with
// DecompressionStream; the page's glue is an inline classic script; the page's workers are classic
// workers from a blob: URL holding the engine's glue (Chromium will not load a module worker
// from a file:// page), and the page posts each the compiled engine module (web/src/engine.rs),
// as with web/worker.js in the Trunk build; the first one gets the engine's text instead and
// posts the compiled module back. The CSP allows exactly these inline blocks by hash.
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { join } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error("TRUNK_STAGING_DIR is not set (run from a Trunk hook)");
const read = (f) => readFileSync(join(dir, f));
// A module travels as base64 in a data: URL (certlabCompile below). Browsers cap a URL's length
// (Chromium at 2 MiB where a URL crosses processes; Firefox at network.url.max-length, 1 MiB by
// default): fail the build past 1 MiB rather than ship a file some browser cannot load.
const MAX_DATA_URL = 1024 * 1024;
const b64gz = (f) => {
  const b64 = gzipSync(read(f), { level: 9 }).toString("base64");
  if (b64.length + 64 > MAX_DATA_URL) {
    throw new Error(`single-file.mjs: ${f} is ${b64.length} characters of base64, too long for one data: URL (the limit here is ${MAX_DATA_URL}); split it into parts`);
  }
  return b64;
};
const sha = (s) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;

// wasm-bindgen's glue as a classic script: no `export`, no `import.meta` (the wasm never comes
// from a URL here: it is compiled from this file's text).
const classicGlue = (f) => {
  const glue = read(f).toString()
    .replace(/^export \{[^}]*\};?\s*$/m, "")
    .replace(/^export (function|class|const|let|async function) /gm, "$1 ")
    .replaceAll("import.meta.url", "self.location.href");
  if (/^\s*export\b|import\.meta/m.test(glue)) {
    throw new Error(`single-file.mjs: the wasm-bindgen glue (${f}) changed shape; cannot make a classic script of it`);
  }
  return glue;
};
const appGlue = classicGlue("app.js");
const workerGlue = classicGlue("engine.js");
const css = read("style.css").toString();

// Compiles a wasm module from base64 gzip text (the page and its workers each have this
// function). The browser decodes it (a data: URL), inflates it (DecompressionStream) and
// compiles it as the bytes come (compileStreaming), off the calling thread; decoding with
// atob and a loop over the characters took the page's thread about 80 ms for its own module.
const compile = `async function certlabCompile(b64) {
  const gz = await fetch("data:application/gzip;base64," + b64);
  const wasm = gz.body.pipeThrough(new DecompressionStream("gzip"));
  return WebAssembly.compileStreaming(new Response(wasm, { headers: { "content-type": "application/wasm" } }));
}`;
// A worker's first message is the compiled engine module, or the engine's text ({ gz }) for the
// first worker, which compiles it on its own thread and posts the module back.
const workerBoot = `${compile}
const certlabFail = (e) => setTimeout(() => { throw e; });
self.onmessage = (e) => {
  self.onmessage = null;
  const gz = e.data?.gz;
  const module = typeof gz === "string"
    ? certlabCompile(gz).then((m) => { self.postMessage(m); return m; })
    : Promise.resolve(e.data);
  module.then((m) => __wbg_init({ module_or_path: m })).catch(certlabFail);
};
`;

// Three classic scripts, each run as soon as the parser reaches it:
// - The first, small, starts the first worker while the parser still reads the rest. Chromium
//   sets a new worker up with tasks on the page's thread and delivers its first message only
//   after that; started once the whole file was parsed, the worker waited 60–180 ms for a
//   thread busy with the page's own module.
// - The second starts compiling the page's module (off this thread), then waits for the end of
//   the parse to start it: the parser reads the engine's text (two thirds of the file) while
//   the page's module compiles. Its glue is in a function, so that its names stay out of the
//   page's global scope.
// - The third posts the engine's text to the first worker (engine-boot.js).
const early = `${compile}
const certlabWorkerUrl = URL.createObjectURL(new Blob([${JSON.stringify(workerGlue + "\n" + workerBoot)}], { type: "text/javascript" }));
window.certlabEarlyWorker = { worker: null, failed: null };
try {
  certlabEarlyWorker.worker = new Worker(certlabWorkerUrl);
  certlabEarlyWorker.worker.addEventListener("error", (e) => { certlabEarlyWorker.failed = e; }, { once: true });
} catch (e) {
  certlabEarlyWorker.failed = e;
}
`;
const app = `(async () => {
${appGlue}
const module = certlabCompile("${b64gz("app_bg.wasm")}");
if (document.readyState === "loading") await new Promise((parsed) => document.addEventListener("DOMContentLoaded", parsed, { once: true }));
await __wbg_init({ module_or_path: await module });
})().catch((e) => console.error("certlab: the page's module did not start:", e));
`;
const engine = `const certlabEngineWasm = "${b64gz("engine_bg.wasm")}";
// engine.rs makes every later worker through this hook, then posts the module (engine-boot.js
// sets its own, for ./worker.js, only where none is set).
window.certlabMakeWorker = async () => new Worker(certlabWorkerUrl);
// engine-boot.js, as in the Trunk build, with this file's workers and module.
window.certlabSingleFile = {
  firstWorker: certlabEarlyWorker,
  firstMessage: { gz: certlabEngineWasm },
  compileHere: () => certlabCompile(certlabEngineWasm),
};
${read("engine-boot.js").toString()}
`;

const csp = [
  "default-src 'none'",
  `script-src ${sha(early)} ${sha(app)} ${sha(engine)} 'wasm-unsafe-eval'`,
  "worker-src blob:",
  `style-src ${sha(css)}`,
  "img-src data: blob:",
  // wss:/ws: + https: for the Test connection panel only (its WebSocket, and the https://
  // request to the same host:port that makes Chromium choose a client certificate); nothing
  // is requested until the user presses Connect. See index.html.
  "connect-src 'self' blob: data: wss: ws: https:",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>certlab — a private CA in one file</title>
<link rel="icon" href="data:,">
<script>${early}</script>
<style>${css}</style>
<script>${app}</script>
<script>${engine}</script>
</head>
<body></body>
</html>
`;
writeFileSync(join(dir, "certlab.html"), html);
