// The wasm-pack build of the engine (`crate/pkg`, --target web) used from node, the way any
// web app would use it: kits made through the JS API are checked with `openssl verify`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pkg = join(root, "crate", "pkg");
const certlab = await import(join(pkg, "certlab.js"));
certlab.initSync({ module: readFileSync(join(pkg, "certlab_bg.wasm")) });

function writeKit(kit) {
  const dir = mkdtempSync(join(tmpdir(), "certlab-js-"));
  for (const f of kit.files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.bytes);
  }
  return dir;
}

const openssl = (dir, ...args) => execFileSync("openssl", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

function mtls(key) {
  return {
    p12_password: "pw",
    root: { name: "ca", common_name: "JS Root", key },
    servers: [{ name: "server", names: ["localhost", "127.0.0.1", "::1"], key }],
    clients: [{ name: "alice", common_name: "alice", key }],
  };
}

for (const key of ["ecdsa-p256", "ecdsa-p384", "ed25519"]) {
  test(`generateKit ${key}: chains verify with openssl, p12 opens`, () => {
    const kit = certlab.generateKit(mtls(key), { zip: true });
    assert.equal(kit.manifest.identities.length, 3);
    assert.ok(kit.zip instanceof Uint8Array && kit.zip[0] === 0x50 && kit.zip[1] === 0x4b);
    const dir = writeKit(kit);
    assert.match(openssl(dir, "verify", "-purpose", "sslserver", "-CAfile", "ca.crt", "server.crt"), /server.crt: OK/);
    assert.match(openssl(dir, "verify", "-purpose", "sslclient", "-CAfile", "ca.crt", "alice.crt"), /alice.crt: OK/);
    openssl(dir, "pkcs12", "-in", "alice.p12", "-info", "-noout", "-passin", "pass:pw");
    openssl(dir, "pkcs12", "-in", "alice.modern.p12", "-info", "-noout", "-passin", "pass:pw");
  });
}

test("RSA keys from WebCrypto are certified (the page's path)", async () => {
  const pair = await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true, ["sign", "verify"]);
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
  const spec = mtls("ecdsa-p256");
  spec.servers[0].key = "rsa2048";
  const kit = certlab.generateKit(spec, { keys: { server: pkcs8 } });
  const dir = writeKit(kit);
  openssl(dir, "verify", "-purpose", "sslserver", "-CAfile", "ca.crt", "server.crt");
  const certKey = openssl(dir, "x509", "-in", "server.crt", "-noout", "-pubkey");
  writeFileSync(join(dir, "webcrypto.spki"), spki);
  const given = openssl(dir, "pkey", "-pubin", "-inform", "DER", "-in", "webcrypto.spki");
  assert.equal(certKey, given);
});

test("errors are JS Errors carrying field, kind and fix", () => {
  const spec = mtls("ecdsa-p256");
  spec.servers[0].names = ["*.com", "bad_name.lab"];
  assert.throws(() => certlab.generateKit(spec), (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.field, "servers[0].names[0]");
    assert.equal(e.kind, "bad-wildcard");
    assert.ok(e.fix.length > 0);
    assert.equal(e.errors.length, 2);
    assert.equal(e.errors[1].field, "servers[0].names[1]");
    assert.equal(e.errors[1].kind, "invalid-dns-name");
    return true;
  });
  assert.deepEqual(certlab.validate(spec).map((f) => f.kind), ["bad-wildcard", "invalid-dns-name"]);
  assert.deepEqual(certlab.validate(mtls("ecdsa-p256")), []);
  assert.throws(() => certlab.generateKit({ servrs: [] }), /servrs/);
});

test("issue and signCsr under an existing CA; inspect and lint", () => {
  const kit = certlab.generateKit(mtls("ecdsa-p256"));
  const dir = writeKit(kit);
  const caCert = readFileSync(join(dir, "ca.crt"), "utf8");
  const caKey = readFileSync(join(dir, "ca.key"), "utf8");
  const more = certlab.issue(caCert, caKey, { role: "client", common_name: "carol", p12_password: "pw" });
  const moreDir = writeKit(more);
  writeFileSync(join(moreDir, "root.crt"), caCert);
  openssl(moreDir, "verify", "-purpose", "sslclient", "-CAfile", "root.crt", "carol.crt");
  assert.ok(!more.files.some((f) => f.path === "ca.key"), "the CA key is never re-exported");

  // The CA as openssl users have it: a traditionally encrypted PEM key, and a .p12 bundle
  // with no certificate file beside it.
  openssl(dir, "ec", "-in", "ca.key", "-aes256", "-passout", "pass:tradpw", "-out", "ca-trad.key");
  openssl(dir, "pkcs12", "-export", "-inkey", "ca.key", "-in", "ca.crt", "-passout", "pass:p12pw", "-out", "ca.p12");
  for (const [cert, key, password] of [[caCert, readFileSync(join(dir, "ca-trad.key"), "utf8"), "tradpw"], ["", readFileSync(join(dir, "ca.p12")), "p12pw"]]) {
    const k = certlab.issue(cert, key, { role: "client", common_name: "dora", p12_password: "pw" }, { caKeyPassword: password });
    const kDir = writeKit(k);
    writeFileSync(join(kDir, "root.crt"), caCert);
    openssl(kDir, "verify", "-purpose", "sslclient", "-CAfile", "root.crt", "dora.crt");
    assert.throws(() => certlab.issue(cert, key, { role: "client", common_name: "x", p12_password: "pw" }, { caKeyPassword: "wrong" }), (e) => e.kind === "wrong-password");
  }

  openssl(dir, "req", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-keyout", "dev.key",
    "-subj", "/CN=meter-1", "-addext", "subjectAltName=DNS:localhost", "-out", "dev.csr");
  const signed = certlab.signCsr(caCert, caKey, readFileSync(join(dir, "dev.csr")), { role: "server" });
  const sDir = writeKit(signed);
  writeFileSync(join(sDir, "root.crt"), caCert);
  openssl(sDir, "verify", "-purpose", "sslserver", "-CAfile", "root.crt", "meter-1.crt");

  const p12 = kit.files.find((f) => f.path === "alice.p12").bytes;
  const seen = certlab.inspect(p12, "pw");
  assert.equal(seen.format, "PKCS#12");
  assert.deepEqual(seen.items.map((i) => i.type), ["private-key", "certificate", "certificate"]);
  assert.equal(seen.items[1].common_name, "alice");
  assert.throws(() => certlab.inspect(p12, "nope"), (e) => e.kind === "wrong-password");

  const findings = certlab.lint({ ...mtls("ed25519"), p12_password: "" });
  const rules = findings.map((f) => f.rule);
  assert.ok(rules.includes("ed25519-not-for-browsers") && rules.includes("empty-p12-password"), rules.join());
});
