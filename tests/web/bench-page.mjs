// Page benchmark (run by scripts/bench, not by the tests): page weight, time from navigation
// to ready, and kit generation time per key type in Debian's headless Chromium. Writes its
// section of BENCHMARKS.md between the page markers.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serveDir, CHROMIUM } from "./serve.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dist = join(root, "dist");
const RUNS = 7;
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1], n: s.length };
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const ms = (x) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);

// 1. Weight.
const files = ["index.html", "boot.js", "style.css", "app.js", "app_bg.wasm", "worker_loader.js", "worker.js", "worker_bg.wasm"];
const weight = files.map((f) => {
  const b = readFileSync(join(dist, f));
  return { f, raw: b.length, gz: gzipSync(b, { level: 9 }).length };
});
const total = weight.reduce((a, w) => ({ raw: a.raw + w.raw, gz: a.gz + w.gz }), { raw: 0, gz: 0 });
const single = readFileSync(join(dist, "certlab.html"));

// 2. Start-up and 3. generation.
const { server, origin } = await serveDir(dist);
const browser = await chromium.launch(CHROMIUM);
async function ready(url) {
  const page = await browser.newPage();
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForSelector("#generate");
  const t = Date.now() - t0;
  await page.close();
  return t;
}
const startTrunk = [];
const startFile = [];
for (let i = 0; i < RUNS; i++) {
  startTrunk.push(await ready(`${origin}/`));
  startFile.push(await ready(`file://${join(dist, "certlab.html")}`));
}
const keys = ["ecdsa-p256", "ecdsa-p384", "ed25519", "rsa2048", "rsa3072", "rsa4096"];
const gen = {};
for (const key of keys) {
  const page = await browser.newPage();
  await page.goto(`${origin}/`);
  await page.click("[data-preset=mtls]");
  for (const sel of ["root.key", "servers[0].key", "clients[0].key", "clients[1].key"]) {
    await page.selectOption(`select[name='${sel}']`, key);
  }
  await page.waitForLoadState("networkidle");
  const times = [];
  const runs = key.startsWith("rsa") ? 5 : RUNS;
  for (let i = 0; i < runs; i++) {
    const t0 = Date.now();
    await page.click("#generate");
    await page.waitForFunction(() => document.querySelector(".summary") && !document.getElementById("progress"), null, { timeout: 300_000 });
    times.push(Date.now() - t0);
    await page.click("[data-preset=dev]");
    await page.click("[data-preset=mtls]");
    for (const sel of ["root.key", "servers[0].key", "clients[0].key", "clients[1].key"]) {
      await page.selectOption(`select[name='${sel}']`, key);
    }
  }
  gen[key] = stats(times);
  await page.close();
}
await browser.close();
server.close();

const lines = [];
lines.push("<!-- page:begin -->", "## The page (Trunk release build, headless Chromium)", "");
lines.push("| file | raw | gzip -9 |", "| --- | ---: | ---: |");
for (const w of weight) lines.push(`| ${w.f} | ${kb(w.raw)} | ${kb(w.gz)} |`);
lines.push(`| **all** | **${kb(total.raw)}** | **${kb(total.gz)}** |`);
lines.push(`| certlab.html (single file) | ${kb(single.length)} | ${kb(gzipSync(single, { level: 9 }).length)} |`, "");
lines.push(`Target ≤ 400 KB gzipped in all: ${total.gz <= 400 * 1024 ? "met" : "**missed**"} (${kb(total.gz)}). The worker carries the whole engine; the page carries it again for live validation, lint and inspection.`, "");
const st = (name, s) => `| ${name} | ${ms(s.median)} | ${ms(s.min)} | ${ms(s.max)} | ${s.n} |`;
lines.push("| navigation → ready (Generate visible) | median | min | max | runs |", "| --- | ---: | ---: | ---: | ---: |");
lines.push(st("Trunk build over http://127.0.0.1", stats(startTrunk)), st("single file from file://", stats(startFile)), "");
lines.push("Kit generation in the page (mtls preset: root, server, alice, bob, both .p12 each, zip), click → results shown, worker already loaded; RSA keys from WebCrypto:", "");
lines.push("| key type | median | min | max | runs |", "| --- | ---: | ---: | ---: | ---: |");
for (const k of keys) lines.push(st(k, gen[k]));
lines.push("", `Measured ${new Date().toISOString().slice(0, 16)}Z on this machine (${process.env.BENCH_NOTE ?? "see the load note above"}).`, "<!-- page:end -->");
const section = lines.join("\n") + "\n";

const bm = join(root, "BENCHMARKS.md");
const old = existsSync(bm) ? readFileSync(bm, "utf8") : "# Benchmarks\n";
const re = /<!-- page:begin -->[\s\S]*<!-- page:end -->\n?/;
writeFileSync(bm, re.test(old) ? old.replace(re, section) : `${old.trimEnd()}\n\n${section}`);
console.log(section);
