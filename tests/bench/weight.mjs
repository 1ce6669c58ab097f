// Section 4 of the benchmarks: page weight (every file the page loads, raw and gzip -9: the
// page's own files, and the engine's that only its workers run, fetched beside them) and the
// time from navigation to the editor on screen and to ready (the Generate button on screen and
// the generation worker loaded), for the Trunk build over http://127.0.0.1 and the single file
// from file://.
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { RUNS, stats, save, loadavg } from "./lib.mjs";
import { DIST, openBrowser } from "./page.mjs";

const loadBefore = loadavg();
const size = (f) => {
  const b = readFileSync(join(DIST, f));
  return { file: f, raw: b.length, gzip: gzipSync(b, { level: 9 }).length };
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
const files = [...loaded].sort().map((f) => ({ ...size(f), part: ENGINE.has(f) ? "engine" : "page" }));
const sum = (list) => list.reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip }), { raw: 0, gzip: 0 });
const total = sum(files);
const page = sum(files.filter((f) => f.part === "page"));
const engine = sum(files.filter((f) => f.part === "engine"));
const unused = readdirSync(DIST).filter((f) => !loaded.has(f) && f !== "certlab.html");
const single = size("certlab.html");

// Editor = the Generate button on screen (the page's module has rendered: the spec can be
// edited and is validated), on the page's own clock (navigation start = 0). Ready = that, and
// the generation worker has said it is ready (the page then makes no request), timed from here
// around the navigation as this section always has.
async function ready(url) {
  const p = await b.browser.newPage();
  const t0 = Date.now();
  await p.goto(url);
  await p.waitForFunction(() => {
    if (document.querySelector("#generate") && window.certlabEditorAt === undefined) window.certlabEditorAt = performance.now();
    return window.certlabEditorAt !== undefined && document.documentElement.dataset.worker === "ready";
  }, null, { timeout: 30_000, polling: "raf" });
  const ready = Date.now() - t0;
  const t = { editor: await p.evaluate(() => window.certlabEditorAt), ready };
  await p.close();
  return t;
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
