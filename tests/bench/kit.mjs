// Section 1 of the benchmarks: a whole mtls kit (root + server + clients alice and bob, every
// file format, zip) per key type, made by the page (Chromium, click → zip ready), the native
// `certlab kit`, the openssl CLI (scripts/openssl-kit.sh), mkcert and minica
// (tests/bench/peers/*.sh: their nearest equivalents; what differs is written there and in
// BENCHMARKS.md). The tools take turns within each repetition, so drift in the machine's load
// hits them alike.
import { join } from "node:path";
import { existsSync } from "node:fs";
import { ROOT, KEYS, RUNS, CHROMIUM, stats, timeCommand, freshDir, removeDir, save, version, loadavg } from "./lib.mjs";
import { openBrowser, openPage, mtlsKit, timeGenerate } from "./page.mjs";

const CERTLAB = join(ROOT, "target", "release", "certlab");
if (!existsSync(CERTLAB)) throw new Error(`${CERTLAB} is missing: scripts/bench builds it first`);

const tools = {
  certlab: (key, dir) => [CERTLAB, "kit", "--out", join(dir, "kit"), "--preset", "mtls", "--key", key, "--p12-password", "changeit", "--zip", join(dir, "kit.zip")],
  openssl: (key, dir) => [join(ROOT, "scripts", "openssl-kit.sh"), key, join(dir, "kit")],
  mkcert: (key, dir) => [join(ROOT, "tests", "bench", "peers", "mkcert-kit.sh"), key, join(dir, "kit")],
  minica: (key, dir) => [join(ROOT, "tests", "bench", "peers", "minica-kit.sh"), key, join(dir, "kit")],
};
const supports = {
  certlab: () => true,
  openssl: () => true,
  mkcert: (k) => k === "ecdsa-p256" || k === "rsa2048",
  minica: (k) => k.startsWith("rsa"),
};

const loadBefore = loadavg();
const b = await openBrowser();
const results = {};
for (const key of KEYS) {
  const page = await openPage(b.browser, `${b.origin}/`);
  await mtlsKit(page, key);
  // One untimed run each: the page's worker and the OS file cache warm up alike.
  await timeGenerate(page);
  const samples = { page: [] };
  for (const t of Object.keys(tools)) if (supports[t](key)) {
    samples[t] = [];
    const d = freshDir(t);
    timeCommand(tools[t](key, d));
    removeDir(d);
  }
  for (let i = 0; i < RUNS; i++) {
    samples.page.push(await timeGenerate(page));
    for (const t of Object.keys(tools)) if (supports[t](key)) {
      const d = freshDir(t);
      samples[t].push(timeCommand(tools[t](key, d)));
      removeDir(d);
    }
  }
  await page.close();
  results[key] = Object.fromEntries(Object.entries(samples).map(([t, xs]) => [t, stats(xs)]));
  const r = results[key];
  console.log(key, Object.entries(r).map(([t, s]) => `${t} ${s.median.toFixed(0)} ms`).join(", "));
}
await b.close();

save("kit", {
  load_before: loadBefore,
  runs: RUNS,
  versions: {
    chromium: version([CHROMIUM.executablePath, "--version"]),
    certlab: version([CERTLAB, "--version"]),
    openssl: version(["openssl", "version"]),
    mkcert: `mkcert ${version(["mkcert", "-version"])}`,
    minica: "minica 1.0 (Debian package " + version(["dpkg-query", "-W", "-f", "${Version}", "minica"]) + ")",
  },
  results,
});
