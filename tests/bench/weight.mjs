// Section 4 of the benchmarks: page weight (every file the page loads, raw and gzip -9: the
// page's own files, and the engine's that only its workers run, fetched beside them) and the
// time from navigation to the editor on screen and to ready (the Generate button on screen and
// the generation worker loaded), on the page's clock, for the Trunk build over http://127.0.0.1
// and the single file from file://.
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { RUNS, stats, save, loadavg } from "./lib.mjs";
import { DIST, openBrowser } from "./page.mjs";
import { plainName } from "../web/serve.mjs";

const loadBefore = loadavg();
const size = (f) => {
  const b = readFileSync(join(DIST, f));
  // The table names each file by its plain name (web/tools/hash-names.mjs adds a content hash).
  return { file: plainName(f), raw: b.length, gzip: gzipSync(b, { level: 9 }).length };
};
const b = await openBrowser();

// What the Trunk build actually loads: every response of a fresh page load, until the worker is up.
const loaded = new Set();
{
  const page = await b.browser.newPage();
  page.on("response", (r) => { const u = new URL(r.url()); if (u.origin === b.origin) loaded.add(u.pathname.replace(/^\//, "") || "index.html"); });
  await page.goto(`${b.origin}/`);
  await page.waitForSelector("#generate");
  await page.waitForLoadState("networkidle");
  await page.close();
}
// The engine's files: its module and glue, and the workers' bootstrap (web/src/engine.rs).
const ENGINE = new Set(["engine.js", "engine_bg.wasm", "worker.js"]);
const files = [...loaded].map(size).sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : 0)).map((f) => ({ ...f, part: ENGINE.has(f.file) ? "engine" : "page" }));
const sum = (list) => list.reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip }), { raw: 0, gzip: 0 });
const total = sum(files);
const page = sum(files.filter((f) => f.part === "page"));
const engine = sum(files.filter((f) => f.part === "engine"));
const unused = readdirSync(DIST).filter((f) => !loaded.has(f) && f !== "certlab.html").map(plainName);
const single = size("certlab.html");

// Editor = the Generate button on screen (the page's module has rendered: the spec can be
// edited and is validated). Ready = that, and the generation worker has said it is ready (the
// page then makes no request). Both on the page's own clock (navigation start = 0), taken by
// an observer installed before the page's scripts run (addInitScript) and reported in one
// console message: besides that observer's callbacks, the harness runs nothing in the page
// while it loads. (Until 2026-12-03 ready
// was timed from here around page.goto and a waitForFunction polled on every frame; that
// script and its polling ran on the page's thread in the window being measured, and the
// figure included the wait for the load event and the round trip to this process: about 40 ms
// more on the same build, see tried.md.)
const observe = () => {
  const now = () => Math.round(performance.now());
  let editor;
  new MutationObserver((_, o) => {
    if (editor === undefined && document.querySelector("#generate")) editor = now();
    if (editor !== undefined && document.documentElement.dataset.worker === "ready") {
      o.disconnect();
      console.log(`certlab-startup ${editor} ${now()}`);
    }
  }).observe(document, { subtree: true, childList: true, attributes: true });
};
async function ready(url) {
  const p = await b.browser.newPage();
  await p.addInitScript(observe);
  const said = p.waitForEvent("console", { predicate: (m) => m.text().startsWith("certlab-startup "), timeout: 60_000 });
  await p.goto(url, { waitUntil: "commit" });
  const [editor, ready] = (await said).text().split(" ").slice(1).map(Number);
  await p.close();
  return { editor, ready };
}
const trunk = [], file = [];
await ready(`${b.origin}/`); // warm the disk cache alike for both
for (let i = 0; i < RUNS; i++) {
  trunk.push(await ready(`${b.origin}/`));
  file.push(await ready(`file://${join(DIST, "certlab.html")}`));
}
await b.close();
const of = (list, k) => stats(list.map((t) => Math.round(t[k])));
const startup = { trunk: of(trunk, "ready"), single_file: of(file, "ready"), trunk_editor: of(trunk, "editor"), single_file_editor: of(file, "editor") };
save("weight", { load_before: loadBefore, files, total, page, engine, unused, single, startup });
console.log(`page ${page.gzip} B gzip (+ engine ${engine.gzip} B); editor ${startup.trunk_editor.median} ms, ready ${startup.trunk.median} ms / ${startup.single_file.median} ms`);
