// The page where WebCrypto is missing: served over plain http on a lab host name (Chromium maps
// lab.example to 127.0.0.1 with --host-resolver-rules), so it is not a secure context and
// crypto.subtle is undefined. RSA keys then come from certlab in the worker: the notice shows
// before Generate, an RSA-2048 kit is made end to end and checked with openssl, an RSA-3072
// key's progress shows, and Cancel stops a run of RSA-4096 keys. Timeouts are generous (RSA in
// wasm on busy cores); nothing here asserts speed. Screenshots go to test-output/web/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serveDir, CHROMIUM } from "./serve.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const shots = join(root, "test-output", "web");
mkdirSync(shots, { recursive: true });
const HOST = "lab.example";
const MINUTES = 60_000;
let server, lab, browser;

before(async () => {
  let origin;
  ({ server, origin } = await serveDir(join(root, "dist")));
  lab = `http://${HOST}:${new URL(origin).port}/`;
  browser = await chromium.launch({ ...CHROMIUM, args: [...CHROMIUM.args, `--host-resolver-rules=MAP ${HOST} 127.0.0.1`] });
});
after(async () => {
  await browser?.close();
  server?.close();
});

async function openLabPage() {
  const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 1000 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(lab);
  await page.waitForSelector("#generate");
  await page.waitForLoadState("networkidle");
  const ctx = await page.evaluate(() => ({
    secure: window.isSecureContext,
    subtle: typeof crypto.subtle,
    random: typeof crypto.getRandomValues,
    url: location.href,
  }));
  assert.equal(ctx.url, lab);
  assert.equal(ctx.secure, false, "the page on a lab host name over http must not be a secure context");
  assert.equal(ctx.subtle, "undefined", "no WebCrypto expected in an insecure context");
  assert.equal(ctx.random, "function", "crypto.getRandomValues (the engine's randomness) must exist");
  return { page, errors };
}

