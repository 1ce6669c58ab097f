// Section 2 of the benchmarks: RSA key generation in the page, in one Chromium page:
// - certlab: the page's own path, exported by the engine's wasm as `certlabRsaKey(bits)`
//   (web/src/bin/engine.rs, loaded here on the page's thread): WebCrypto generateKey → exportKey('pkcs8') → the engine reads the
//   PKCS#8 key as it does in the worker before signing with it;
// - WebCrypto: `crypto.subtle.generateKey` alone (RSASSA-PKCS1-v1_5, e = 65537, the ceiling);
// - fallback: certlab's engine in wasm (`certlabRsaKeyFallback(bits)`, web/src/fallback.rs), what
//   the worker runs where the page has no WebCrypto (an insecure context); timed on the page's
//   thread, the same wasm and code as in the worker;
// - node-forge: `forge.pki.rsa.generateKeyPair({bits, e: 0x10001})`, the usual JS library
//   (synchronous, pure JavaScript), loaded from node_modules into the same page.
// They take turns; certlab and WebCrypto run 9× as often as the fallback and node-forge.
// The fallback and the WebCrypto keys taken in turn with it are also saved as `fallback`.
// BENCH_RSA_COLUMNS=fallback,webcrypto measures only those: `fallback` is replaced and the main
// table (`results`, the targets) is kept from the previous target/bench/rsa.json, so no ratio
// mixes two runs (the report says when each was measured).
import { join, relative } from "node:path";
import { ROOT, RUNS, CHROMIUM, stats, save, load, loadavg, version } from "./lib.mjs";

const ALL = ["certlab", "webcrypto", "fallback", "forge"];
const COLUMNS = (process.env.BENCH_RSA_COLUMNS || ALL.join(",")).split(/[ ,]+/).filter(Boolean);
for (const c of COLUMNS) if (!ALL.includes(c)) throw new Error(`BENCH_RSA_COLUMNS: unknown column ${c} (known: ${ALL.join(", ")})`);
import { DIST, openBrowser } from "./page.mjs";
import { builtPath } from "../web/serve.mjs";

const BITS = [2048, 3072, 4096];
const loadBefore = loadavg();
const b = await openBrowser();
// bypassCSP only so that node-forge (an inline script tag) can be added to the page.
const ctx = await b.browser.newContext({ bypassCSP: true });
const page = await ctx.newPage();
await page.goto(`${b.origin}/`);
await page.waitForSelector("#generate");
// The engine module (what the page's workers run) on the page's thread, from the module the
// page compiled (web/engine-boot.js): its exports are the benchmark's entry points.
await page.evaluate(async (glue) => {
  const engine = await import(`./${glue}`);
  await engine.default({ module_or_path: await window.certlabEngineLoad() });
  window.certlabBench = engine;
}, relative(DIST, builtPath(DIST, "engine.js")));
await page.addScriptTag({ path: join(ROOT, "node_modules", "node-forge", "dist", "forge.min.js") });

const time = (what, bits) => page.evaluate(async ([what, bits]) => {
  const t0 = performance.now();
  if (what === "certlab") {
    const der = await window.certlabBench.certlabRsaKey(bits);
    if (!(der instanceof Uint8Array) || der.length < bits / 8) throw new Error("no key from certlab");
  } else if (what === "fallback") {
    const der = window.certlabBench.certlabRsaKeyFallback(bits);
    if (!(der instanceof Uint8Array) || der.length < bits / 8) throw new Error("no key from the fallback");
  } else if (what === "webcrypto") {
    const k = await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"]);
    if (!k.privateKey) throw new Error("no key from WebCrypto");
  } else {
    const k = window.forge.pki.rsa.generateKeyPair({ bits, e: 0x10001 });
    if (k.publicKey.n.bitLength() !== bits) throw new Error("forge made a key of the wrong size");
  }
  return performance.now() - t0;
}, [what, bits]);

const previous = COLUMNS.length < ALL.length ? load("rsa") : null;
const results = {};
const fallback = {};
for (const bits of BITS) {
  const s = Object.fromEntries(COLUMNS.map((c) => [c, []]));
  for (const w of Object.keys(s)) await time(w, 2048); // warm-up
  // RSA prime search varies widely from key to key (RSA-4096 from 0.15 s to 1.7 s here; a
  // median of 21 was still 30% off), so certlab and WebCrypto, whose ratio is the target, take
  // 9× the runs, alternating which goes first; node-forge (seconds per key) the usual number.
  const runs = 9 * RUNS;
  const every = Math.max(1, Math.floor(runs / RUNS));
  for (let i = 0; i < runs; i++) {
    const order = (i % 2 ? ["webcrypto", "certlab"] : ["certlab", "webcrypto"]).filter((w) => s[w]);
    for (const w of order) s[w].push(await time(w, bits));
    for (const w of ["fallback", "forge"]) if (s[w] && i % every === 0 && s[w].length < RUNS) s[w].push(await time(w, bits));
  }
  results[bits] = Object.fromEntries(Object.entries(s).map(([w, xs]) => [w, stats(xs)]));
  if (results[bits].fallback) fallback[bits] = { fallback: results[bits].fallback, webcrypto: results[bits].webcrypto };
  console.log(`RSA-${bits}:`, Object.entries(results[bits]).filter(([w]) => s[w]).map(([w, x]) => `${w} ${x.median.toFixed(0)} ms`).join(", "));
}
await b.close();
const versions = { chromium: version([CHROMIUM.executablePath, "--version"]), forge: "node-forge 1.3.1" };
if (previous) {
  // A partial run: only the fallback table is new; the main table stays as it was measured.
  const { measured, load_before, load_after, versions: v, results: r } = previous;
  const kept = { measured, load_before, load_after, versions: v, results: r };
  save("rsa", { ...kept, fallback, fallback_run: { columns: COLUMNS, measured: new Date().toISOString(), load_before: loadBefore, load_after: loadavg(), versions } });
} else {
  save("rsa", { load_before: loadBefore, versions, results, fallback });
}
