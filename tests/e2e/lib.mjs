// Shared by the end-to-end tests: the page makes a kit (downloaded zip, unpacked), certlab-echo
// serves it on an ephemeral loopback port, and a browser with its own NSS database (a fresh
// HOME per case: roots with certutil, identities with pk12util) runs the page's wss tester.
// Client certificates in headless Chromium come from the per-profile AutoSelectCertificateForUrls
// test policy. Never --ignore-certificate-errors, never Playwright's clientCertificates (Node
// would make the TLS connection instead of the browser).
import { spawn, execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { CHROMIUM } from "../web/serve.mjs";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const shots = join(root, "test-output", "e2e");
mkdirSync(shots, { recursive: true });
export const P12_PASSWORD = "changeit";

/**
 * A binary of ours: from CERTLAB_BIN_DIR (scripts/test points it at target/debug, which its
 * `cargo test` has just built: no second, release build), else the release build.
 */
export function bin(name) {
  const dir = process.env.CERTLAB_BIN_DIR || join(root, "target", "release");
  const path = join(dir, name);
  assert.ok(existsSync(path), `${path} is missing: run cargo build --release -p certlab -p certlab-echo --locked, or set CERTLAB_BIN_DIR`);
  return path;
}

/** A loopback port nobody listens on (yet). */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

export const temp = (label) => mkdtempSync(join(tmpdir(), `certlab-e2e-${label}-`));

/**
 * Someone else's CA under exactly the name of the root of the kit in `kitDir`, made with
 * openssl, and a client `alice` it signed: `alice.p12` (compatible flavour, password
 * changeit) in the returned folder. certlab kits never share a root name (each kit's CAs carry
 * a random OU), so this is how a browser meets a client from a CA with the server's CA's name:
 * it offers the certificate (it matches issuers by name) and certlab-echo refuses it.
 */
export function sameNameCa(kitDir) {
  const d = temp("same-name-ca");
  const ssl = (...args) => execFileSync("openssl", args, { cwd: d, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const subject = ssl("x509", "-in", join(kitDir, "ca.crt"), "-noout", "-subject", "-nameopt", "compat").trim().replace(/^subject=\s*/, "");
  const ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
  ssl("genpkey", ...ec, "-out", "ca.key");
  ssl("req", "-x509", "-new", "-key", "ca.key", "-subj", subject, "-days", "30", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "ca.crt");
  ssl("genpkey", ...ec, "-out", "alice.key");
  ssl("req", "-new", "-key", "alice.key", "-subj", "/CN=alice", "-out", "alice.csr");
  writeFileSync(join(d, "ext.cnf"), "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n");
  ssl("x509", "-req", "-in", "alice.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "30", "-extfile", "ext.cnf", "-out", "alice.crt");
  ssl("pkcs12", "-export", "-inkey", "alice.key", "-in", "alice.crt", "-certfile", "ca.crt", "-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1", "-passout", `pass:${P12_PASSWORD}`, "-out", "alice.p12");
  return d;
}

/**
 * Starts `certlab-echo serve` for the kit in `dir` on 127.0.0.1:0; resolves once listening.
 * `args` (the serve arguments, run in `dir`) replaces the ones built from the other options.
 */
export async function startEcho(dir, { server = "server", clientCa = "ca.crt", clientAuth = "optional", args: given } = {}) {
  const args = given ? ["serve", ...given] : ["serve", "--cert", join(dir, `${server}.fullchain.pem`), "--key", join(dir, `${server}.key`), "--listen", "127.0.0.1:0"];
  if (clientCa && !given) args.push("--client-ca", join(dir, clientCa), "--client-auth", clientAuth);
  const proc = spawn(bin("certlab-echo"), args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  proc.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((ok) => proc.on("exit", ok));
  const port = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`certlab-echo did not listen within 30 s: ${stderr}`)), 30_000);
    proc.stdout.on("data", (d) => {
      stdout += d;
      const m = stdout.match(/listening wss:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        ok(Number(m[1]));
      }
    });
    exited.then((code) => fail(new Error(`certlab-echo exited (${code}): ${stderr}`)));
  });
  return {
    port,
    url: `wss://localhost:${port}/`,
    https: `https://localhost:${port}/`,
    log: () => stderr,
    /** Where the log ends now: pass it to waitLog to look only at what follows. */
    mark: () => stderr.length,
    /** Waits until the server's log (from `from`) matches `re`; its lines trail the browser. */
    async waitLog(re, from = 0, ms = 10_000) {
      const end = Date.now() + ms;
      while (!re.test(stderr.slice(from)) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      assert.match(stderr.slice(from), re, "certlab-echo's log");
    },
    async stop() {
      proc.kill("SIGTERM");
      await exited;
    },
  };
}

/** A fresh HOME whose NSS DB (what Chromium reads) trusts `root` and holds `p12`. */
export function nssHome(label, { root: ca, p12 } = {}) {
  const home = temp(label);
  const db = `sql:${join(home, ".pki", "nssdb")}`;
  mkdirSync(join(home, ".pki", "nssdb"), { recursive: true });
  execFileSync("certutil", ["-N", "-d", db, "--empty-password"]);
  if (ca) execFileSync("certutil", ["-A", "-d", db, "-t", "C,,", "-n", "labca", "-i", ca]);
  if (p12) execFileSync("pk12util", ["-i", p12, "-d", db, "-W", P12_PASSWORD, "-K", ""], { stdio: "pipe" });
  return home;
}

/** Runs certutil/pk12util expecting a refusal; returns its output. */
export function nssRefuses(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  assert.notEqual(r.status, 0, `${cmd} ${args.join(" ")} was expected to fail`);
  return r.stdout + r.stderr;
}

/**
 * Chromium with HOME=home (its NSS DB) in a fresh profile whose `Local State` carries the
 * AutoSelectCertificateForUrls test policy for https://localhost:PORT (it also covers wss).
 */
export async function launchChromium(home, port, issuerCN = "certlab Root CA") {
  const profile = join(home, "profile");
  mkdirSync(profile, { recursive: true });
  const pattern = JSON.stringify({ pattern: `https://localhost:${port}`, filter: { ISSUER: { CN: issuerCN } } });
  const policies = [{ level: 1, scope: 0, source: 1, namespace: "chrome", name: "AutoSelectCertificateForUrls", value: [pattern] }];
  writeFileSync(join(profile, "Local State"), JSON.stringify({ local_test_policies_for_next_startup: JSON.stringify(policies) }));
  return chromium.launchPersistentContext(profile, {
    ...CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 1000 },
    env: { ...process.env, HOME: home },
  });
}

