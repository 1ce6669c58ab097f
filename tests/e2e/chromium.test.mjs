// End to end in Debian's Chromium: the page makes a kit, certlab-echo serves it over wss://
// on loopback, and the page's own "Test connection" panel connects — one-way, mutual TLS,
// without the root, with a client from another kit's CA, from the single-file build — for
// ECDSA P-256, P-384 and RSA-2048 kits; an Ed25519 kit is warned about before generating and
// refused by Chromium and NSS. Each case gets a fresh HOME (its own NSS DB) and profile.
// Screenshots: test-output/e2e/.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { serveDir, CHROMIUM } from "../web/serve.mjs";
import { root, shots, bin, temp, sameNameCa, startEcho, nssHome, nssRefuses, launchChromium, openPage, generateKit, connect, echoBoth, facts, freePort } from "./lib.mjs";

let server, origin, maker;
before(async () => {
  ({ server, origin } = await serveDir(join(root, "dist")));
  maker = await chromium.launch(CHROMIUM); // makes the kits; the test browsers get their own HOME
});
after(async () => {
  await maker?.close();
  server?.close();
});

/** A kit made by the page with every key `key`, and certlab-echo serving it (optional mTLS). */
function kitAndServer(key, opts) {
  const s = {};
  before(async () => {
    const ctx = await maker.newContext({ acceptDownloads: true });
    const { page, requests, errors } = await openPage(ctx, `${origin}/`);
    s.kit = await generateKit(page, requests, key, opts);
    assert.deepEqual(errors, []);
    await ctx.close();
    s.echo = await startEcho(s.kit);
  });
  after(() => s.echo?.stop());
  return s;
}

async function withChromium(label, home, port, run) {
  const ctx = await launchChromium(home, port);
  try {
    const { page, errors, requests } = await openPage(ctx, `${origin}/`);
    await run(page, ctx, requests);
    await page.locator("#tester").screenshot({ path: join(shots, `${label}.png`) });
    assert.deepEqual(errors, [], "page errors");
  } finally {
    await ctx.close();
  }
}

/** Case 1: the kit's root imported; the tester connects over wss:// one-way; exact echo. */
async function oneWay(s, label) {
  const home = nssHome(label, { root: join(s.kit, "ca.crt") });
  const from = s.echo.mark();
  await withChromium(label, home, s.echo.port, async (page, _, requests) => {
    await page.waitForLoadState("networkidle");
    const before = requests.length;
    const r = await connect(page, s.echo.url);
    assert.equal(r.verdict, "one-way", `${r.text}\n${r.log}`);
    // Pressing Connect made exactly one http request, the https:// one (the WebSocket aside).
    assert.deepEqual(requests.slice(before), [s.echo.https]);
    assert.match(r.log, /step 1 of 2: an https:\/\/ request to https:\/\/localhost:\d+\/ with credentials/);
    assert.match(r.log, /answered: the server is running and this browser trusts its certificate/);
    const f = await facts(page);
    assert.equal(f["tls-version"], "TLS 1.3");
    assert.match(f.cipher, /^TLS13_/);
    assert.equal(f.verdict, "one-way TLS: no client certificate");
    await echoBoth(page, "hello certlab ✓");
  });
  await s.echo.waitLog(/websocket open.*verdict=no client certificate/, from);
}

