// The page's two wasm modules (issue 17 §3; web/src/engine.rs): the page's own files stay
// under 400 KB gzipped and are all the editor needs; the engine's module is fetched once, by
// the first worker, which web/engine-boot.js starts as the page is parsed; and when that
// worker is stopped before its module came back (Cancel before the engine arrived), the next
// worker and the tools worker still get the engine; and the service worker (web/pwa.js) is
// registered only once the page is ready, so its precaching never competes with start-up; and
// when the first worker's engine does not load (before or after Generate was pressed), the
// page fetches it again, gets ready and makes the kit.
// Served by a server that holds engine_bg.wasm until the test lets it go, so no step depends
// on the machine's speed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serveDir, CHROMIUM, builtPath, plainName } from "./serve.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dist = join(root, "dist");
const ENGINE = new Set(["engine.js", "engine_bg.wasm", "worker.js"]);

let server, origin, browser;
// engine_bg.wasm waits for this gate while it is closed; every request's path is recorded.
let gate = Promise.resolve();
let open = () => {};
const served = [];
const closeGate = () => { gate = new Promise((ok) => { open = ok; }); };
// The next request for engine_bg.wasm is answered 503 (the engine does not load), once the
// gate opens.
let failNextEngine = false;
/** Resolves once `check()` holds (polled; a generous deadline, nothing depends on speed). */
async function until(check, what) {
  for (const end = Date.now() + 60_000; !check(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

before(async () => {
  ({ server, origin } = await serveDir(dist, async (path) => {
    served.push(path);
    if (path === "engine_bg.wasm" && failNextEngine) {
      failNextEngine = false;
      await gate;
      return { status: 503 };
    }
    if (path === "engine_bg.wasm") await gate;
  }));
  browser = await chromium.launch(CHROMIUM);
});
after(async () => {
  open();
  await browser?.close();
  server?.close();
});

test("the page's own files are under 400 KB gzipped; the engine is fetched once, by a worker", async () => {
  served.length = 0;
  const ctx = await browser.newContext({ serviceWorkers: "block" });
  const page = await ctx.newPage();
  await page.goto(`${origin}/`);
  await page.waitForSelector("#generate");
  await page.waitForFunction(() => document.documentElement.dataset.worker === "ready", null, { timeout: 60_000 });
  await page.waitForFunction(() => document.documentElement.dataset.tools === "ready", null, { timeout: 60_000 });
  await page.waitForLoadState("networkidle");
  const pageFiles = [...new Set(served)].filter((f) => !ENGINE.has(f) && !f.startsWith("icons/") && f !== "manifest.webmanifest");
  for (const f of ["index.html", "boot.js", "engine-boot.js", "app.js", "app_bg.wasm", "style.css"]) assert.ok(pageFiles.includes(f), `${f} was not loaded: ${pageFiles}`);
  const gz = pageFiles.reduce((a, f) => a + gzipSync(readFileSync(builtPath(dist, f)), { level: 9 }).length, 0);
  assert.ok(gz <= 400 * 1024, `the page's own files are ${(gz / 1024).toFixed(1)} KB gzipped (${pageFiles}), over 400 KB`);
  // One fetch of the engine for both workers (the generation worker and the tools worker).
  assert.equal(served.filter((f) => f === "engine_bg.wasm").length, 1, `${served}`);
  // The page's module holds no engine: the benchmark's engine exports are the engine module's.
  assert.ok(!readFileSync(builtPath(dist, "app.js"), "utf8").includes("certlabRsaKey"));
  assert.ok(readFileSync(builtPath(dist, "engine.js"), "utf8").includes("certlabRsaKeyFallback"));
  await ctx.close();
});

test("the editor works before the engine arrives; Cancel then, and the next kit and the tools still work", async () => {
  closeGate();
  served.length = 0;
  const ctx = await browser.newContext({ serviceWorkers: "block" });
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${origin}/`);
  // The editor is on screen and validates while engine_bg.wasm is held back.
  await page.waitForSelector("#generate");
  await page.fill("input[name='servers[0].names']", "*.com");
  await page.waitForSelector("li.field-error[data-field='servers[0].names[0]']");
  await page.click("[data-preset=dev]");
  await page.waitForSelector("li.field-error", { state: "detached" });
  assert.equal(await page.evaluate(() => document.documentElement.dataset.worker), undefined);
  // Generate waits for the engine; Cancel stops the first worker before its module came.
  await page.click("#generate");
  await page.waitForSelector("#cancel");
  await page.click("#cancel");
  await page.waitForSelector("#cancelled");
  open();
  await page.click("#generate");
  await page.waitForSelector("#results", { timeout: 120_000 });
  assert.match(await page.textContent(".summary"), /identities/);
  // The first worker's fetch (held, then stopped with it) and the page's own, for the later
  // workers.
  assert.equal(served.filter((f) => f === "engine_bg.wasm").length, 2, `${served}`);
  // The tools worker got the engine too: it reads what it is given and names the problem.
  await page.click("#tools summary >> text=Inspect");
  await page.fill("textarea[name=inspect-text]", "not a certificate");
  await page.click("#inspect");
  await page.waitForSelector("#tools .run-error", { timeout: 60_000 });
  assert.match(await page.textContent("#tools .run-error"), /PEM|DER|certificate|recogn/i);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test("the service worker registers once the page is ready, not while the engine loads", async () => {
  closeGate();
  served.length = 0;
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${origin}/`);
  // The page's own files are in and the editor works; the engine is held back.
  await page.waitForSelector("#generate");
  await page.fill("input[name='servers[0].names']", "*.com");
  await page.waitForSelector("li.field-error[data-field='servers[0].names[0]']");
  await until(() => served.includes("engine_bg.wasm"), "the first worker's request for the engine");
  assert.ok(!served.includes("sw.js"), `sw.js was fetched before the page was ready: ${served}`);
  assert.equal(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length), 0);
  open();
  await page.waitForFunction(() => document.documentElement.dataset.worker === "ready", null, { timeout: 60_000 });
  // Active: its script was fetched and it has precached the build.
  await page.waitForFunction(async () => !!(await navigator.serviceWorker.ready).active, null, { timeout: 60_000 });
  assert.ok(served.includes("sw.js"), `${served}`);
  await ctx.close();
});

test("the first worker's engine does not load while the page waits: the page starts another worker and gets ready", async () => {
  closeGate();
  failNextEngine = true;
  served.length = 0;
  const ctx = await browser.newContext({ serviceWorkers: "block" });
  const page = await ctx.newPage();
  const said = [];
  page.on("console", (m) => said.push(m.text()));
  await page.goto(`${origin}/`);
  await page.waitForSelector("#generate");
  // The page takes the first worker in an effect that runs in a timer task after its first
  // render (yew yields at most once before its effects); let a few timer tasks pass so that
  // the failure comes after that.
  for (let i = 0; i < 3; i++) await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
  open();
  // No Generate: the page replaces the failed worker by itself, with the engine fetched again.
  await page.waitForFunction(() => document.documentElement.dataset.worker === "ready", null, { timeout: 60_000 });
  // It was the page's generation worker that failed (taken, waiting), not only engine-boot's.
  assert.ok(said.some((t) => t.startsWith("certlab: the generation worker failed")), said.join("\n"));
  assert.equal(served.filter((f) => f === "engine_bg.wasm").length, 2, `${served}`);
  await page.click("[data-preset=dev]");
  await page.click("#generate");
  await page.waitForSelector("#results", { timeout: 120_000 });
  assert.match(await page.textContent(".summary"), /identities/);
  await ctx.close();
});

test("the engine does not load after Generate was pressed: the page says so, and the next Generate makes the kit", async () => {
  closeGate();
  failNextEngine = true;
  served.length = 0;
  const ctx = await browser.newContext({ serviceWorkers: "block" });
  const page = await ctx.newPage();
  await page.goto(`${origin}/`);
  await page.waitForSelector("#generate");
  await page.click("[data-preset=dev]");
  // The run waits for the engine, which is held back, then answered 503.
  await page.click("#generate");
  await page.waitForSelector("#cancel");
  open();
  await page.waitForSelector("#run-error", { timeout: 60_000 });
  assert.match(await page.textContent("#run-error"), /engine did not load.*Press Generate again/s);
  // The page has started another worker (the engine fetched again) and is ready.
  await page.waitForFunction(() => document.documentElement.dataset.worker === "ready", null, { timeout: 60_000 });
  await page.click("#generate");
  await page.waitForSelector("#results", { timeout: 120_000 });
  assert.match(await page.textContent(".summary"), /identities/);
  assert.equal(served.filter((f) => f === "engine_bg.wasm").length, 2, `${served}`);
  await ctx.close();
});
