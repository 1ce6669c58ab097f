// Section 4 of the benchmarks: page weight (every file the page loads, raw and gzip -9) and
// the time from navigation to ready (the Generate button on screen and the generation worker
// loaded), for the Trunk build over http://127.0.0.1 and the single file from file://.
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
const files = [...loaded].sort().map(size);
const total = files.reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip }), { raw: 0, gzip: 0 });
const unused = readdirSync(DIST).filter((f) => !loaded.has(f) && f !== "certlab.html");
const single = size("certlab.html");

// Ready = Generate visible and the worker has said it is ready (the page then makes no request).
async function ready(url) {
  const page = await b.browser.newPage();
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForSelector("#generate");
  await page.waitForFunction(() => document.documentElement.dataset.worker === "ready", null, { timeout: 30_000 });
  const t = Date.now() - t0;
  await page.close();
  return t;
}
const trunk = [], file = [];
await ready(`${b.origin}/`); // warm the disk cache alike for both
for (let i = 0; i < RUNS; i++) {
  trunk.push(await ready(`${b.origin}/`));
  file.push(await ready(`file://${join(DIST, "certlab.html")}`));
}
await b.close();
save("weight", { load_before: loadBefore, files, total, unused, single, startup: { trunk: stats(trunk), single_file: stats(file) } });
console.log(`page weight ${total.gzip} B gzip; start-up ${stats(trunk).median} ms / ${stats(file).median} ms`);
