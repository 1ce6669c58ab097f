// The page (Trunk release build in ./dist) in Debian's headless Chromium: every preset
// generates; the downloaded zip is unpacked and checked with openssl; no request is made
// while generating; bad inputs show field errors and the page keeps working. Screenshots go
// to test-output/web/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, truncateSync, writeFileSync } from "node:fs";
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

async function openPage() {
  const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 1000 } });
  const requests = [];
  const errors = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${origin}/`);
  await page.waitForSelector("#generate");
  // Let the spare worker and the tools worker load before measuring requests.
  await toolsReady(page);
  await page.waitForLoadState("networkidle");
  return { page, requests, errors };
}

/** Waits until the tools worker has loaded (web/src/engine.rs); the generation worker before it. */
const toolsReady = (page) => page.waitForFunction(() => document.documentElement.dataset.tools === "ready", null, { timeout: 60_000 });

const openssl = (dir, ...args) => execFileSync("openssl", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

async function generateAndCheck(page, requests, name) {
  const before = requests.length;
  await page.click("#generate");
  await page.waitForSelector("#results", { timeout: 120_000 });
  assert.deepEqual(requests.slice(before), [], "the page made requests while generating");
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-zip")]);
  const dir = mkdtempSync(join(tmpdir(), `certlab-${name}-`));
  await download.saveAs(join(dir, "kit.zip"));
  execFileSync("python3", ["-m", "zipfile", "-e", "kit.zip", "."], { cwd: dir });
  const kit = join(dir, "certlab-kit");
  const manifest = JSON.parse(openssl(kit, "x509", "-noout", "-in", "ca.crt") === undefined ? "{}" : execFileSync("cat", ["manifest.json"], { cwd: kit, encoding: "utf8" }));
  for (const id of manifest.identities) {
    const root = manifest.identities.find((r) => r.role === "root-ca" && r.name === rootOf(manifest, id).name);
    const chain = id.files.chain ? ["-untrusted", id.files.chain] : [];
    if (id.role === "server") openssl(kit, "verify", "-purpose", "sslserver", "-CAfile", root.files.cert, ...chain, id.files.cert);
    if (id.role === "client" || id.role === "device") openssl(kit, "verify", "-purpose", "sslclient", "-CAfile", root.files.cert, ...chain, id.files.cert);
    for (const p12 of [id.files.p12_compat, id.files.p12_modern].filter(Boolean)) {
      openssl(kit, "pkcs12", "-in", p12, "-info", "-noout", "-passin", "pass:changeit");
    }
  }
  Object.defineProperty(manifest, "dir", { value: kit }); // where the zip was unpacked
  return manifest;
}

function rootOf(m, id) {
  let cur = id;
  for (let i = 0; i < 5 && cur.issuer !== cur.name; i++) cur = m.identities.find((x) => x.name === cur.issuer);
  return cur;
}

for (const preset of ["dev", "mtls", "iot"]) {
  test(`preset ${preset} generates a kit that openssl accepts`, async () => {
    const { page, requests, errors } = await openPage();
    await page.click(`[data-preset=${preset}]`);
    const m = await generateAndCheck(page, requests, `preset-${preset}`);
    const roles = new Set(m.identities.map((i) => i.role));
    assert.ok(roles.has("root-ca") && roles.has("server"));
    if (preset === "mtls") assert.ok(roles.has("client"));
    if (preset === "iot") assert.ok(roles.has("device") && roles.has("intermediate-ca"));
    assert.deepEqual(errors, []);
    await page.close();
  });
}

// The "Import it" tabs render the engine's guide: the same shell lines as the kit's
// README.txt. The iOS tab's profile downloads (the object URL outlives the click) and is the
// same file twice (UUIDs from the root's SHA-256); Python's plistlib finds the root in it.
test("the import guide: tabs from the engine, README.txt's lines, the same .mobileconfig twice", async () => {
  const { page, requests, errors } = await openPage();
  await page.click("[data-preset=mtls]");
  const m = await generateAndCheck(page, requests, "guide");
  const readme = execFileSync("cat", ["README.txt"], { cwd: m.dir, encoding: "utf8" });
  const tab = (label) => page.click(`#guide button[role=tab]:text-is("${label}")`);
  await tab("Chrome / Chromium on Linux");
  const blocks = await page.locator("#guide ol[data-platform=linux] pre.commands").allTextContents();
  assert.ok(blocks.length >= 2, blocks.join("\n---\n"));
  assert.match(blocks[0], /^db="\$HOME\/\.pki\/nssdb"; \[ -d "\$db" \] \|\| db="\$HOME\/\.local\/share\/pki\/nssdb"\n/);
  for (const line of blocks.join("\n").split("\n")) assert.ok(readme.includes(`       ${line}\n`), `README.txt lacks: ${line}`);
  // The snippets tab: the engine's snippets, the same as README.txt's CONNECT IT section.
  await tab("curl, Python, Node, nginx, Qt…");
  const snippets = await page.locator("#guide .snippet pre").allTextContents();
  const ids = await page.locator("#guide .snippet").evaluateAll((els) => els.map((e) => e.dataset.snippet));
  for (const id of ["certlab-echo", "curl-mtls", "nginx", "mosquitto-conf", "qt", "cute-listener"]) assert.ok(ids.includes(id), `no ${id} snippet: ${ids}`);
  assert.match(snippets.join("\n"), /setPrivateKey\(QSslKey\(keyFile\.readAll\(\), QSsl::Ec/);
  for (const line of snippets.join("\n").split("\n").filter((l) => l)) assert.ok(readme.includes(`    ${line}\n`), `README.txt lacks: ${line}`);
  await tab("Firefox (desktop)");
  assert.match(await page.textContent("#guide pre.file[data-file='policies.json']"), /"Install": \["ca\.crt"\]/);
  await tab("iPhone / iPad");
  assert.match(await page.textContent("#guide ol[data-platform=ios]"), /Certificate Trust Settings.*825 days/s);
  const profiles = [];
  for (const n of [1, 2]) {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#mobileconfig")]);
    assert.equal(download.suggestedFilename(), "certlab-root.mobileconfig");
    const path = join(m.dir, `profile-${n}.mobileconfig`);
    await download.saveAs(path);
    profiles.push(execFileSync("cat", [path], { encoding: "utf8" }));
  }
  assert.equal(profiles[0], profiles[1], "two downloads of the same root's profile differ");
  const der = join(m.dir, "ca.der");
  const py = "import plistlib,sys; p=plistlib.load(open(sys.argv[1],'rb')); r=p['PayloadContent'][0]; assert r['PayloadType']=='com.apple.security.root'; assert r['PayloadContent']==open(sys.argv[2],'rb').read(); print(p['PayloadUUID'])";
  assert.match(execFileSync("python3", ["-c", py, join(m.dir, "profile-1.mobileconfig"), der], { encoding: "utf8" }), /^[0-9A-F-]{36}\n$/);
  await page.locator("#guide").screenshot({ path: join(shots, "guide-ios.png") });
  assert.deepEqual(errors, []);
  await page.close();
});


