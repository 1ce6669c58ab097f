// The import guide's Linux steps, executed: the page makes a kit, certlab-echo serves it, and
// a Chromium with a fresh HOME is started once (it opens chrome://certificate-manager, which
// makes its NSS database), closed, and then the guide's shell lines for this kit run with
// bash exactly as the engine renders them (`certlab guide . --platform linux --commands`, the
// lines README.txt and ./scripts/run print). Chromium then trusts the server and offers the
// client identity: the page's tester reports mutual TLS with CN alice. Twice: in a fresh home
// (Chromium makes ~/.local/share/pki/nssdb, the default since M146) and in a home where
// ~/.pki/nssdb already exists (Chromium keeps using it). Screenshots: test-output/e2e/guide-*.png.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { serveDir, CHROMIUM } from "../web/serve.mjs";
import { root, shots, bin, temp, startEcho, launchChromium, openPage, generateKit, connect, facts, P12_PASSWORD } from "./lib.mjs";

const NEW_DB = [".local", "share", "pki", "nssdb"];
const OLD_DB = [".pki", "nssdb"];

let server, origin, kit, echo;
before(async () => {
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

/** The guide's Linux shell lines for the kit, as `certlab guide` prints them. */
const guideLines = (...extra) =>
  execFileSync(bin("certlab"), ["guide", ".", "--platform", "linux", "--commands", ...extra], { cwd: kit, encoding: "utf8" });

/** Polls (up to `ms`, generous for busy machines) until `done()` is true. */
async function until(what, done, ms = 120_000) {
  const end = Date.now() + ms;
  while (!done()) {
    assert.ok(Date.now() < end, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Step 1 of the guide: start Chromium once, open its certificate manager, close it. */
async function startOnce(home) {
  const ctx = await launchChromium(home, echo.port);
  try {
    const page = await ctx.newPage();
    await page.goto("chrome://certificate-manager/");
    const made = () => [NEW_DB, OLD_DB].some((d) => existsSync(join(home, ...d, "cert9.db")));
    await until("Chromium's NSS database", made);
  } finally {
    await ctx.close();
  }
}

/** Runs the guide's lines with bash -e in the kit's folder, as the user `home`. */
function follow(home) {
  const lines = guideLines("--p12-password", P12_PASSWORD);
  execFileSync("bash", ["-e", "-c", lines], { cwd: kit, env: { ...process.env, HOME: home }, stdio: "pipe" });
  return lines;
}

/** The nicknames in the NSS DB at `dir`. */
const listed = (dir) => execFileSync("certutil", ["-L", "-d", `sql:${dir}`], { encoding: "utf8" });

/** Chromium, after the guide: the page's tester connects with mutual TLS, client CN alice. */
async function trustsAndOffers(home, label) {
  const from = echo.mark();
  const ctx = await launchChromium(home, echo.port);
  try {
    const { page, errors } = await openPage(ctx, `${origin}/`);
    const r = await connect(page, echo.url);
    assert.equal(r.verdict, "mutual", `${r.text}\n${r.log}`);
    const f = await facts(page);
    assert.equal(f["client-cn"], "alice");
    assert.equal(f["tls-version"], "TLS 1.3");
    await page.locator("#tester").screenshot({ path: join(shots, `guide-${label}.png`) });
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
  await echo.waitLog(/websocket open.*verdict=verified.*(peer|client)="?alice/, from);
}

test("README.txt carries exactly the lines certlab guide prints (the password aside)", () => {
  const readme = readFileSync(join(kit, "README.txt"), "utf8");
  const lines = guideLines().trimEnd().split("\n");
  assert.ok(lines.some((l) => l.startsWith("certutil -d sql:\"$db\" -A -t C,, -n ")), lines.join("\n"));
  for (const line of lines) assert.ok(readme.includes(`       ${line}\n`), `README.txt lacks: ${line}`);
  const withPassword = guideLines("--p12-password", P12_PASSWORD);
  assert.match(withPassword, new RegExp(`pk12util -d sql:"\\$db" -i alice\\.p12 -W ${P12_PASSWORD}\n`));
});

test("fresh home: Chromium makes ~/.local/share/pki/nssdb; the guide's lines import there; mutual TLS works", async () => {
  const home = temp("guide-fresh");
  await startOnce(home);
  assert.ok(existsSync(join(home, ...NEW_DB, "cert9.db")), "Chromium 146+ makes ~/.local/share/pki/nssdb");
  assert.ok(!existsSync(join(home, ".pki")), "and no ~/.pki");
  follow(home);
  const db = listed(join(home, ...NEW_DB));
  assert.match(db, /certlab Root CA/);
  assert.match(db, /alice/);
  assert.ok(!existsSync(join(home, ".pki")), "the guide created no ~/.pki");
  await trustsAndOffers(home, "fresh-home");
});

test("existing ~/.pki/nssdb: Chromium keeps it; the guide's lines import there; mutual TLS works", async () => {
  const home = temp("guide-old-db");
  mkdirSync(join(home, ...OLD_DB), { recursive: true });
  execFileSync("certutil", ["-N", "-d", `sql:${join(home, ...OLD_DB)}`, "--empty-password"]);
  await startOnce(home);
  assert.ok(!existsSync(join(home, ...NEW_DB)), "Chromium kept ~/.pki/nssdb and made no other database");
  follow(home);
  const db = listed(join(home, ...OLD_DB));
  assert.match(db, /certlab Root CA/);
  assert.match(db, /alice/);
  assert.ok(!existsSync(join(home, ...NEW_DB)), "the guide made no ~/.local/share/pki/nssdb");
  await trustsAndOffers(home, "old-db");
});
