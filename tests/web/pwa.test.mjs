// The page as an installable app that works offline after one visit, in Debian's headless
// Chromium: the web app manifest (parsed by Chromium, icons of the declared sizes); one online
// visit, then the network cut for the context, reload, Generate, the zip checked by Python's
// zipfile and openssl, with zero failed requests; a new build (a changed file, so sw.js's
// cache name changes) shows "A new version is ready — reload" and reloading serves the new
// cache; no service worker from file://. The page is served on http://127.0.0.1 (a secure
// context). Timeouts are generous (2 busy cores); nothing waits on a clock.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serveDir, CHROMIUM, builtPath, plainName, hashOf } from "./serve.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dist = join(root, "dist");
const shots = join(root, "test-output", "web");
mkdirSync(shots, { recursive: true });
const MINUTES = 60_000;
let server, origin, browser;
let served = dist; // the build the server answers with (the update test swaps it)

before(async () => {
  for (const f of ["sw.js", "pwa.js", "manifest.webmanifest", "icons/icon-192.png"]) {
    try {
      readFileSync(builtPath(dist, f));
    } catch {
      throw new Error(`dist/${f} is missing: build the page first (source scripts/setup.sh; build_page)`);
    }
  }
  ({ server, origin } = await serveDir(() => served));
  browser = await chromium.launch(CHROMIUM);
});
after(async () => {
  await browser?.close();
  server?.close();
});

/** The cache name sw.js uses ("certlab-" + a hash of the build's files). */
const cacheOf = (dir) => readFileSync(join(dir, "sw.js"), "utf8").match(/const CACHE = "(certlab-[0-9a-f]{16})";/)[1];

/** A fresh context and page; failed requests (page, its workers, the service worker) recorded. */
async function newPage() {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  const failed = [];
  const errors = [];
  context.on("requestfailed", (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on("pageerror", (e) => errors.push(String(e)));
  return { context, page, failed, errors };
}

/** Visits the page and waits until its service worker is active and controls it. */
async function visitUntilControlled(page) {
  await page.goto(`${origin}/`);
  await page.waitForSelector("#generate");
  const controller = await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((ok) => navigator.serviceWorker.addEventListener("controllerchange", ok, { once: true }));
    }
    return navigator.serviceWorker.controller.scriptURL;
  });
  assert.equal(controller, `${origin}/sw.js`);
}

const cacheState = (page) =>
  page.evaluate(async () => {
    const names = await caches.keys();
    const files = {};
    for (const n of names) files[n] = (await (await caches.open(n)).keys()).map((r) => new URL(r.url).pathname).sort();
    return { names, files };
  });

/** PNG width and height from the IHDR chunk (bytes 16..24). */
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "not a PNG");
  assert.equal(bytes.subarray(12, 16).toString("latin1"), "IHDR");
  return `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`;
}

