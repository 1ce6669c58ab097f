// Cases 1 and 3 in Firefox ESR (Debian's firefox-esr, headless, a fresh profile per case whose
// NSS DB trusts the kit's root — and holds alice.p12 for mutual TLS — with
// security.default_personal_cert = "Select Automatically"). The page's own tester runs in
// Firefox; the test drives it and reads its verdict, facts and log back over WebDriver BiDi
// (see firefox.mjs). The last case trusts the root through the import guide's enterprise
// policy (policies.json, Certificates.Install) instead. Screenshots: test-output/e2e/firefox-*.png.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { serveDir, CHROMIUM } from "../web/serve.mjs";
import { root, shots, bin, temp, sameNameCa, startEcho, openPage, generateKit } from "./lib.mjs";
import { FIREFOX, firefoxProfile, firefoxWithDistribution, launchFirefox } from "./firefox.mjs";

let server, origin, kit, echo;
before(async () => {
  assert.ok(existsSync(FIREFOX), `${FIREFOX} is missing: apt-get install firefox-esr (scripts/test does)`);
  ({ server, origin } = await serveDir(join(root, "dist")));
  const maker = await chromium.launch(CHROMIUM);
  try {
    const ctx = await maker.newContext({ acceptDownloads: true });
    const { page, requests } = await openPage(ctx, `${origin}/`);
    kit = await generateKit(page, requests, "ecdsa-p256");
  } finally {
    await maker.close();
  }
  echo = await startEcho(kit);
});
after(async () => {
  await echo?.stop();
  server?.close();
});

// Runs in the page: polls `probe` (a function body returning a value or null) every 100 ms.
const poll = (probe, ms = 60_000) => `new Promise((ok, fail) => {
  const t0 = Date.now();
  const tick = () => {
    let v = null;
    try { v = (() => { ${probe} })(); } catch (e) { return fail(e); }
    if (v !== null && v !== undefined) return ok(v);
    if (Date.now() - t0 > ${ms}) return fail(new Error("timed out waiting in the page"));
    setTimeout(tick, 100);
  };
  tick();
})`;

const READ = `
  const el = document.querySelector("#tester-verdict, #tester-hint");
  if (!el) return null;
  return {
    verdict: el.dataset.verdict ?? null,
    diagnosis: el.dataset.diagnosis ?? null,
    text: el.textContent,
    log: document.querySelector("#tester-log").textContent,
    facts: Object.fromEntries([...document.querySelectorAll("#tester-facts dd[data-fact]")].map((d) => [d.dataset.fact, d.textContent])),
  };`;

const type = (name, value) => `(() => {
  const i = document.querySelector("input[name=${name}]");
  i.value = ${JSON.stringify(value)};
  i.dispatchEvent(new InputEvent("input", { bubbles: true }));
  return true;
})()`;

const echoed = (what) => `
  const lines = [...document.querySelectorAll("#tester-log li")].map((l) => l.textContent);
  return lines.some((l) => l.includes(${JSON.stringify(what)})) || null;`;

/**
 * Runs the page's tester in a fresh Firefox profile. The profile trusts the kit's root through
 * NSS, unless `ready` is given: then it starts without, with `binary`, and `ready(profile)`
 * waits until the root arrived some other way before the page opens.
 */
async function inFirefox(label, p12, check, { echoes = true, binary, ready } = {}) {
  const home = temp(`firefox-${label}`);
  const root = ready ? undefined : join(kit, "ca.crt");
  const profile = firefoxProfile(join(home, "profile"), { root, p12, password: "changeit" });
  const from = echo.mark();
  const ff = await launchFirefox(profile, home, { binary });
  try {
    if (ready) await ready(profile);
    await ff.goto(`${origin}/`);
    await ff.eval(poll(`return document.querySelector("#tester-connect") ? true : null`));
    await ff.eval(type("tester-url", echo.url));
    await ff.eval(poll(`return document.querySelector("input[name=tester-url]").value === ${JSON.stringify(echo.url)} || null`));
    await ff.eval(`(document.querySelector("#tester-connect").click(), true)`);
    const r = await ff.eval(poll(READ));
    await check(r);
    if (!echoes) return echo.log().slice(from);
    // Exact echo, text then binary.
    await ff.eval(type("tester-message", "hello firefox"));
    await ff.eval(poll(`return document.querySelector("input[name=tester-message]").value === "hello firefox" || null`));
    await ff.eval(`(document.querySelector("#tester-send-text").click(), true)`);
    await ff.eval(poll(echoed('received text, 13 bytes: "hello firefox" — identical to what was sent'), 10_000));
    await ff.eval(`(document.querySelector("#tester-send-binary").click(), true)`);
    await ff.eval(poll(echoed("received binary, 13 bytes: 68 65 6c 6c 6f 20 66 69 72 65 66 6f 78 — identical to what was sent"), 10_000));
    await ff.screenshot(join(shots, `firefox-${label}.png`));
  } finally {
    await ff.close();
  }
  return echo.log().slice(from);
}

