// The teaching gallery in real browsers (issue 15 §2 and §4): `certlab gallery` makes the
// cases, `certlab-echo gallery` serves each on its own loopback port, and the page's Lab panel
// runs every case from the browser itself — Debian's Chromium (the page over http://) and
// Firefox ESR (the single-file certlab.html from file://), each with only the gallery root
// trusted in its NSS DB. Every observed outcome must equal the gallery's `expect` for that
// browser: those values are measured facts, so when a browser disagrees, the expectation and
// the lesson change in crate/src/gallery/cases.rs, not this test.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { serveDir, CHROMIUM } from "../web/serve.mjs";
import { root, shots, bin, temp, nssHome } from "./lib.mjs";
import { FIREFOX, firefoxProfile, launchFirefox } from "./firefox.mjs";

const CASES = 20;
let server, origin, dir, index, echo;

const bindable = (port) =>
  new Promise((ok) => {
    const s = createServer();
    s.once("error", () => ok(false));
    s.listen(port, "127.0.0.1", () => s.close(() => ok(true)));
  });

/** A first port with CASES free ports from it. */
async function freeRange() {
  for (let i = 0; i < 200; i++) {
    const base = 20000 + Math.floor(Math.random() * 40000);
    let free = true;
    for (let p = base; p < base + CASES && free; p++) free = await bindable(p);
    if (free) return base;
  }
  throw new Error(`no ${CASES} consecutive free loopback ports`);
}

before(async () => {
  ({ server, origin } = await serveDir(join(root, "dist")));
  dir = join(temp("gallery"), "gallery");
  execFileSync(bin("certlab"), ["gallery", "--out", dir, "--zip", `${dir}.zip`, "--port", String(await freeRange())], { stdio: "pipe" });
  index = JSON.parse(readFileSync(join(dir, "gallery.json"), "utf8"));
  assert.equal(index.cases.length, CASES);
  const proc = spawn(bin("certlab-echo"), ["gallery", dir], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stderr.on("data", (d) => (err += d));
  const exited = new Promise((ok) => proc.on("exit", ok));
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`certlab-echo gallery did not listen within 60 s: ${err}`)), 60_000);
    proc.stdout.on("data", (d) => {
      out += d;
      if ((out.match(/^listening wss:\/\//gm) || []).length === CASES) {
        clearTimeout(timer);
        ok();
      }
    });
    exited.then((code) => fail(new Error(`certlab-echo gallery exited (${code}): ${err}`)));
  });
  echo = { log: () => err, stop: async () => (proc.kill("SIGTERM"), await exited) };
});
after(async () => {
  await echo?.stop();
  server?.close();
});

// Runs in the page (both browsers): polls \`probe\` every 100 ms until it returns something.
const UNTIL = `const until = async (probe, ms) => {
    const t0 = Date.now();
    for (;;) {
      const v = probe();
      if (v) return v;
      if (Date.now() - t0 > ms) throw new Error("timed out waiting in the page");
      await new Promise((r) => setTimeout(r, 100));
    }
  };`;

// In the page: load the pasted gallery.json (text null: a file was chosen already), run every case, wait until each row has an
// observation. Runs as one expression in both browsers (Playwright and BiDi script.evaluate).
const RUN_ALL = (text) => `(async () => {
  ${UNTIL}
  await until(() => document.querySelector("textarea[name=lab-json]"), 60000);
  const text = ${JSON.stringify(text)};
  if (text !== null) {
    const area = document.querySelector("textarea[name=lab-json]");
    area.value = text;
    area.dispatchEvent(new InputEvent("input", { bubbles: true }));
    await new Promise((r) => setTimeout(r, 50));
    document.querySelector("#lab-load").click();
  }
  const button = await until(() => document.querySelector("#lab-run-all"), 30000);
  button.click();
  // Each case may take up to the panel's 45 s timeout; in practice well under a second.
  await until(() => document.querySelectorAll("#lab-cases [data-observed]").length === ${CASES}, ${CASES} * 50000);
  return {
    observed: Object.fromEntries([...document.querySelectorAll("#lab-cases tr[data-case]")].map((tr) => [tr.dataset.case, tr.querySelector("[data-observed]").dataset.observed])),
    details: Object.fromEntries([...document.querySelectorAll("#lab-cases tr[data-case]")].map((tr) => [tr.dataset.case, tr.querySelector(".detail")?.textContent ?? ""])),
    summary: document.querySelector("#lab-summary").textContent,
    control: document.querySelector("#lab-control")?.textContent ?? null,
  };
})()`;

// In the page: load the pasted gallery.json, run the one case `name`, wait for its observation.
const RUN_ONE = (text, name) => `(async () => {
  ${UNTIL}
  const area = await until(() => document.querySelector("textarea[name=lab-json]"), 60000);
  area.value = ${JSON.stringify(text)};
  area.dispatchEvent(new InputEvent("input", { bubbles: true }));
  await new Promise((r) => setTimeout(r, 50));
  document.querySelector("#lab-load").click();
  (await until(() => document.querySelector('[data-run="${name}"]'), 30000)).click();
  const seen = await until(() => document.querySelector('tr[data-case="${name}"] [data-observed]'), 120000);
  const row = document.querySelector('tr[data-case="${name}"]');
  return { observed: { "${name}": seen.dataset.observed }, details: { "${name}": row.querySelector(".detail")?.textContent ?? "" }, control: null, summary: "" };
})()`;

