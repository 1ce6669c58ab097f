// The kit shape a browser meets hardest, end to end in Debian's Chromium (issue 14 §1): a kit
// with an intermediate and a separate client CA (`certlab kit --preset mtls --intermediate
// --separate-client-ca`). certlab-echo runs exactly the `certlab-echo serve` line the kit's
// README.txt prints (the engine's Manifest::presented and client_trust: the server's full
// chain, the client CA for client certificates); Chromium's NSS DB trusts only the root the
// README's probe line names, and holds alice's .p12 (issued by the client CA). A plain page of
// the server's own origin primes the client certificate with an https:// navigation
// (Chromium offers none on a wss:// handshake: browser-testing.md) and then opens a wss://
// connection as an mTLS client: the greeting names alice, verified, and the echo comes back.
// Without the root Chromium refuses the server; a client of the server root (not the client
// CA) is not accepted. Each case gets a fresh HOME (NSS DB) and profile.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { shots, bin, temp, startEcho, nssHome, launchChromium } from "./lib.mjs";

/** The kit: made by the certlab CLI, its README.txt's serve and probe lines, its manifest. */
function makeKit() {
  const dir = join(temp("shapes"), "kit");
  execFileSync(bin("certlab"), ["kit", "--out", dir, "--preset", "mtls", "--intermediate", "--separate-client-ca"], { stdio: "ignore" });
  const readme = readFileSync(join(dir, "README.txt"), "utf8");
  const serve = readme.match(/^ *certlab-echo serve (.*)$/m);
  const probe = readme.match(/^ *certlab-echo probe \S+ --ca (\S+) /m);
  assert.ok(serve && probe, `README.txt has no certlab-echo serve/probe lines:\n${readme}`);
  const args = serve[1].split(" ").map((a) => (/^(127\.0\.0\.1|localhost):\d+$/.test(a) ? "127.0.0.1:0" : a));
  assert.ok(args.includes("127.0.0.1:0"), `no --listen address in: ${serve[0]}`);
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  const id = (name) => manifest.identities.find((i) => i.name === name);
  return { dir, args, root: join(dir, probe[1]), id };
}

/** Opens https://localhost:PORT/ (the server's own page), then /info and a wss:// echo from it. */
async function fromPage(ctx, echo) {
  const page = await ctx.newPage();
  const response = await page.goto(echo.https, { timeout: 60_000 });
  assert.equal(response.status(), 200);
  const seen = await page.evaluate(async (url) => {
    const info = await (await fetch("/info", { credentials: "include" })).json();
    const ws = new WebSocket(url);
    const next = () =>
      new Promise((ok, fail) => {
        ws.onmessage = (e) => ok(e.data);
        ws.onerror = () => fail(new Error("websocket error"));
        ws.onclose = (e) => fail(new Error(`websocket closed: ${e.code} ${e.reason}`));
      });
    const greeting = JSON.parse(await next());
    const echoed = next();
    ws.send("hello from Chromium");
    const back = await echoed;
    ws.close();
    return { info, greeting, back };
  }, echo.url);
  return { page, ...seen };
}

describe("intermediate + separate client CA, in Chromium", () => {
  let kit, echo;
  before(async () => {
    kit = makeKit();
    echo = await startEcho(kit.dir, { args: kit.args });
  });
  after(() => echo?.stop());

  test("mutual TLS: NSS trusts only the root, alice (client CA) connects over wss://", async () => {
    const alice = kit.id("alice");
    const clientCa = kit.id(alice.issuer);
    assert.notEqual(kit.root, join(kit.dir, clientCa.files.cert), "the client CA is not the server's root");
    const home = nssHome("shapes-mtls", { root: kit.root, p12: join(kit.dir, alice.files.p12_compat) });
    const from = echo.mark();
    const ctx = await launchChromium(home, echo.port, clientCa.common_name);
    try {
      const { page, info, greeting, back } = await fromPage(ctx, echo);
      for (const seen of [info, greeting]) {
        assert.equal(seen.verdict, "verified", JSON.stringify(seen));
        assert.equal(seen.client_certificate.common_name, "alice");
        assert.equal(seen.client_certificate.sha256, alice.sha256);
        assert.equal(seen.client_certificate.issuer, clientCa.subject);
      }
      assert.equal(back, "hello from Chromium");
      await page.screenshot({ path: join(shots, "shapes-mtls.png") }); // the server's own page
    } finally {
      await ctx.close();
    }
    await echo.waitLog(/websocket open.*verdict=verified.*peer="alice"/, from, 30_000);
  });

  test("without the root: Chromium refuses the server's chain", async () => {
    const home = nssHome("shapes-no-root", { p12: join(kit.dir, kit.id("alice").files.p12_compat) });
    const ctx = await launchChromium(home, echo.port, kit.id(kit.id("alice").issuer).common_name);
    try {
      const page = await ctx.newPage();
      await assert.rejects(page.goto(echo.https, { timeout: 60_000 }), /ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await ctx.close();
    }
  });

  test("a client of the server's root (not the client CA) is not accepted", async () => {
    const root = kit.id(kit.id("server").issuer).issuer; // server → intermediate → root
    const other = temp("shapes-wrong-root");
    const ca = kit.id(root);
    execFileSync(bin("certlab"), ["issue", "--ca-cert", join(kit.dir, ca.files.cert), "--ca-key", join(kit.dir, ca.files.key), "--client", "mallory", "--out", other], { stdio: "ignore" });
    const mallory = JSON.parse(readFileSync(join(other, "manifest.json"), "utf8")).identities.find((i) => i.name === "mallory");
    const home = nssHome("shapes-wrong-root", { root: kit.root, p12: join(other, mallory.files.p12_compat) });
    const ctx = await launchChromium(home, echo.port, ca.common_name);
    try {
      const { info, greeting } = await fromPage(ctx, echo);
      // The server lists only the client CA: Chromium keeps mallory back, the server sees none.
      for (const seen of [info, greeting]) {
        assert.equal(seen.verdict, "no client certificate", JSON.stringify(seen));
        assert.equal(seen.client_certificate, null);
      }
    } finally {
      await ctx.close();
    }
  });
});
