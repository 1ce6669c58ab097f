// Debian's firefox-esr, headless, in a fresh profile, driven over WebDriver BiDi — the
// standard protocol built into Firefox (`--remote-debugging-port`), so the stock browser is
// used (Playwright would need its own patched Firefox). The test fills the page's fields
// and clicks its buttons through `script.evaluate`, then reads the page's own log and verdict
// back the same way: that is how Firefox reports its result to the test. The page carries no
// test hook.
//
// The profile trusts the kit's root and holds the client identity through NSS (`certutil`,
// `pk12util` on `sql:$PROFILE`), `security.default_personal_cert` = "Select Automatically"
// answers the server's certificate request, and the prefs below keep Firefox off the
// network (updates, telemetry, captive portal, safe browsing, remote settings, …).
import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ws as WebSocket } from "playwright-core/lib/utilsBundle";
import { freePort } from "./lib.mjs";

export const FIREFOX = "/usr/bin/firefox-esr";

const PREFS = {
  "security.default_personal_cert": "Select Automatically",
  // No network traffic of its own (the machine has none, and a test must not make any).
  "app.update.auto": false,
  "app.update.enabled": false,
  "app.update.disabledForTesting": true,
  "app.normandy.enabled": false,
  "app.shield.optoutstudies.enabled": false,
  "browser.discovery.enabled": false,
  "browser.newtabpage.enabled": false,
  "browser.newtabpage.activity-stream.feeds.system.topstories": false,
  "browser.newtabpage.activity-stream.feeds.section.topstories": false,
  "browser.ping-centre.telemetry": false,
  "browser.region.network.url": "",
  "browser.region.update.enabled": false,
  "browser.safebrowsing.malware.enabled": false,
  "browser.safebrowsing.phishing.enabled": false,
  "browser.safebrowsing.downloads.enabled": false,
  "browser.safebrowsing.downloads.remote.enabled": false,
  "browser.safebrowsing.provider.mozilla.updateURL": "",
  "browser.search.update": false,
  "browser.shell.checkDefaultBrowser": false,
  "browser.startup.homepage_override.mstone": "ignore",
  "browser.startup.page": 0,
  "datareporting.healthreport.uploadEnabled": false,
  "datareporting.policy.dataSubmissionEnabled": false,
  "dom.security.https_first": false,
  "extensions.blocklist.enabled": false,
  "extensions.getAddons.cache.enabled": false,
  "extensions.update.enabled": false,
  "geo.provider.network.url": "",
  "media.gmp-manager.url": "",
  "media.gmp-gmpopenh264.enabled": false,
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
  "network.dns.disablePrefetch": true,
  "network.http.speculative-parallel-limit": 0,
  "network.prefetch-next": false,
  "network.proxy.type": 0,
  "network.trr.mode": 5,
  "security.OCSP.enabled": 0,
  "security.remote_settings.crlite_filters.enabled": false,
  "security.remote_settings.intermediates.enabled": false,
  "services.settings.server": "data:,#remote-settings-disabled",
  "toolkit.telemetry.enabled": false,
  "toolkit.telemetry.server": "",
  "toolkit.telemetry.unified": false,
};

/** Where Debian's firefox-esr is installed (/usr/bin/firefox-esr links there). */
const INSTALL = "/usr/lib/firefox-esr";

/**
 * A private copy of the Firefox installation in `dir` — its launcher copied (Firefox finds its
 * install folder through its own binary, /proc/self/exe), every other entry a symlink — with
 * its own `distribution` folder holding `files` ({path inside distribution: content}). Firefox
 * reads `distribution/policies.json` next to its binary, so a test's enterprise policy reaches
 * only the Firefox it starts: no root-only path such as /etc/firefox-esr/policies, nothing
 * machine-wide to clean up. Returns the binary's path.
 */
export function firefoxWithDistribution(dir, files) {
  mkdirSync(join(dir, "distribution"), { recursive: true });
  for (const name of readdirSync(INSTALL)) {
    if (name === "distribution") continue;
    if (name === "firefox-esr") copyFileSync(join(INSTALL, name), join(dir, name));
    else symlinkSync(join(INSTALL, name), join(dir, name));
  }
  for (const [path, content] of Object.entries(files)) {
    const to = join(dir, "distribution", path);
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, content);
  }
  return join(dir, "firefox-esr");
}

/** A fresh profile dir: prefs, optionally the kit's root trusted and a client identity. */
export function firefoxProfile(dir, { root, p12, password }) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "user.js"), Object.entries(PREFS).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`).join(""));
  const db = `sql:${dir}`;
  execFileSync("certutil", ["-N", "-d", db, "--empty-password"]);
  if (root) execFileSync("certutil", ["-A", "-d", db, "-t", "C,,", "-n", "labca", "-i", root]);
  if (p12) execFileSync("pk12util", ["-i", p12, "-d", db, "-W", password, "-K", ""], { stdio: "pipe" });
  return dir;
}

/** Starts Firefox (`binary`, else the installed one) on `profile` and opens a BiDi session. */
export async function launchFirefox(profile, home, { binary = FIREFOX } = {}) {
  const port = await freePort();
  const proc = spawn(binary, ["--headless", "--no-remote", "--profile", profile, `--remote-debugging-port=${port}`, "about:blank"], {
    env: { ...process.env, HOME: home, MOZ_CRASHREPORTER_DISABLE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise((ok) => proc.on("exit", (code) => ok(code)));
  const listening = new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`Firefox did not start BiDi within 60 s:\n${output}`)), 60_000);
    const watch = (chunk) => {
      output += chunk;
      const m = output.match(/WebDriver BiDi listening on (ws:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    proc.stdout.on("data", watch);
    proc.stderr.on("data", watch);
    exited.then((code) => fail(new Error(`Firefox exited (${code}) before BiDi was up:\n${output}`)));
  });
  const base = await listening;
  const socket = new WebSocket(`${base.replace(/\/$/, "")}/session`);
  await new Promise((ok, fail) => {
    socket.once("open", ok);
    socket.once("error", fail);
  });
  let next = 0;
  const waiting = new Map();
  socket.on("message", (data) => {
    const msg = JSON.parse(String(data));
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.type === "error") w.fail(new Error(`BiDi ${w.method}: ${msg.error}: ${msg.message}`));
    else w.ok(msg.result);
  });
  const send = (method, params = {}) =>
    new Promise((ok, fail) => {
      const id = ++next;
      waiting.set(id, { ok, fail, method });
      socket.send(JSON.stringify({ id, method, params }));
    });
  await send("session.new", { capabilities: { alwaysMatch: { acceptInsecureCerts: false } } });
  const tree = await send("browsingContext.getTree", {});
  const context = tree.contexts[0].context;
  return {
    output: () => output,
    goto: (url) => send("browsingContext.navigate", { context, url, wait: "complete" }),
    /** Evaluates `expression` (awaiting a promise) in the page; returns its JSON value. */
    async eval(expression) {
      const r = await send("script.evaluate", { expression: `(async () => JSON.stringify(await (${expression})))()`, target: { context }, awaitPromise: true });
      if (r.type !== "success") throw new Error(`page script failed: ${JSON.stringify(r.exceptionDetails?.text ?? r)}`);
      return r.result.value === undefined ? undefined : JSON.parse(r.result.value);
    },
    async screenshot(path) {
      const r = await send("browsingContext.captureScreenshot", { context, origin: "document" });
      writeFileSync(path, Buffer.from(r.data, "base64"));
    },
    async close() {
      await send("browser.close", {}).catch(() => {});
      socket.close();
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