test("Firefox, case 1: the page's kit, its root imported: wss:// connects one-way and echoes exactly", async () => {
  const log = await inFirefox("one-way", null, (r) => {
    assert.equal(r.verdict, "one-way", `${r.text}\n${r.log}`);
    assert.equal(r.facts["tls-version"], "TLS 1.3");
    assert.equal(r.facts.verdict, "one-way TLS: no client certificate");
  });
  assert.match(log, /websocket open.*verdict=no client certificate/);
});

test("Firefox, case 3: mutual TLS with alice.p12 selected automatically: the greeting names CN alice", async () => {
  const log = await inFirefox("mutual", join(kit, "alice.p12"), (r) => {
    assert.equal(r.verdict, "mutual", `${r.text}\n${r.log}`);
    assert.equal(r.facts["client-cn"], "alice");
    assert.equal(r.facts["tls-version"], "TLS 1.3");
  });
  assert.match(log, /websocket open.*verdict=verified.*(peer|client)="?alice/);
});

// Beyond cases 1 and 3: in Firefox a credential-less request carries no client certificate,
// so the page can single out a refused one. The client comes from someone else's CA with the
// kit's root's very name (made by openssl), so Firefox offers it (it matches issuers by name).
test("Firefox, case 4: a client from a CA with the same name: refused, and the page names that cause", async () => {
  const same = sameNameCa(kit);
  const log = await inFirefox("same-name-ca", join(same, "alice.p12"), (r) => {
    assert.equal(r.diagnosis, "client-cert-refused", `${r.text}\n${r.log}`);
    assert.match(r.text, /The server refused the client certificate this browser sent/);
  }, { echoes: false });
  assert.match(log, /TLS handshake failed: client certificate refused: .*BadSignature/);
});

// The import guide's route for labs with many machines: the enterprise policy
// Certificates.Install. policies.json is exactly what the engine renders for this kit
// (`certlab guide . --platform firefox --file policies.json`), placed as the guide says: in
// the distribution folder of the installation, the root in `certificates` inside it. The
// installation is a private copy (firefoxWithDistribution), so nothing machine-wide changes.
// The profile's own NSS database starts without the root.
test("Firefox, the guide's policy route: policies.json with Certificates.Install in a fresh profile: wss:// connects", async () => {
  const policy = execFileSync(bin("certlab"), ["guide", ".", "--platform", "firefox", "--file", "policies.json"], { cwd: kit, encoding: "utf8" });
  const installs = JSON.parse(policy).policies.Certificates.Install;
  assert.deepEqual(installs, ["ca.crt"]);
  const readme = readFileSync(join(kit, "README.txt"), "utf8");
  for (const line of policy.trimEnd().split("\n")) assert.ok(readme.includes(`       ${line}\n`), `README.txt lacks the policy line ${line}`);
  const files = { "policies.json": policy };
  for (const f of installs) files[join("certificates", f)] = readFileSync(join(kit, f));
  const binary = firefoxWithDistribution(join(temp("firefox-install"), "firefox-esr"), files);
  const cn = JSON.parse(readFileSync(join(kit, "manifest.json"), "utf8")).identities[0].common_name;
  const log = await inFirefox("policy", null, (r) => {
    assert.equal(r.verdict, "one-way", `${r.text}\n${r.log}`);
    assert.equal(r.facts["tls-version"], "TLS 1.3");
  }, { binary, ready: (profile) => rootArrives(profile, cn) });
  assert.match(log, /websocket open.*verdict=no client certificate/);
});

/** Waits (up to 120 s: busy machines) until Firefox's policy engine put the root `cn` into the profile's NSS DB. */
async function rootArrives(profile, cn) {
  const end = Date.now() + 120_000;
  let listed = "";
  while (Date.now() < end) {
    listed = execFileSync("certutil", ["-L", "-d", `sql:${profile}`], { encoding: "utf8" });
    if (listed.includes(cn)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`the policy did not install ${cn} into the profile within 120 s:\n${listed}`);
}