/** Case 3: the client's compatible .p12 imported; the greeting names its CN. */
async function mutual(s, label, url = `${origin}/`) {
  const home = nssHome(label, { root: join(s.kit, "ca.crt"), p12: join(s.kit, "alice.p12") });
  const from = s.echo.mark();
  const ctx = await launchChromium(home, s.echo.port);
  try {
    const { page, errors } = await openPage(ctx, url);
    const r = await connect(page, s.echo.url);
    assert.equal(r.verdict, "mutual", `${r.text}\n${r.log}`);
    const f = await facts(page);
    assert.equal(f["client-cn"], "alice");
    assert.match(f["client-issuer"], /certlab Root CA/);
    assert.match(f.verdict, /^mutual TLS: client certificate verified/);
    assert.match(r.text, /the server verified this browser's client certificate alice/);
    await echoBoth(page, `mutual ${label}`);
    await page.locator("#tester").screenshot({ path: join(shots, `${label}.png`) });
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
  await s.echo.waitLog(/websocket open.*verdict=verified.*(peer|client)="?alice/, from);
}

describe("ECDSA P-256 kit", () => {
  const s = kitAndServer("ecdsa-p256");

  test("1. one-way: the page's kit, its root imported: wss:// connects and echoes exactly", () => oneWay(s, "p256-one-way"));

  test("2. without the root: the tester shows the failure and the hint; so does a server that is not running", async () => {
    const home = nssHome("p256-no-root");
    const from = s.echo.mark();
    await withChromium("p256-no-root", home, s.echo.port, async (page, ctx) => {
      // A kit made in this page: the hints use its file names.
      await page.click("[data-preset=mtls]");
      await page.click("#generate");
      await page.waitForSelector("#results", { timeout: 60_000 });
      const r = await connect(page, s.echo.url);
      assert.equal(r.diagnosis, "unreachable", `${r.text}\n${r.log}`);
      assert.match(await page.textContent("#tester-hint [data-cause=root]"), /does not trust the server's certificate: the kit's root ca\.crt is not imported/);
      assert.equal(await page.getAttribute("#tester-hint a[href='#guide']", "href"), "#guide");
      assert.equal(await page.getAttribute(`#tester-hint a[href='${s.echo.https}']`, "target"), "_blank");
      assert.match(r.log, /did not answer\. Browsers do not tell pages why/);
      assert.match(r.log, /closed: code 1006/);
      // The browser's own error, as the hint tells the user to look at it.
      const tab = await ctx.newPage();
      await assert.rejects(tab.goto(s.echo.https), /ERR_CERT_AUTHORITY_INVALID/);
      await tab.close();
      // Nothing listening: the same hint, with the exact command for this kit.
      const port = await freePort();
      const r2 = await connect(page, `wss://localhost:${port}/`);
      assert.equal(r2.diagnosis, "unreachable");
      assert.equal(
        await page.textContent("#tester-hint [data-cause=not-running] pre"),
        `certlab-echo serve --cert server.fullchain.pem --key server.key --client-ca ca.crt --client-auth optional --listen 127.0.0.1:${port}`,
      );
    });
    await s.echo.waitLog(/TLS handshake failed/, from);
  });

  test("3. mutual TLS: alice.p12 imported: the greeting names CN alice", () => mutual(s, "p256-mutual"));

  // Another kit's root has another name (a random OU per kit), so Chromium does not offer its
  // alice to a server that lists this kit's CA: with client certificates required, the server
  // refuses a handshake without one, and the page names that cause among the likely ones.
  test("4. a client from another kit's CA: not offered, the server refuses, the page says so", async () => {
    const other = join(temp("other"), "kit");
    execFileSync(bin("certlab"), ["kit", "--out", other, "--preset", "mtls", "--p12-password", "changeit"], { stdio: "ignore" });
    const strict = await startEcho(s.kit, { clientAuth: "required" });
    try {
      const home = nssHome("p256-other-ca", { root: join(s.kit, "ca.crt"), p12: join(other, "alice.p12") });
      await withChromium("p256-other-ca", home, strict.port, async (page) => {
        const r = await connect(page, strict.url);
        assert.equal(r.diagnosis, "unreachable", `${r.text}\n${r.log}`);
        assert.match(await page.textContent("#tester-hint [data-cause=client-cert]"), /client certificate/);
      });
      await strict.waitLog(/TLS handshake failed: .*no client certificate was sent/);
    } finally {
      await strict.stop();
    }
  });

  // Someone else's CA with this kit's root's very name (made by openssl): Chromium offers its
  // alice (it matches issuers by name) and certlab-echo refuses it (bad signature). Chromium
  // sends its chosen certificate even on a credential-less request, so the page cannot single
  // this cause out in Chromium (Firefox can: firefox.test.mjs); it lists it with the others.
  test("4b. a client from a CA with the same name: the server refuses it and the page says so", async () => {
    const same = sameNameCa(s.kit);
    const home = nssHome("p256-same-name-ca", { root: join(s.kit, "ca.crt"), p12: join(same, "alice.p12") });
    const from = s.echo.mark();
    await withChromium("p256-same-name-ca", home, s.echo.port, async (page) => {
      const r = await connect(page, s.echo.url);
      assert.equal(r.diagnosis, "unreachable", `${r.text}\n${r.log}`);
      assert.match(
        await page.textContent("#tester-hint [data-cause=client-cert]"),
        /The server refused the client certificate this browser sent \(certlab-echo refuses one from another CA, even a CA with the same name/,
      );
    });
    await s.echo.waitLog(/TLS handshake failed: client certificate refused: .*BadSignature/, from);
  });

  test("the tester works from the single-file build (file://), mutual TLS", () => mutual(s, "p256-single-file", `file://${join(root, "dist", "certlab.html")}`));

  test("a bad URL is a field error and nothing is requested", async () => {
    const ctx = await maker.newContext();
    const { page, requests } = await openPage(ctx, `${origin}/`);
    await page.waitForLoadState("networkidle");
    const before = requests.length;
    await page.fill("input[name=tester-url]", "https://localhost:8443/");
    await page.click("#tester-connect");
    assert.match(await page.textContent("#tester-url-error"), /must start with wss:\/\/ or ws:\/\/, e\.g\. wss:\/\/localhost:8443\//);
    assert.deepEqual(requests.slice(before), []);
    await ctx.close();
  });
});

for (const [key, name] of [["ecdsa-p384", "p384"], ["rsa2048", "rsa2048"]]) {
  describe(`${key} kit`, () => {
    const s = kitAndServer(key);
    test(`1. one-way with a ${key} kit`, () => oneWay(s, `${name}-one-way`));
    test(`3. mutual TLS with a ${key} kit`, () => mutual(s, `${name}-mutual`));
  });
}

describe("Ed25519 kit", () => {
  const s = kitAndServer("ed25519", { expectLint: /browsers do not accept Ed25519 certificates: Chromium offers no Ed25519 signature scheme/ });

  test("NSS refuses its root and its key; Chromium refuses the handshake", async () => {
    const home = nssHome("ed25519");
    const db = `sql:${join(home, ".pki", "nssdb")}`;
    assert.match(nssRefuses("certutil", ["-A", "-d", db, "-t", "C,,", "-n", "ed", "-i", join(s.kit, "ca.crt")]), /SEC_ERROR/);
    assert.match(nssRefuses("pk12util", ["-i", join(s.kit, "alice.p12"), "-d", db, "-W", "changeit", "-K", ""]), /SEC_ERROR|unable/i);
    const from = s.echo.mark();
    await withChromium("ed25519", home, s.echo.port, async (page) => {
      const r = await connect(page, s.echo.url);
      assert.equal(r.diagnosis, "unreachable", `${r.text}\n${r.log}`);
    });
    // The server's side: Chromium offered no signature scheme an Ed25519 key can make.
    await s.echo.waitLog(/TLS handshake failed: .*NoSignatureSchemesInCommon/, from);
  });
});
