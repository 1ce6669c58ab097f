// The npm package as a user gets it: `npm pack` of crate/pkg (made by ./scripts/wasm-pkg),
// installed from the tarball into a fresh project (`npm install --offline`: a local tarball
// without dependencies needs no registry), then imported by name — from node (ESM, through
// the package's `exports`) and from a bundler-free page (an import map) in Debian's headless
// Chromium. Both make a kit whose chain `openssl verify` accepts.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile, mkdtemp, writeFile, mkdir } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, dirname, extname, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pkgDir = join(root, "crate", "pkg");
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
let project;
let tarball;

before(async () => {
  const out = await mkdtemp(join(tmpdir(), "certlab-pack-"));
  const [packed] = JSON.parse(run("npm", ["pack", pkgDir, "--json", "--pack-destination", out], root));
  tarball = join(out, packed.filename);
  project = join(out, "project");
  await mkdir(project);
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "uses-certlab", private: true, type: "module" }));
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", tarball], project);
});

test("the tarball holds a complete package: exports, types, wasm, licences", () => {
  const files = run("tar", ["-tzf", tarball], root).split("\n").filter(Boolean);
  for (const f of ["certlab.js", "certlab.d.ts", "certlab_bg.wasm", "certlab_bg.wasm.d.ts", "LICENSE-MIT", "LICENSE-APACHE", "README.md", "package.json"]) {
    assert.ok(files.includes(`package/${f}`), `${f} missing from ${files}`);
  }
  const pkg = JSON.parse(run("tar", ["-xzOf", tarball, "package/package.json"], root));
  assert.equal(pkg.name, "certlab");
  assert.equal(pkg.license, "MIT OR Apache-2.0");
  assert.match(pkg.version, /^\d+\.\d+\.\d+/);
  assert.equal(pkg.types, "certlab.d.ts");
  assert.deepEqual(pkg.exports["."], { types: "./certlab.d.ts", import: "./certlab.js", default: "./certlab.js" });
  assert.equal(pkg.repository, undefined, "no placeholder repository");
});

const spec = { p12_password: "pw", servers: [{ name: "server", names: ["localhost", "127.0.0.1"] }] };

async function verifyPem(files) {
  const dir = await mkdtemp(join(tmpdir(), "certlab-pack-kit-"));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  assert.match(run("openssl", ["verify", "-CAfile", "ca.crt", "server.crt"], dir), /server.crt: OK/);
}

test("node imports the installed package by name (ESM) and makes a kit", async () => {
  const script = `
    import { initSync, generateKit } from "certlab";
    import { readFileSync } from "node:fs";
    initSync({ module: readFileSync(new URL(import.meta.resolve("certlab/certlab_bg.wasm"))) });
    const kit = generateKit(${JSON.stringify(spec)});
    const text = (p) => new TextDecoder().decode(kit.files.find((f) => f.path === p).bytes);
    console.log(JSON.stringify({ names: kit.manifest.identities.map((i) => i.name), ca: text("ca.crt"), server: text("server.crt") }));
  `;
  await writeFile(join(project, "use.mjs"), script);
  const out = JSON.parse(run("node", ["use.mjs"], project));
  assert.deepEqual(out.names, ["ca", "server"]);
  await verifyPem({ "ca.crt": out.ca, "server.crt": out.server });
});

const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };
const page = `<!doctype html><meta charset="utf-8"><title>uses certlab</title>
<script type="importmap">{ "imports": { "certlab": "/node_modules/certlab/certlab.js" } }</script>
<link rel="icon" href="data:,">
<script type="module">
  import init, { generateKit } from "certlab";
  try {
    await init();
    const kit = generateKit(${JSON.stringify(spec)});
    const text = (p) => new TextDecoder().decode(kit.files.find((f) => f.path === p).bytes);
    window.result = { names: kit.manifest.identities.map((i) => i.name), ca: text("ca.crt"), server: text("server.crt") };
  } catch (e) {
    window.result = { error: String(e) };
  }
</script>`;

function serve(dir) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    try {
      const body = await readFile(join(dir, path));
      res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

test("a bundler-free page imports the installed package through an import map (Chromium)", async () => {
  await writeFile(join(project, "index.html"), page);
  const server = await serve(project);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const tab = await browser.newPage();
    const errors = [];
    tab.on("pageerror", (e) => errors.push(String(e)));
    const failed = [];
    tab.on("requestfailed", (r) => failed.push(r.url()));
    tab.on("response", (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));
    await tab.goto(`${origin}/index.html`);
    await tab.waitForFunction(() => window.result !== undefined, null, { timeout: 120_000 });
    const out = await tab.evaluate(() => window.result);
    assert.equal(out.error, undefined);
    assert.deepEqual(out.names, ["ca", "server"]);
    await verifyPem({ "ca.crt": out.ca, "server.crt": out.server });
    assert.deepEqual(errors, []);
    assert.deepEqual(failed, []);
  } finally {
    await browser.close();
    server.close();
  }
});