test("the web app manifest: linked, allowed by the CSP, parsed by Chromium, icons of the declared sizes", async () => {
  const html = await (await fetch(`${origin}/`)).text();
  assert.match(html, /<link rel="manifest" href="\.\/manifest\.webmanifest">/);
  const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]*)"/)[1];
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval';/, "the CSP must stay strict");
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.match(csp, /manifest-src 'self'/);
  const res = await fetch(`${origin}/manifest.webmanifest`);
  assert.equal(res.headers.get("content-type"), "application/manifest+json");
  const m = JSON.parse(await res.text());
  for (const k of ["name", "short_name", "start_url", "scope", "theme_color", "background_color"]) {
    assert.equal(typeof m[k], "string", `manifest.${k}`);
  }
  assert.equal(m.display, "standalone");
  assert.match(m.theme_color, /^#[0-9a-f]{6}$/);
  const sizes = new Set();
  for (const icon of m.icons) {
    const r = await fetch(new URL(icon.src, `${origin}/manifest.webmanifest`));
    assert.equal(r.status, 200, icon.src);
    assert.equal(icon.type, "image/png");
    assert.equal(pngSize(Buffer.from(await r.arrayBuffer())), icon.sizes, `${icon.src} is not ${icon.sizes}`);
    sizes.add(`${icon.sizes} ${icon.purpose}`);
  }
  for (const s of ["192x192 any", "512x512 any", "512x512 maskable"]) assert.ok(sizes.has(s), `no ${s} icon`);

  // Chromium's own reading: the manifest parses without errors and the page is installable (in
  // a profile on disk: Chromium never offers to install from an incognito-like context).
  const profile = mkdtempSync(join(tmpdir(), "certlab-pwa-profile-"));
  const context = await chromium.launchPersistentContext(profile, { ...CHROMIUM, viewport: { width: 1280, height: 1000 } });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await visitUntilControlled(page);
    const cdp = await context.newCDPSession(page);
    const got = await cdp.send("Page.getAppManifest");
    assert.equal(got.url, `${origin}/manifest.webmanifest`);
    assert.deepEqual(got.errors, []);
    const installable = await cdp.send("Page.getInstallabilityErrors");
    assert.deepEqual(installable.installabilityErrors, [], "Chromium would not offer to install the page");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("offline after one visit: network cut, reload, Generate, a zip that Python and openssl accept, no failed request", { timeout: 10 * MINUTES }, async () => {
  const { context, page, failed, errors } = await newPage();
  await visitUntilControlled(page);
  // Every file of the build is precached, in the cache named by this build's sw.js.
  const sw = readFileSync(join(dist, "sw.js"), "utf8");
  const files = JSON.parse(sw.match(/const FILES = (\[.*\]);/)[1]);
  const plain = files.map(plainName);
  for (const f of ["index.html", "boot.js", "app.js", "app_bg.wasm", "engine-boot.js", "engine.js", "engine_bg.wasm", "worker.js", "style.css", "pwa.js", "manifest.webmanifest", "icons/maskable-512.png"]) {
    assert.ok(plain.includes(f), `sw.js does not precache ${f}`);
  }
  const state = await cacheState(page);
  assert.deepEqual(state.names, [cacheOf(dist)]);
  assert.deepEqual(state.files[cacheOf(dist)], files.map((f) => `/${f}`).sort());

  await context.setOffline(true);
  const responses = [];
  page.on("response", (r) => responses.push(r));
  await page.reload();
  await page.waitForSelector("#generate", { timeout: 2 * MINUTES });
  const urls = responses.map((r) => plainName(new URL(r.url()).pathname));
  for (const f of ["/", "/boot.js", "/engine-boot.js", "/app.js", "/app_bg.wasm", "/style.css"]) assert.ok(urls.includes(f), `${f} was not loaded: ${urls}`);
  for (const r of responses) assert.ok(r.fromServiceWorker(), `${r.url()} did not come from the service worker`);

  await page.click("[data-preset=dev]");
  await page.click("#generate");
  await page.waitForSelector("#results", { timeout: 5 * MINUTES });
  await page.screenshot({ path: join(shots, "pwa-offline.png"), fullPage: true });
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-zip")]);
  const dir = mkdtempSync(join(tmpdir(), "certlab-pwa-"));
  await download.saveAs(join(dir, "kit.zip"));
  execFileSync("python3", ["-m", "zipfile", "-t", "kit.zip"], { cwd: dir });
  execFileSync("python3", ["-m", "zipfile", "-e", "kit.zip", "."], { cwd: dir });
  const kit = join(dir, "certlab-kit");
  const subject = execFileSync("openssl", ["x509", "-noout", "-subject", "-in", "ca.crt"], { cwd: kit, encoding: "utf8" });
  assert.match(subject, /^subject=/);
  const ok = execFileSync("openssl", ["verify", "-purpose", "sslserver", "-CAfile", "ca.crt", "server.crt"], { cwd: kit, encoding: "utf8" });
  assert.equal(ok.trim(), "server.crt: OK");
  assert.deepEqual(failed, [], "requests failed while offline");
  assert.deepEqual(errors, []);

  // The network really is cut, and a request that is not one of the page's files is left to it
  // (not answered from the cache): it fails.
  const other = await page.evaluate(() => fetch("/not-part-of-the-build.txt").then((r) => `status ${r.status}`, (e) => `failed: ${e.name}`));
  assert.equal(other, "failed: TypeError");
  await context.close();
});

test("a new build: 'A new version is ready — reload' appears, and reloading serves the new cache", { timeout: 10 * MINUTES }, async () => {
  served = dist;
  const { context, page, errors } = await newPage();
  try {
    await visitUntilControlled(page);
    assert.equal(await page.locator("#update-ready").count(), 0, "no update notice on the first visit");
    // Not one of the page's files: passed to the server untouched (its 404), not from the worker.
    const [nope] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/nope.txt")), page.evaluate(() => fetch("/nope.txt"))]);
    assert.equal(nope.status(), 404);
    assert.equal(nope.fromServiceWorker(), false);

    // The next build: one file changed (index.html: the others carry Trunk's integrity hashes
    // in it), sw.js remade by the same post-build step.
    const next = mkdtempSync(join(tmpdir(), "certlab-pwa-next-"));
    cpSync(dist, next, { recursive: true });
    const index = readFileSync(join(next, "index.html"), "utf8");
    writeFileSync(join(next, "index.html"), index.replace("<title>certlab — ", "<title>certlab next — "));
    execFileSync("node", [join(root, "web", "tools", "service-worker.mjs")], { env: { ...process.env, TRUNK_STAGING_DIR: next } });
    const [oldCache, newCache] = [cacheOf(dist), cacheOf(next)];
    assert.notEqual(oldCache, newCache, "a changed file must change the cache name");
    served = next;

    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
    const notice = page.locator("#update-ready");
    await notice.waitFor({ timeout: 5 * MINUTES });
    assert.equal(await notice.textContent(), "A new version is ready — reload");
    await page.screenshot({ path: join(shots, "pwa-update-ready.png") });
    // Still the old version until the user chooses.
    assert.doesNotMatch(await page.evaluate(() => fetch("./").then((r) => r.text())), /certlab next/);

    await Promise.all([page.waitForEvent("load", { timeout: 5 * MINUTES }), page.click("#update-reload")]);
    await page.waitForSelector("#generate");
    assert.equal(await page.locator("#update-ready").count(), 0);
    const state = await cacheState(page);
    assert.deepEqual(state.names, [newCache], "the old cache must be deleted on activate");
    assert.match(await page.title(), /^certlab next — /);
    const css = await page.evaluate(() => [...document.styleSheets].some((s) => [...s.cssRules].some((r) => r.cssText.includes("update-ready"))));
    assert.ok(css, "the reloaded page lost its stylesheet");
    assert.deepEqual(errors, []);
  } finally {
    served = dist;
    await context.close();
  }
});

test("no service worker from file://: certlab.html has none, and index.html there registers none", async () => {
  const single = readFileSync(join(dist, "certlab.html"), "utf8");
  for (const re of [/navigator\.serviceWorker/, /"\.\/sw\.js"/, /<script src="\.\/pwa\.js"/, /rel="manifest"/]) {
    assert.ok(!re.test(single), `certlab.html must not contain ${re}`);
  }
  const sw = readFileSync(join(dist, "sw.js"), "utf8");
  assert.doesNotMatch(sw, /certlab\.html/, "the single-file build is not precached");
  const { context, page } = await newPage();
  for (const f of ["certlab.html", "index.html"]) {
    await page.goto(`file://${join(dist, f)}`);
    await page.waitForLoadState("load");
    const sw = await page.evaluate(async () => ({
      controller: navigator.serviceWorker?.controller ?? null,
      registrations: navigator.serviceWorker ? (await navigator.serviceWorker.getRegistrations().catch(() => [])).length : 0,
    }));
    assert.deepEqual(sw, { controller: null, registrations: 0 }, f);
  }
  await context.close();
});

test("the build's files are named by their content, and every name the page's scripts use is one of them", () => {
  // web/tools/hash-names.mjs: a browser's HTTP cache can never pair two builds' files (a page
  // served over plain http on a LAN has no service worker to keep them together).
  const KEPT = new Set(["index.html", "sw.js", "certlab.html", "manifest.webmanifest"]);
  const names = readdirSync(dist).filter((f) => /\.(js|wasm|css)$/.test(f) && !KEPT.has(f));
  for (const f of ["app.js", "app_bg.wasm", "boot.js", "engine-boot.js", "engine.js", "engine_bg.wasm", "worker.js", "style.css", "pwa.js"]) {
    assert.equal(names.filter((n) => plainName(n) === f).length, 1, `one ${f} under a hashed name: ${names}`);
  }
  for (const name of names) {
    const hash = hashOf(name);
    assert.ok(hash, `${name} has no content hash in its name`);
    assert.equal(createHash("sha256").update(readFileSync(join(dist, name))).digest("hex").slice(0, 16), hash, `${name}: its hash is not its content's`);
  }
  // Each reference in the files that name others resolves to a file of this build.
  const refs = (file) => [...readFileSync(join(dist, file), "utf8").matchAll(/["'/]((?:app|boot|engine-boot|engine|engine_bg|app_bg|worker|style|pwa)(?:\.[0-9a-f]{16})?\.(?:js|wasm|css))["'?#]/g)].map((m) => m[1]);
  const expected = {
    "index.html": ["boot.js", "app.js", "app_bg.wasm", "engine-boot.js", "style.css", "pwa.js"],
    "boot.js": ["app.js", "app_bg.wasm"],
    "engine-boot.js": ["worker.js", "engine_bg.wasm"],
    "worker.js": ["engine.js", "engine_bg.wasm"],
  };
  for (const [plain, want] of Object.entries(expected)) {
    const file = plain === "index.html" ? plain : names.find((n) => plainName(n) === plain);
    const found = refs(file);
    for (const ref of found) assert.ok(names.includes(ref), `${file} names ${ref}, which is not a file of this build`);
    assert.deepEqual([...new Set(found.map(plainName))].sort(), [...want].sort(), `what ${file} names`);
  }
});