const openssl = (dir, ...args) => execFileSync("openssl", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const noRawJs = (text) => assert.doesNotMatch(text, /JsValue|TypeError|at \S+\.js:\d+|undefined \(reading/, "raw JavaScript error text on the page");

test("insecure context: the RSA notice, then an RSA-2048 kit made in the worker that openssl accepts", async () => {
  const { page, errors } = await openLabPage();
  await page.click("[data-preset=custom]");
  assert.equal(await page.locator("#rsa-notice").count(), 0, "no notice while every key is ECDSA");
  await page.selectOption("select[name='root.key']", "rsa2048");
  await page.selectOption("select[name='servers[0].key']", "rsa2048");
  const notice = await page.waitForSelector("#rsa-notice");
  const text = await notice.textContent();
  assert.match(text, /not a secure context/);
  assert.match(text, /its 2 RSA keys/);
  assert.match(text, /RSA-2048 about [\d.]+–[\d.]+ s a key/);
  assert.match(text, /ECDSA P-256 keys are made instantly/);
  await page.screenshot({ path: join(shots, "insecure-notice.png"), fullPage: true });

  await page.click("#generate");
  const progress = await page.waitForSelector("#progress", { timeout: MINUTES });
  assert.match(await progress.textContent(), /certlab is making the RSA-2048 key of (ca|server) in the worker/);
  await page.waitForSelector("#results", { timeout: 10 * MINUTES });
  await page.screenshot({ path: join(shots, "insecure-rsa2048.png"), fullPage: true });
  assert.match(await page.textContent("#key-note"), /not a secure context.*certlab made the RSA keys itself, in the worker/);
  const sources = await page.$$eval("[data-key-source]", (xs) => xs.map((x) => x.getAttribute("data-key-source")));
  assert.deepEqual(sources, ["worker", "worker"]);
  assert.match(await page.textContent(".card[data-identity=server]"), /Key made bycertlab in the worker/);
  noRawJs(await page.textContent("body"));

  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-zip")]);
  const dir = mkdtempSync(join(tmpdir(), "certlab-insecure-"));
  await download.saveAs(join(dir, "kit.zip"));
  execFileSync("python3", ["-m", "zipfile", "-e", "kit.zip", "."], { cwd: dir });
  const kit = join(dir, "certlab-kit");
  const m = JSON.parse(readFileSync(join(kit, "manifest.json"), "utf8"));
  assert.deepEqual(m.identities.map((i) => [i.role, i.key_algorithm]), [["root-ca", "rsa2048"], ["server", "rsa2048"]]);
  const ca = m.identities.find((i) => i.role === "root-ca").files.cert;
  const srv = m.identities.find((i) => i.role === "server");
  assert.match(openssl(kit, "verify", "-purpose", "sslserver", "-CAfile", ca, srv.files.cert), /: OK/);
  assert.match(openssl(kit, "x509", "-in", srv.files.cert, "-noout", "-text"), /Public-Key: \(2048 bit\)/);
  for (const id of m.identities) {
    assert.match(openssl(kit, "pkey", "-in", id.files.key, "-check", "-noout"), /Key is valid/);
    assert.match(openssl(kit, "rsa", "-in", id.files.key, "-check", "-noout"), /RSA key ok/);
  }
  openssl(kit, "pkcs12", "-in", srv.files.p12_modern ?? srv.files.p12_compat, "-info", "-noout", "-passin", "pass:changeit");
  assert.deepEqual(errors, []);
  await page.close();
});

test("insecure context: an RSA-3072 key's progress shows; Cancel stops RSA-4096 keys; the next kit works", async () => {
  const { page, errors } = await openLabPage();
  await page.click("[data-preset=custom]");
  await page.selectOption("select[name='servers[0].key']", "rsa3072");
  assert.match(await (await page.waitForSelector("#rsa-notice")).textContent(), /its RSA key itself.*RSA-3072 about/);
  await page.click("#generate");
  await page.waitForFunction(
    () => /certlab is making the RSA-3072 key of server in the worker \(RSA key 1 of 1;.*Cancel stops it\)/.test(document.querySelector("#progress")?.textContent ?? ""),
    null,
    { timeout: 2 * MINUTES, polling: 10 },
  );
  await page.waitForSelector("#results", { timeout: 10 * MINUTES });
  await page.screenshot({ path: join(shots, "insecure-rsa3072.png"), fullPage: true });
  assert.equal(await page.getAttribute(".card[data-identity=server] [data-key-source]", "data-key-source"), "worker");
  assert.match(await page.textContent(".card[data-identity=server]"), /rsa3072/);

  // Cancel while the worker makes RSA-4096 keys (six devices: seconds of work, however lucky).
  await page.click("[data-preset=iot]");
  await page.fill("input[name='devices[0].count']", "6");
  await page.selectOption("select[name='devices[0].key']", "rsa4096");
  assert.match(await page.textContent("#rsa-notice"), /its 6 RSA keys/);
  await page.click("#generate");
  await page.waitForFunction(() => /RSA-4096 key of .* in the worker/.test(document.querySelector("#progress")?.textContent ?? ""), null, { timeout: 2 * MINUTES, polling: 10 });
  await page.click("#cancel");
  await page.waitForSelector("#cancelled");
  // The next run (ECDSA P-256: no RSA key, no notice) works on a fresh worker.
  await page.click("[data-preset=custom]");
  assert.equal(await page.locator("#rsa-notice").count(), 0);
  await page.click("#generate");
  await page.waitForSelector("#results", { timeout: 2 * MINUTES });
  assert.equal(await page.locator("#key-note").count(), 0);
  assert.deepEqual(await page.$$eval("[data-key-source]", (xs) => xs.map((x) => x.getAttribute("data-key-source"))), ["worker", "worker"]);
  noRawJs(await page.textContent("body"));
  assert.deepEqual(errors, []);
  await page.close();
});
