// The plain-JS example page (crate/examples/js) in Debian's headless Chromium: it loads the
// wasm package, generates a kit, offers the zip; the zip's chain verifies with openssl, and
// the page made no request outside its own loopback origin.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile, mkdtemp, writeFile } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, dirname, extname, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const crateDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "crate");
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".ts": "text/plain" };

function serve() {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    try {
      const body = await readFile(join(crateDir, path));
      res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

test("the example page generates a kit and offers a zip that verifies", async () => {
  const server = await serve();
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ acceptDownloads: true });
    const requests = [];
    page.on("request", (r) => requests.push(r.url()));
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${origin}/examples/js/index.html`);
    await page.waitForFunction(() => document.getElementById("status").textContent === "ready");
    const before = requests.length;
    await page.selectOption("#preset", "mtls");
    await page.click("#generate");
    await page.waitForSelector("#download:not([hidden])");
    assert.equal(requests.length, before, `requests during generation: ${requests.slice(before)}`);
    assert.equal(await page.locator("#result tbody tr").count(), 4);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const dir = await mkdtemp(join(tmpdir(), "certlab-example-"));
    await download.saveAs(join(dir, "kit.zip"));
    execFileSync("python3", ["-m", "zipfile", "-e", "kit.zip", "."], { cwd: dir });
    const out = execFileSync("openssl", ["verify", "-purpose", "sslclient", "-CAfile", "certlab-kit/ca.crt", "certlab-kit/alice.crt"], { cwd: dir, encoding: "utf8" });
    assert.match(out, /OK/);
    // A bad name shows the field error, and the page still works afterwards.
    await page.fill("#names", "*.com");
    await page.click("#generate");
    await page.waitForFunction(() => document.getElementById("error").textContent.length > 0);
    assert.match(await page.textContent("#error"), /servers\[0\]\.names\[0\]/);
    await page.fill("#names", "localhost");
    await page.click("#generate");
    await page.waitForSelector("#download:not([hidden])");
    for (const url of requests) {
      assert.ok(url.startsWith(origin) || url.startsWith("blob:"), `request outside the page's origin: ${url}`);
    }
    assert.deepEqual(errors, []);
    await writeFile(join(dir, "ok"), "");
  } finally {
    await browser.close();
    server.close();
  }
});
