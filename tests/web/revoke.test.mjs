// Revocation from the page (issue 15 §3): on a kit the page holds, Revoke on a leaf's card
// makes its CA sign a new CRL (the engine's certlab::revoke, in the page's tools worker, no request); a
// second revocation keeps the first entry. openssl checks the downloaded CRL: signed by the
// kit's CA, CRL number 3, and `verify -crl_check` refuses both revoked clients while the
// server still verifies.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serveDir, CHROMIUM } from "./serve.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const shots = join(root, "test-output", "web");
mkdirSync(shots, { recursive: true });
let server, origin, browser;

before(async () => {
  ({ server, origin } = await serveDir(join(root, "dist")));
  browser = await chromium.launch(CHROMIUM);
});
after(async () => {
  await browser?.close();
  server?.close();
});

const openssl = (dir, ...args) => spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });

async function download(page, selector, dir, name) {
  const [d] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  await d.saveAs(join(dir, name));
}

test("Revoke on a card signs a new CRL that openssl enforces, earlier entries kept", async () => {
  const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 1000 } });
  const requests = [];
  const errors = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${origin}/`);
  await page.waitForSelector("#generate");
  await page.waitForFunction(() => document.documentElement.dataset.tools === "ready", null, { timeout: 60_000 });
  await page.waitForLoadState("networkidle");
  await page.click("[data-preset=mtls]");
  await page.click("#generate");
  await page.waitForSelector("#results", { timeout: 120_000 });
  const dir = mkdtempSync(join(tmpdir(), "certlab-revoke-"));
  await download(page, "#download-zip", dir, "kit.zip");
  execFileSync("python3", ["-m", "zipfile", "-e", "kit.zip", "."], { cwd: dir });
  const kit = join(dir, "certlab-kit");
  // The kit's own CRL: empty, signed by the root.
  const empty = openssl(kit, "crl", "-in", "ca.crl", "-CAfile", "ca.crt", "-noout", "-text");
  assert.equal(empty.status, 0, empty.stderr);
  assert.match(empty.stdout, /No Revoked Certificates/);

  const before = requests.length;
  for (const who of ["alice", "bob"]) {
    await page.click(`[data-revoke=${who}]`);
    const said = await page.locator(`[data-revoked=${who}]`).textContent({ timeout: 60_000 });
    assert.match(said, /^Revoked: serial [0-9a-f]+ is in ca\.crl/, said);
  }
  assert.match(await page.locator("[data-revoked=bob]").textContent(), /CRL number 3, 2 revoked/);
  // Pressing it again says so and changes nothing.
  await page.click("[data-revoke=alice]");
  assert.match(await page.locator("[data-revoked=alice]").textContent(), /already in ca\.crl/);
  assert.deepEqual(requests.slice(before), [], "the page made requests while revoking");
  await page.screenshot({ path: join(shots, "revoked.png"), fullPage: true });

  // The CA's card and bob's card both give the newest CRL.
  await download(page, "[data-identity=ca] button[data-path='ca.crl']", kit, "new.crl");
  await download(page, "[data-identity=bob] button[data-path='ca.crl']", kit, "from-bob.crl");
  const text = openssl(kit, "crl", "-in", "new.crl", "-CAfile", "ca.crt", "-noout", "-text");
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stderr + text.stdout, /verify OK/);
  assert.match(text.stdout, /X509v3 CRL Number: \s*3\b/);
  for (const who of ["alice", "bob"]) {
    const serial = openssl(kit, "x509", "-in", `${who}.crt`, "-noout", "-serial").stdout.trim().replace("serial=", "");
    assert.ok(text.stdout.includes(serial), `${who} ${serial} not in:\n${text.stdout}`);
    const v = openssl(kit, "verify", "-crl_check", "-CRLfile", "new.crl", "-CAfile", "ca.crt", `${who}.crt`);
    assert.notEqual(v.status, 0, v.stdout);
    assert.match(v.stdout + v.stderr, /certificate revoked/);
  }
  const ok = openssl(kit, "verify", "-crl_check", "-CRLfile", "new.crl", "-CAfile", "ca.crt", "server.crt");
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.equal(execFileSync("cmp", ["new.crl", "from-bob.crl"], { cwd: kit, encoding: "utf8" }), "");
  assert.deepEqual(errors, []);
  await page.close();
});

// A revocation still being signed when a new kit is made belongs to the old kit: its answer
// must neither land on the new kit's cards nor make the old CA's CRL the new kit's.
test("a Revoke answered after a new kit was made is dropped: the new kit keeps its own CA's CRL", async () => {
  const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 1000 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // The page's Revoke requests to its tools worker wait here until the test lets them go, so
  // the answer comes after the new kit whatever the machine's speed. The worker still signs
  // the CRL; what is tested is what the page does with a late answer.
  await page.addInitScript(() => {
    const send = Worker.prototype.postMessage;
    const held = [];
    let hold = true;
    window.certlabTestHeld = () => held.length;
    window.certlabTestRelease = () => {
      hold = false;
      for (const [worker, args] of held.splice(0)) send.apply(worker, args);
    };
    Worker.prototype.postMessage = function (...args) {
      const m = args[0];
      if (hold && Array.isArray(m) && typeof m[0] === "string" && m[0].includes('"type":"revoke"')) {
        held.push([this, args]);
        return;
      }
      return send.apply(this, args);
    };
  });
  await page.goto(`${origin}/`);
  await page.waitForSelector("#generate");
  await page.waitForFunction(() => document.documentElement.dataset.tools === "ready", null, { timeout: 60_000 });
  await page.click("[data-preset=mtls]");
  await page.click("#generate");
  await page.waitForSelector("#results", { timeout: 120_000 });
  const rootOf = () => page.locator("[data-identity=ca] .fingerprint").textContent();
  const first = await rootOf();
  await page.click("[data-revoke=alice]");
  await page.waitForFunction(() => window.certlabTestHeld() === 1, null, { timeout: 60_000 });

  await page.click("#generate");
  await page.waitForFunction((fp) => {
    const now = document.querySelector("[data-identity=ca] .fingerprint")?.textContent;
    return now && now !== fp;
  }, first, { timeout: 120_000 });
  await page.evaluate(() => window.certlabTestRelease());
  // The tools worker answers in order, so once bob's revocation on the new kit is answered,
  // the old kit's late one has been answered and handled too.
  await page.waitForSelector("[data-revoke=bob]:not([disabled])", { timeout: 60_000 });
  await page.click("[data-revoke=bob]");
  const said = await page.locator("[data-revoked=bob]").textContent({ timeout: 60_000 });
  assert.match(said, /CRL number 2, 1 revoked/, said);
  assert.equal(await page.locator("[data-revoked=alice]").count(), 0, "the old kit's revocation landed on the new kit's card");

  const dir = mkdtempSync(join(tmpdir(), "certlab-revoke-late-"));
  await download(page, "#download-zip", dir, "kit.zip");
  execFileSync("python3", ["-m", "zipfile", "-e", "kit.zip", "."], { cwd: dir });
  const kit = join(dir, "certlab-kit");
  await download(page, "[data-identity=ca] button[data-path='ca.crl']", kit, "new.crl");
  const text = openssl(kit, "crl", "-in", "new.crl", "-CAfile", "ca.crt", "-noout", "-text");
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stderr + text.stdout, /verify OK/);
  assert.match(text.stdout, /X509v3 CRL Number: \s*2\b/);
  const bob = openssl(kit, "verify", "-crl_check", "-CRLfile", "new.crl", "-CAfile", "ca.crt", "bob.crt");
  assert.match(bob.stdout + bob.stderr, /certificate revoked/);
  const alice = openssl(kit, "verify", "-crl_check", "-CRLfile", "new.crl", "-CAfile", "ca.crt", "alice.crt");
  assert.equal(alice.status, 0, alice.stdout + alice.stderr);
  assert.deepEqual(errors, []);
  await page.close();
});
