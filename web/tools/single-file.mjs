// Trunk post-build hook: fold the page into one self-contained certlab.html that works when
// opened from file:// (labs, USB sticks). Chromium refuses module scripts and .wasm fetches
// from origin `null`, so: the wasm module travels gzipped + base64 and is inflated with
// DecompressionStream; the page's glue is an inline module; the page's workers are classic
// workers from a blob: URL holding the engine's glue (Chromium will not load a module worker
// from a file:// page), and the page posts each the compiled engine module (web/src/engine.rs),
// as with web/worker.js in the Trunk build. The CSP allows exactly these inline blocks by hash.
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { join } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error("TRUNK_STAGING_DIR is not set (run from a Trunk hook)");
const read = (f) => readFileSync(join(dir, f));
const b64gz = (f) => gzipSync(read(f), { level: 9 }).toString("base64");
const sha = (s) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;

const noExportList = (f) => read(f).toString().replace(/^export \{[^}]*\};?\s*$/m, "");
const appGlue = noExportList("app.js");
// The engine's glue as a classic script for the workers: no `export`, no `import.meta` (the
// wasm never comes from a URL there: the page posts the compiled module).
const workerGlue = noExportList("engine.js")
  .replace(/^export (function|class|const|let|async function) /gm, "$1 ")
  .replaceAll("import.meta.url", "self.location.href");
if (/^\s*export\b|import\.meta/m.test(workerGlue)) {
  throw new Error("single-file.mjs: the wasm-bindgen glue changed shape; cannot make a classic worker of it");
}
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
// The first worker's blob starts with the engine's text (certlabFirstGz): it inflates and
// compiles the module on its own thread as soon as it runs, without waiting for a message (see
// web/worker.js), and posts it back. Every later worker gets the compiled module as its first
// message.
const workerBoot = `${compile}
const certlabFail = (e) => setTimeout(() => { throw e; });
async function certlabRun(module) {
  await __wbg_init({ module_or_path: module });
}
if (typeof certlabFirstGz === "string") {
  certlabCompile(certlabFirstGz).then((module) => {
    self.postMessage(module);
    return certlabRun(module);
  }).catch(certlabFail);
} else {
  self.onmessage = (e) => {
    self.onmessage = null;
    certlabRun(e.data).catch(certlabFail);
  };
}
`;
const data = `const certlabAppWasm = "${b64gz("app_bg.wasm")}";
const certlabEngineWasm = "${b64gz("engine_bg.wasm")}";
const certlabWorkerGlue = ${JSON.stringify(workerGlue + "\n" + workerBoot)};`;

const boot = `${appGlue}
${data}
${compile}
const certlabWorkerUrl = URL.createObjectURL(new Blob([certlabWorkerGlue], { type: "text/javascript" }));
// engine.rs asks for this hook before falling back to ./worker.js, then posts the module.
window.certlabMakeWorker = async () => new Worker(certlabWorkerUrl);
// engine-boot.js, as in the Trunk build, with this file's workers and module.
window.certlabSingleFile = {
  makeFirstWorker: () => {
    const url = URL.createObjectURL(new Blob(['const certlabFirstGz = "', certlabEngineWasm, '";\\n', certlabWorkerGlue], { type: "text/javascript" }));
    const worker = new Worker(url);
    // Its first message (the module, or its error) means it has read the blob.
    const revoke = () => URL.revokeObjectURL(url);
    worker.addEventListener("message", revoke, { once: true });
    worker.addEventListener("error", revoke, { once: true });
    return worker;
  },
  compileHere: () => certlabCompile(certlabEngineWasm),
};
${read("engine-boot.js").toString()}
await __wbg_init({ module_or_path: await certlabCompile(certlabAppWasm) });
`;

const csp = [
  "default-src 'none'",
  `script-src ${sha(boot)} 'wasm-unsafe-eval'`,
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
<style>${css}</style>
<script type="module">${boot}</script>
</head>
<body></body>
</html>
`;
writeFileSync(join(dir, "certlab.html"), html);