test("ParaQ's roles: a server that is a TLS client too, a client that is a TLS server too", async () => {
  const { page, requests, errors } = await openPage();
  await page.click("[data-preset=mtls]");
  await page.check("input[name='servers[0].client_auth']");
  await page.check("input[name='clients[0].server_auth']");
  // Checking it offers the usual loopback names, which can be edited.
  assert.equal(await page.inputValue("input[name='clients[0].names']"), "localhost, 127.0.0.1");
  const m = await generateAndCheck(page, requests, "dual-purpose");
  const alice = m.identities.find((i) => i.name === "alice");
  assert.ok(alice.sans.includes("DNS:localhost"), JSON.stringify(alice.sans));
  openssl(m.dir, "verify", "-purpose", "sslserver", "-CAfile", "ca.crt", "alice.crt");
  openssl(m.dir, "verify", "-purpose", "sslclient", "-CAfile", "ca.crt", "server.crt");
  assert.deepEqual(errors, []);
  await page.close();
});

test("subject fields: a bad country is shown at its field, good ones reach every certificate", async () => {
  const { page, requests, errors } = await openPage();
  await page.click("[data-preset=mtls]");
  await page.fill("input[name='subject.country']", "France");
  const problem = await page.waitForSelector("li.field-error[data-field='subject.country']", { timeout: 60_000 });
  assert.match(await problem.textContent(), /two-letter/);
  assert.ok(await page.isDisabled("#generate"));
  await page.fill("input[name='subject.country']", "FR");
  await page.fill("input[name='subject.organization']", "ENIB");
  await page.waitForSelector("li.field-error[data-field='subject.country']", { state: "detached", timeout: 60_000 });
  // alice's own organisation, folded under her card in the editor; bob keeps the kit's.
  await page.click(".item:has(input[name='clients[0].subject.organization']) details.subject summary");
  await page.fill("input[name='clients[0].subject.organization']", "Cute");
  const m = await generateAndCheck(page, requests, "subject-fields");
  const subject = (name) => m.identities.find((i) => i.name === name).subject;
  assert.equal(subject("alice"), "C=FR, O=Cute, CN=alice");
  assert.equal(subject("bob"), "C=FR, O=ENIB, CN=bob");
  assert.match(openssl(m.dir, "x509", "-in", "ca.crt", "-noout", "-subject"), /C\s?=\s?FR, O\s?=\s?ENIB, OU/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a device list: pasted with a bad line (named at its line), then a CSV file chosen", async () => {
  const { page, requests, errors } = await openPage();
  await page.click("[data-preset=iot]");
  await page.selectOption("select[name='devices[0].named-by']", "list");
  await page.fill("textarea[name='devices[0].list']", "sn-001\nsn 002\nsn-001\n");
  const problem = await page.waitForSelector("li.field-error[data-field='devices[0].list']", { timeout: 60_000 });
  const all = await page.$$eval("li.field-error[data-field='devices[0].list']", (els) => els.map((e) => e.textContent));
  assert.match(all.join("\n"), /line 2: `sn 002` cannot be used as a file name/);
  assert.match(all.join("\n"), /line 3: `sn-001` repeats the device of line 1/);
  assert.ok(problem);
  assert.ok(await page.isDisabled("#generate"));
  // A spreadsheet's CSV, chosen as a file: `;` separators, a MAC address, SANs, an OU.
  const dir = mkdtempSync(join(tmpdir(), "certlab-list-"));
  writeFileSync(join(dir, "bench.csv"), "\ufeffname;names;ou\r\nAA:BB:CC:00:11:22;cam.lab 10.0.0.7;Bench A\r\nsn-002;;\r\n");
  await page.setInputFiles("input[name='devices[0].list-file']", join(dir, "bench.csv"));
  await page.waitForSelector("li.field-error[data-field='devices[0].list']", { state: "detached", timeout: 60_000 });
  const m = await generateAndCheck(page, requests, "device-list");
  const devices = m.identities.filter((i) => i.role === "device");
  assert.deepEqual(devices.map((d) => d.name), ["AA-BB-CC-00-11-22", "sn-002"]);
  assert.equal(devices[0].subject, "OU=Bench A, CN=AA:BB:CC:00:11:22");
  assert.deepEqual(devices[0].sans, ["DNS:cam.lab", "IP:10.0.0.7"]);
  // The firmware lines for the first device's header, as README.txt prints them.
  await page.click(`#guide button[role=tab]:text-is("curl, Python, Node, nginx, Qt…")`);
  const esp = await page.locator("#guide .snippet[data-snippet=esp-idf] pre").textContent();
  assert.match(esp, /#include "devices\/AA-BB-CC-00-11-22\.h"/);
  assert.match(esp, /\.credentials\.authentication\.key = certlab_aa_bb_cc_00_11_22_key_pem/);
  assert.equal(await page.locator("#guide .snippet[data-snippet=arduino]").count(), 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the PKCS#12 flavour choice: modern only, then compatible only", async () => {
  const { page, requests, errors } = await openPage();
  await page.click("[data-preset=mtls]");
  for (const [flavour, has, lacks, alg] of [["modern", "p12_modern", "p12_compat", "AES-256-CBC"], ["compatible", "p12_compat", "p12_modern", "TripleDES"]]) {
    await page.selectOption("select[name=p12_flavours]", flavour);
    const m = await generateAndCheck(page, requests, `p12-${flavour}`);
    const alice = m.identities.find((i) => i.name === "alice");
    assert.ok(alice.files[has] && !alice.files[lacks], `${flavour}: ${JSON.stringify(alice.files)}`);
    // openssl pkcs12 -info writes the algorithms to stderr.
    const info = spawnSync("openssl", ["pkcs12", "-in", alice.files[has], "-info", "-noout", "-passin", "pass:changeit"], { cwd: m.dir, encoding: "utf8" }).stderr;
    assert.match(info, new RegExp(alg));
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test("custom: RSA keys from WebCrypto, a separate client CA, a key passphrase", async () => {
  const { page, requests, errors } = await openPage();
  await page.click("[data-preset=custom]");
  await page.selectOption("select[name='root.key']", "rsa2048");
  await page.selectOption("select[name='servers[0].key']", "rsa3072");
  await page.click("text=Add client");
  await page.check("input[name=client_ca]");
  await page.fill("input[name=key_password]", "s3cret pass");
  const m = await generateAndCheck(page, requests, "custom-rsa");
  assert.equal(m.identities.find((i) => i.name === "server").key_algorithm, "rsa3072");
  // A secure context (127.0.0.1): the RSA keys came from WebCrypto, and no notice was shown.
  assert.equal(await page.locator("#rsa-notice").count(), 0);
  assert.equal(await page.getAttribute(".card[data-identity=ca] [data-key-source]", "data-key-source"), "webcrypto");
  assert.equal(await page.getAttribute(".card[data-identity=server] [data-key-source]", "data-key-source"), "webcrypto");
  assert.ok(m.identities.every((i) => i.key_encrypted));
  assert.ok(m.identities.some((i) => i.name === "client-ca"));
  // Every `openssl verify` a result card prints runs in the kit's folder; a client's root is
  // the separate client CA's file, not ca.crt.
  const lines = await page.$$eval("article.card details.learn pre", (ps) => ps.flatMap((p) => p.textContent.split("\n")).filter((l) => l.startsWith("openssl verify")));
  assert.ok(lines.some((l) => l.includes("-CAfile client-ca.crt")), lines.join("\n"));
  for (const l of lines) assert.match(execFileSync("sh", ["-c", l], { cwd: m.dir, encoding: "utf8" }), /OK/);
  assert.deepEqual(errors, []);
  await page.close();
});

// [field input, value, spec path the error must name]
const BAD = [
  ["input[name='servers[0].names']", "*.com", "servers[0].names[0]"],
  ["input[name='servers[0].names']", "a.*.b.lab", "servers[0].names[0]"],
  ["input[name='servers[0].names']", "bad_name.lab", "servers[0].names[0]"],
  ["input[name='servers[0].names']", "256.1.1.1", "servers[0].names[0]"],
  ["input[name='servers[0].names']", "fe80::1%eth0", "servers[0].names[0]"],
  ["input[name='servers[0].names']", "localhost, bücher.lab", "servers[0].names[1]"],
  ["input[name='servers[0].names']", "", "servers[0].names"],
  ["input[name='servers[0].days']", "0", "servers[0].days"],
  ["input[name='servers[0].days']", "5000", "servers[0].days"],
  ["input[name='root.days']", "99999", "root.days"],
  ["input[name='root.common_name']", "", "root.common_name"],
  ["input[name='root.common_name']", "x".repeat(70), "root.common_name"],
  ["input[name='p12_password']", "", "p12_password"],
  ["input[name='servers[0].name']", "../evil", "servers[0].name"],
  ["input[name='servers[0].name']", "", "servers[0].name"],
  ["input[name='clients[0].common_name']", "broker", "clients[0].name"],
  ["input[name='clients[0].email']", "alice@", "clients[0].email"],
  ["input[name='devices[0].pattern']", "sensor", "devices[0].pattern"],
  ["input[name='devices[0].count']", "0", "devices[0].count"],
  ["input[name='devices[0].count']", "20000", "devices[0].count"],
];

test("bad inputs show field errors beside the field; the page keeps working", async () => {
  const { page, errors } = await openPage();
  for (const [i, [selector, value, field]] of BAD.entries()) {
    await page.click("[data-preset=iot]");
    if (selector.includes("clients")) await page.click("text=Add client");
    await page.fill(selector, value);
    const note = page.locator(`li.field-error[data-field='${field}']`);
    await note.first().waitFor({ timeout: 5000 }).catch(() => {});
    assert.ok(await note.count() > 0, `case ${i} (${value}): no error for ${field}`);
    assert.ok(await page.isDisabled("#generate"), `case ${i}: Generate must be disabled`);
    if (i === 0) await page.screenshot({ path: join(shots, "bad-input.png"), fullPage: true });
  }
  // Still works: fix the last input and generate.
  await page.click("[data-preset=dev]");
  await page.click("#generate");
  await page.waitForSelector("#results", { timeout: 60_000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a number field with text that is no whole number says so and holds Generate", async () => {
  const { page, errors } = await openPage();
  await page.click("[data-preset=iot]");
  const field = "input[name='devices[0].start']";
  const note = page.locator("li.field-error[data-field='devices[0].start']");
  for (const typed of ["-1", "1e3"]) {
    await page.fill(field, typed);
    await note.first().waitFor({ timeout: 30_000 });
    assert.match(await note.first().innerText(), new RegExp(`${typed.replace("+", "\\+")}. is not a whole number`));
    assert.equal(await page.inputValue(field), typed, "the typed text stays in the box");
    assert.ok(await page.isDisabled("#generate"), `${typed}: Generate must wait`);
    assert.match(await page.innerText("#blocked"), /1 problem/);
    await page.fill(field, "5");
    await page.waitForFunction(() => !document.querySelector("li.field-error[data-field='devices[0].start']"), null, { timeout: 30_000 });
    assert.ok(!(await page.isDisabled("#generate")), "a whole number again: Generate is back");
  }
  // A field that goes away takes its report with it: a device list instead of the pattern.
  await page.fill(field, "-3");
  await note.first().waitFor({ timeout: 30_000 });
  await page.selectOption("select[name='devices[0].named-by']", "list");
  await page.fill("textarea[name='devices[0].list']", "sn-001\n");
  await page.waitForFunction(() => !document.getElementById("blocked"), null, { timeout: 30_000 });
  assert.ok(!(await page.isDisabled("#generate")), "no hidden field holds Generate");
  await page.selectOption("select[name='devices[0].named-by']", "pattern");
  // Removing a batch takes its bad text away, and the next batch's moves up with that batch:
  // batch 0 holds "-2", batch 1 "-4"; once batch 0 is gone the one left shows "-4".
  await page.fill(field, "-2");
  await note.first().waitFor({ timeout: 30_000 });
  await page.click("button.add:has-text('Add device batch')");
  const second = "input[name='devices[1].start']";
  await page.waitForSelector(second, { timeout: 30_000 });
  assert.equal(await page.inputValue(field), "-2", "adding a batch leaves the first one's text alone");
  await page.fill("input[name='devices[1].pattern']", "probe-{n}");
  await page.fill(second, "-4");
  await page.locator("li.field-error[data-field='devices[1].start']").first().waitFor({ timeout: 30_000 });
  assert.match(await page.innerText("#blocked"), /2 problems/);
  await page.locator("button.remove:has-text('Remove batch')").first().click();
  await page.waitForFunction(() => !document.querySelector("input[name='devices[1].start']"), null, { timeout: 30_000 });
  await page.waitForFunction(() => /1 problem\b/.test(document.getElementById("blocked")?.innerText ?? ""), null, { timeout: 30_000 });
  assert.equal(await page.inputValue(field), "-4", "the remaining batch keeps its own text");
  assert.match(await note.first().innerText(), /-4. is not a whole number/);
  await page.fill(field, "1");
  await page.waitForFunction(() => !document.getElementById("blocked"), null, { timeout: 30_000 });
  // A preset starts over: the field's bad text goes with it.
  await page.fill(field, "-7");
  await note.first().waitFor({ timeout: 30_000 });
  await page.click("[data-preset=dev]");
  await page.waitForFunction(() => !document.getElementById("blocked"), null, { timeout: 30_000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test("lint warns before generating: Ed25519 and Apple's 825 days", async () => {
  const { page } = await openPage();
  await page.selectOption("select[name='servers[0].key']", "ed25519");
  await page.fill("input[name='servers[0].days']", "900");
  await page.click("#generate").catch(() => {});
  const text = await page.textContent(".editor");
  assert.match(text, /browsers do not accept Ed25519/);
  assert.match(text, /825/);
  await page.close();
});

test("cancel stops a long run and the next one works", async () => {
  const { page } = await openPage();
  await page.click("[data-preset=iot]");
  await page.fill("input[name='devices[0].count']", "3000");
  await page.selectOption("select[name='devices[0].key']", "ecdsa-p384");
  await page.click("#generate");
  await page.waitForSelector("#progress");
  await page.click("#cancel");
  await page.waitForSelector("#cancelled");
  await page.fill("input[name='devices[0].count']", "5");
  await page.click("#generate");
  await page.waitForSelector("#results", { timeout: 60_000 });
  assert.match(await page.textContent(".summary"), /^8 identities/);
  await page.close();
});

test("a CA made by the CLI is imported in the page; the client issued under it verifies", async () => {
  const dir = mkdtempSync(join(tmpdir(), "certlab-import-"));
  execFileSync("cargo", ["run", "-q", "-p", "certlab", "--", "kit", "--out", join(dir, "cli-kit"), "--preset", "mtls", "--key-password", "capass"], { cwd: root, stdio: "ignore" });
  const { page, requests, errors } = await openPage();
  await page.click("#tools summary >> text=Issue more");
  await page.setInputFiles("input[name=ca-cert-file]", join(dir, "cli-kit", "ca.crt"));
  await page.setInputFiles("input[name=ca-key-file]", join(dir, "cli-kit", "ca.key"));
  // Wrong passphrase first: a clear error, nothing lost.
  await page.fill("input[name=ca-key-password]", "wrong");
  await page.fill("input[name=leaf-name]", "carol");
  await page.click("#issue");
  await page.waitForSelector("#issue-error");
  assert.match(await page.textContent("#issue-error"), /passphrase/);
  await page.fill("input[name=ca-key-password]", "capass");
  const before = requests.length;
  await page.click("#issue");
  await page.waitForSelector("#issued");
  assert.deepEqual(requests.slice(before), []);
  await page.screenshot({ path: join(shots, "import-ca.png"), fullPage: true });
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-issued")]);
  await download.saveAs(join(dir, "issued.zip"));
  execFileSync("python3", ["-m", "zipfile", "-e", "issued.zip", "."], { cwd: dir });
  const out = openssl(dir, "verify", "-purpose", "sslclient", "-CAfile", join("cli-kit", "ca.crt"), join("certlab-issued", "carol.crt"));
  assert.match(out, /OK/);
  openssl(dir, "pkcs12", "-in", join("certlab-issued", "carol.p12"), "-info", "-noout", "-passin", "pass:changeit");
  // The same CA exported by openssl as one .p12 (as XCA and Windows export a CA): no certificate file.
  openssl(dir, "pkcs12", "-export", "-inkey", join("cli-kit", "ca.key"), "-passin", "pass:capass", "-in", join("cli-kit", "ca.crt"), "-passout", "pass:p12pass", "-out", "ca.p12");
  await page.fill("textarea[name=ca-cert-text]", "");
  await page.setInputFiles("input[name=ca-cert-file]", []);
  await page.setInputFiles("input[name=ca-key-file]", join(dir, "ca.p12"));
  await page.fill("input[name=ca-key-password]", "p12pass");
  await page.fill("input[name=leaf-name]", "dave");
  await page.click("#issue");
  await page.waitForFunction(() => document.querySelector("#issued")?.textContent.includes("dave"), null, { timeout: 60_000 });
  // Inspect a .p12 from the CLI kit.
  await page.click("#tools summary >> text=Inspect");
  await page.setInputFiles("input[name=inspect-file]", join(dir, "cli-kit", "alice.p12"));
  await page.fill("input[name=inspect-password]", "changeit");
  await page.click("#inspect");
  await page.waitForSelector("#inspection");
  assert.match(await page.textContent("#inspection"), /PKCS#12[\s\S]*alice/);
  // A file larger than any real input is refused before it is read, with a sentence.
  const huge = join(dir, "disk.img");
  writeFileSync(huge, "");
  truncateSync(huge, 17 * 1024 * 1024);
  await page.setInputFiles("input[name=inspect-file]", huge);
  const refusal = await page.waitForSelector("li[data-field=inspect-file]", { timeout: 60_000 });
  assert.match(await refusal.textContent(), /disk\.img is 17 MiB, larger than any certificate.*16 MiB at most.*Choose the file itself/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the single-file build works from file:// (worker from a blob:, no other request)", async () => {
  const page = await browser.newPage({ acceptDownloads: true });
  const requests = [];
  const errors = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`file://${join(root, "dist", "certlab.html")}`);
  await page.waitForSelector("#generate");
  // Its workers are all started before the requests are counted.
  await toolsReady(page);
  await page.click("[data-preset=mtls]");
  const m = await generateAndCheck(page, requests, "single-file");
  assert.equal(m.identities.length, 4);
  for (const url of requests) {
    assert.ok(url.startsWith("file://") || url.startsWith("blob:"), `unexpected request ${url}`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});