function compare(browser, result, cases = index.cases) {
  const wrong = [];
  for (const c of cases) {
    const want = c.expect[browser];
    if (want === null) continue; // a client certificate this browser would have to import first
    if (result.observed[c.name] !== want) wrong.push(`${c.name}: ${browser} ${result.observed[c.name]}, gallery.json expects ${want} (${result.details[c.name]})`);
  }
  assert.equal(result.control, null, `the control case failed in ${browser}`);
  assert.deepEqual(wrong, [], `observed ≠ expect in ${browser} (${result.summary})`);
  if (cases === index.cases) {
    const compared = index.cases.filter((c) => c.expect[browser] !== null).length;
    assert.match(result.summary, new RegExp(`: ${compared} of ${compared}\\.`), result.summary);
  }
}

const galleryText = () => readFileSync(join(dir, "gallery.json"), "utf8");

/**
 * Chromium whose NSS DB (HOME) trusts the gallery root and holds every client .p12 of the
 * gallery, each chosen for its own case's origin by the AutoSelectCertificateForUrls test
 * policy (pattern with the case's host and port, filtered by the client's CN): what a student
 * does by importing the case's .p12 and picking it when asked.
 */
async function chromiumWithClients() {
  const home = nssHome("gallery-chromium", { root: join(dir, "ca.crt") });
  const db = `sql:${join(home, ".pki", "nssdb")}`;
  const policies = [];
  for (const c of index.cases.filter((c) => c.client_p12)) {
    execFileSync("pk12util", ["-i", join(dir, c.client_p12), "-d", db, "-W", index.p12_password, "-K", ""], { stdio: "pipe" });
    const port = c.connect.split(":")[1];
    policies.push(JSON.stringify({ pattern: `https://${c.sni}:${port}`, filter: { SUBJECT: { CN: c.name } } }));
  }
  const profile = join(home, "profile");
  mkdirSync(profile, { recursive: true });
  const value = [{ level: 1, scope: 0, source: 1, namespace: "chrome", name: "AutoSelectCertificateForUrls", value: policies }];
  writeFileSync(join(profile, "Local State"), JSON.stringify({ local_test_policies_for_next_startup: JSON.stringify(value) }));
  return chromium.launchPersistentContext(profile, { ...CHROMIUM, headless: true, viewport: { width: 1280, height: 1000 }, env: { ...process.env, HOME: home } });
}

test("Chromium: the Lab panel opens the gallery zip, runs every case and each outcome is the measured one", { timeout: 30 * 60_000 }, async () => {
  const ctx = await chromiumWithClients();
  try {
    const page = await ctx.newPage();
    await page.goto(`${origin}/`);
    // The teacher's zip, chosen in the panel's file field (Firefox below gets the pasted text).
    await page.setInputFiles("input[name=lab-file]", `${dir}.zip`);
    const result = await page.evaluate(RUN_ALL(null));
    await page.locator("#lab").screenshot({ path: join(shots, "gallery-lab-chromium.png") });
    compare("chromium", result);
    // The loaded, run panel is accessible too (axe-core, as tests/web/a11y.test.mjs audits the
    // rest of the page), in light and dark, with every lesson open.
    await page.evaluate(() => document.querySelectorAll("#lab details").forEach((d) => (d.open = true)));
    await page.evaluate(readFileSync(join(root, "node_modules", "axe-core", "axe.min.js"), "utf8"));
    for (const scheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: scheme });
      const violations = await page.evaluate(async () => (await window.axe.run("#lab", { resultTypes: ["violations"] })).violations);
      const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")} — ${v.help}`);
      assert.deepEqual(bad, [], `axe in the Lab panel (${scheme})`);
    }
  } finally {
    await ctx.close();
  }
  // The server saw the browser's refusals of the broken cases (no greeting was served there).
  assert.match(echo.log(), /TLS handshake failed.*listener="?expired\b/);
  // mtls-good connected as its client, verified by the server.
  assert.match(echo.log(), /websocket open listener="?mtls-good"? .*verdict=verified/);
});

test("Firefox ESR: the single-file page's Lab panel, every case, each outcome the measured one", { timeout: 30 * 60_000 }, async () => {
  assert.ok(existsSync(FIREFOX), `${FIREFOX} is missing: apt-get install firefox-esr (scripts/test does)`);
  const home = temp("gallery-firefox");
  const profile = firefoxProfile(join(home, "profile"), { root: join(dir, "ca.crt") });
  const ff = await launchFirefox(profile, home);
  try {
    await ff.goto(pathToFileURL(join(root, "dist", "certlab.html")).href);
    const result = await ff.eval(RUN_ALL(galleryText()));
    await ff.screenshot(join(shots, "gallery-lab-firefox.png"));
    // This profile holds no client certificate: the cases that present one run below.
    compare("firefox", result, index.cases.filter((c) => !c.client_p12));
  } finally {
    await ff.close();
  }
  // Firefox picks a client certificate by itself ("Select Automatically"), so each client
  // case gets a profile holding only its own .p12, and the panel runs that one case.
  for (const c of index.cases.filter((c) => c.client_p12)) {
    const home = temp(`gallery-firefox-${c.name}`);
    const profile = firefoxProfile(join(home, "profile"), { root: join(dir, "ca.crt"), p12: join(dir, c.client_p12), password: index.p12_password });
    const ff = await launchFirefox(profile, home);
    try {
      await ff.goto(pathToFileURL(join(root, "dist", "certlab.html")).href);
      const result = await ff.eval(RUN_ONE(galleryText(), c.name));
      compare("firefox", result, [c]);
    } finally {
      await ff.close();
    }
  }
  assert.match(echo.log(), /websocket open listener="?mtls-good"? .*verdict=verified/);
});
