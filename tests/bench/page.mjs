// Driving the page for the benchmarks: serve dist/ on loopback, open it in Debian's Chromium,
// set up a kit in the editor, and time "click Generate → zip ready" inside the page.
import { chromium } from "playwright-core";
import { join } from "node:path";
import { serveDir, CHROMIUM } from "../web/serve.mjs";
import { ROOT } from "./lib.mjs";

export const DIST = join(ROOT, "dist");

export async function openBrowser() {
  const { server, origin } = await serveDir(DIST);
  const browser = await chromium.launch(CHROMIUM);
  return { server, origin, browser, close: async () => { await browser.close(); server.close(); } };
}

/** Opens the page and waits until the generation worker has loaded (no request after that). */
export async function openPage(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(url);
  await page.waitForSelector("#generate");
  await page.waitForLoadState("networkidle");
  return page;
}

/** The mtls preset with every identity's key set to `key`. */
export async function mtlsKit(page, key) {
  await page.click("[data-preset=dev]");
  await page.click("[data-preset=mtls]");
  for (const sel of ["root.key", "servers[0].key", "clients[0].key", "clients[1].key"]) {
    await page.selectOption(`select[name='${sel}']`, key);
  }
}

/**
 * Clicks Generate and resolves with the milliseconds (performance.now, in the page) until the
 * results with the zip's download button are on screen. A MutationObserver sees every change,
 * so the old results disappearing and the new ones appearing are both caught, however fast.
 */
export async function timeGenerate(page, timeoutMs = 600_000) {
  return page.evaluate((timeoutMs) => new Promise((resolve, reject) => {
    const zipReady = () => document.getElementById("download-zip") && !document.getElementById("progress");
    let gone = false;
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      const err = document.getElementById("run-error");
      if (err) { obs.disconnect(); reject(new Error(`generation failed: ${err.textContent}`)); return; }
      if (!gone) { gone = !zipReady(); return; }
      if (zipReady()) { obs.disconnect(); resolve(performance.now() - t0); }
    });
    obs.observe(document.body, { childList: true, subtree: true, attributes: true });
    setTimeout(() => { obs.disconnect(); reject(new Error("timed out")); }, timeoutMs);
    document.getElementById("generate").click();
  }), timeoutMs);
}