/** Opens the page (http origin or file:// URL); records requests and page errors. */
export async function openPage(context, url) {
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector("#tester-connect");
  // The page's workers (generation, then tools) load before any request is counted.
  await page.waitForFunction(() => document.documentElement.dataset.tools === "ready", null, { timeout: 60_000 });
  return { page, requests, errors };
}

/**
 * Makes a kit in the page (preset mtls, every key `key`), downloads the zip and unpacks it.
 * Asserts no request was made while generating. Returns the kit folder.
 */
export async function generateKit(page, requests, key, { expectLint } = {}) {
  await page.click("[data-preset=mtls]");
  for (const sel of await page.locator("select[name$='.key']").all()) await sel.selectOption(key);
  if (expectLint) assert.match(await page.textContent(".editor"), expectLint, "the lint warning must show before generating");
  await page.waitForLoadState("networkidle"); // the spare worker loads in advance
  const before = requests.length;
  await page.click("#generate");
  await page.waitForSelector("#results", { timeout: 120_000 });
  assert.deepEqual(requests.slice(before), [], "the page made requests while generating");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-zip")]);
  const dir = temp(`kit-${key}`);
  await download.saveAs(join(dir, "kit.zip"));
  execFileSync("python3", ["-m", "zipfile", "-e", "kit.zip", "."], { cwd: dir });
  const kit = join(dir, "certlab-kit");
  const manifest = JSON.parse(readFileSync(join(kit, "manifest.json"), "utf8"));
  for (const id of manifest.identities) assert.equal(id.key_algorithm, key, `${id.name}'s key`);
  return kit;
}

/** Types `url` into the tester, presses Connect and waits for the verdict or the hint. */
export async function connect(page, url) {
  await page.fill("input[name=tester-url]", url);
  await page.click("#tester-connect");
  await page.waitForSelector("#tester-verdict, #tester-hint", { timeout: 60_000 });
  const panel = page.locator("#tester-verdict, #tester-hint");
  return {
    verdict: await panel.getAttribute("data-verdict"),
    diagnosis: await panel.getAttribute("data-diagnosis"),
    text: await panel.textContent(),
    log: await page.textContent("#tester-log"),
  };
}

/** Sends `text` as a text frame and as a binary frame; asserts both come back identical. */
export async function echoBoth(page, text) {
  await page.fill("input[name=tester-message]", text);
  const identical = page.locator("#tester-log li", { hasText: "identical to what was sent" });
  const n = await identical.count();
  await page.click("#tester-send-text");
  await page.locator("#tester-log li", { hasText: `received text, ${Buffer.byteLength(text)} bytes: "${text}" — identical` }).waitFor({ timeout: 10_000 });
  await page.click("#tester-send-binary");
  const hex = [...Buffer.from(text)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  await page.locator("#tester-log li", { hasText: `received binary, ${Buffer.byteLength(text)} bytes: ${hex} — identical` }).waitFor({ timeout: 10_000 });
  assert.equal(await identical.count(), n + 2);
  assert.equal(await page.locator("#tester-log li", { hasText: "differs from what was sent" }).count(), 0);
}

/** The facts table as {name: value}. */
export async function facts(page) {
  return page.$$eval("#tester-facts dd[data-fact]", (dds) => Object.fromEntries(dds.map((d) => [d.dataset.fact, d.textContent])));
}
