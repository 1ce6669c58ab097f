// The page is accessible (issue 17 §2): axe-core finds no serious or critical violation in
// any state (presets, the editor with errors, the results, each guide tab, the tester failed
// and connected, the tools panels, dark mode); every field has a label; the whole generate →
// download flow and the tester work with the keyboard alone (Tab, Shift+Tab, Enter, Space,
// arrows; typing into the URL field) with a visible focus ring; progress and connection state
// are in live regions; dark mode follows prefers-color-scheme; nothing scrolls sideways at
// 360 px. Screenshots: test-output/web/dark.png, dark-results.png, narrow-360.png,
// narrow-360-results.png.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serveDir, CHROMIUM } from "./serve.mjs";
import { startWsEcho, closedPort } from "./ws-echo.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const shots = join(root, "test-output", "web");
mkdirSync(shots, { recursive: true });
const AXE = readFileSync(join(root, "node_modules", "axe-core", "axe.min.js"), "utf8");
const GENERATE_TIMEOUT = 180_000; // 2 busy cores
let server, origin, browser, echo;

before(async () => {
  ({ server, origin } = await serveDir(join(root, "dist")));
  browser = await chromium.launch(CHROMIUM);
  echo = await startWsEcho();
});
after(async () => {
  await browser?.close();
  server?.close();
  echo?.close();
});

async function openPage({ width = 1280, height = 1000, dark = false } = {}) {
  const page = await browser.newPage({ acceptDownloads: true, viewport: { width, height }, colorScheme: dark ? "dark" : "light" });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${origin}/`);
  await page.waitForSelector("#generate");
  return { page, errors };
}

/** axe-core over the whole page: the serious and critical violations, one line each, and the
 * moderate heading-order one (headings skip no level: screen-reader users navigate by them).
 * The script is evaluated through the DevTools protocol, so the page's CSP stays as served. */
async function serious(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations);
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical" || v.id === "heading-order")
    .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id}: ${n.target.join(" ")} — ${v.help} (${n.failureSummary?.replace(/\s+/g, " ")})`));
}

/** Audits the page as it is now, under `state`, into `found`. */
async function audit(page, state, found) {
  for (const line of await serious(page)) found.push(`[${state}] ${line}`);
}

/** Every input, select and textarea has a name a screen reader reads: a <label> or aria-label(ledby). */
async function unlabelled(page) {
  return page.$$eval("input, select, textarea", (els) =>
    els.filter((e) => e.type !== "hidden" && !(e.labels?.length || e.getAttribute("aria-label")?.trim() || e.getAttribute("aria-labelledby"))).map((e) => e.outerHTML.slice(0, 120)));
}

async function generate(page, preset) {
  await page.click(`[data-preset=${preset}]`);
  await page.click("#generate");
  await page.waitForSelector("#results", { timeout: GENERATE_TIMEOUT });
}

/** The tester pointed at `url`, Connect pressed. */
async function testerConnect(page, url) {
  await page.fill("input[name=tester-url]", url);
  await page.click("#tester-connect");
}

test("axe: presets, the editor with errors, dark mode: no serious or critical violation; every field labelled", async () => {
  const { page, errors } = await openPage();
  const found = [];
  await audit(page, "first load", found);
  for (const preset of ["dev", "mtls", "iot", "custom"]) {
    await page.click(`[data-preset=${preset}]`);
    await audit(page, `preset ${preset}`, found);
    assert.deepEqual(await unlabelled(page), [], `preset ${preset}: unlabelled fields`);
  }
  // The editor with errors: field errors, lint warnings, the blocked Generate, opened subject
  // fields, a device list with bad lines, name constraints given as a list.
  await page.click("[data-preset=iot]");
  await page.fill("input[name='subject.country']", "France");
  await page.fill("input[name='servers[0].names']", "*.com, bad_name.lab");
  await page.fill("input[name='servers[0].days']", "900");
  await page.click("text=Add client");
  await page.fill("input[name='clients[0].email']", "alice@");
  await page.click(".item:has(input[name='clients[0].subject.organization']) details.subject summary");
  await page.selectOption("select[name='name_constraints']", "list");
  await page.selectOption("select[name='devices[0].named-by']", "list");
  await page.fill("textarea[name='devices[0].list']", "sn-001\nsn 002\n");
  await page.waitForSelector("li.field-error[data-field='devices[0].list']", { timeout: 60_000 });
  assert.ok(await page.isDisabled("#generate"));
  await audit(page, "editor with errors", found);
  assert.deepEqual(await unlabelled(page), [], "editor with errors: unlabelled fields");
  await page.emulateMedia({ colorScheme: "dark" });
  await audit(page, "editor with errors, dark", found);
  assert.deepEqual(found, [], `\n${found.join("\n")}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test("axe: the results, each guide tab, a revocation; the tools panels", async () => {
  const { page, errors } = await openPage();
  const found = [];
  await generate(page, "mtls");
  await page.click("article.card[data-identity=alice] details.learn summary");
  await page.click("[data-revoke=alice]");
  await page.waitForSelector("[data-revoked=alice]");
  await audit(page, "results", found);
  const tabs = await page.locator("#guide [role=tab]").allTextContents();
  assert.ok(tabs.length >= 5, tabs.join(", "));
  for (const label of tabs) {
    await page.click(`#guide [role=tab]:text-is("${label}")`);
    await audit(page, `guide tab ${label}`, found);
  }
  // The tools: both panels open, an inspection shown, then a refused issue.
  await page.click("#tools summary >> text=Inspect");
  await page.click("#tools summary >> text=Issue more");
  await audit(page, "tools open", found);
  const pem = execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "/dev/null", "-subj", "/CN=a11y.lab", "-days", "30"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  await page.fill("textarea[name=inspect-text]", pem);
  await page.click("#inspect");
  await page.waitForSelector("#inspection");
  await page.click("#issue");
  await page.waitForSelector("#issue-error");
  await audit(page, "tools with an inspection and an error", found);
  assert.deepEqual(await unlabelled(page), [], "results and tools: unlabelled fields");
  assert.deepEqual(found, [], `\n${found.join("\n")}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test("axe: the tester refused, failed and connected; its state is announced (role=status)", async () => {
  const { page, errors } = await openPage();
  const found = [];
  // The connection state lives in a polite live region that exists before it changes.
  const status = page.locator("[role=status]:has(#tester-status)");
  assert.equal(await status.count(), 1, "no role=status around the tester's state");
  assert.equal(await status.getAttribute("aria-live"), "polite");
  await testerConnect(page, "http://nowhere");
  await page.waitForSelector("#tester-url-error");
  await audit(page, "tester: a refused URL", found);
  await testerConnect(page, `ws://127.0.0.1:${await closedPort()}/`);
  await page.waitForSelector("#tester-hint[data-diagnosis=plain-unreachable]", { timeout: 60_000 });
  assert.equal(await page.textContent("#tester-status"), "closed");
  await audit(page, "tester: failed", found);
  await testerConnect(page, echo.url);
  await page.waitForSelector("#tester-status[data-phase=open]", { timeout: 60_000 });
  await page.waitForSelector("#tester-facts");
  await page.click("#tester-send-text");
  await page.locator("#tester-log li", { hasText: "identical to what was sent" }).waitFor({ timeout: 30_000 });
  await audit(page, "tester: connected", found);
  await page.emulateMedia({ colorScheme: "dark" });
  await audit(page, "tester: connected, dark", found);
  await page.locator("#tester").screenshot({ path: join(shots, "a11y-tester-dark.png") });
  assert.deepEqual(found, [], `\n${found.join("\n")}`);
  assert.deepEqual(errors, []);
  await page.close();
});

/** The focused element, its selector-ish description and whether its focus ring shows. */
async function focused(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return { tag: "body", ring: false };
    const s = getComputedStyle(e);
    const ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
    return { tag: e.tagName.toLowerCase(), id: e.id, text: e.textContent.trim().slice(0, 40), ring, visible: e.matches(":focus-visible") };
  });
}

/** Presses `key` (Tab or Shift+Tab) until the focused element matches `selector`; every stop
 * on the way must show a focus ring. */
async function tabTo(page, selector, key = "Tab", max = 400) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const f = await focused(page);
    if (f.tag !== "body") assert.ok(f.ring && f.visible, `no visible focus ring on ${JSON.stringify(f)}`);
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
  }
  assert.fail(`${selector} not reached with ${key}`);
}

test("keyboard alone: preset, Generate, the zip, the guide's tabs by arrows, the tester", async () => {
  const { page, errors } = await openPage();
  await page.waitForLoadState("networkidle");
  // Progress is announced: a polite status region holds it before the run starts.
  const run = page.locator("#run-status");
  assert.equal(await run.getAttribute("role"), "status");
  assert.equal(await run.getAttribute("aria-live"), "polite");
  await tabTo(page, "[data-preset=mtls]");
  await page.keyboard.press("Enter");
  assert.equal(await page.getAttribute("[data-preset=mtls]", "aria-pressed"), "true");
  await tabTo(page, "#generate");
  await page.keyboard.press("Space");
  await page.waitForSelector("#results", { timeout: GENERATE_TIMEOUT });
  assert.match(await run.textContent(), /Kit ready: 4 identities/);
  await tabTo(page, "#download-zip");
  const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
  assert.equal(download.suggestedFilename(), "certlab-kit.zip");
  // The guide's tabs: one tab stop; arrows move between them (and wrap), Tab enters the panel.
  await tabTo(page, "#guide [role=tab][aria-selected=true]");
  const first = await page.evaluate(() => document.activeElement.textContent);
  await page.keyboard.press("ArrowRight");
  const second = await page.evaluate(() => document.activeElement.textContent);
  assert.notEqual(second, first);
  assert.equal(await page.textContent("#guide [role=tab][aria-selected=true]"), second);
  await page.keyboard.press("ArrowLeft");
  assert.equal(await page.textContent("#guide [role=tab][aria-selected=true]"), first);
  const labels = await page.locator("#guide [role=tab]").allTextContents();
  for (let i = labels.indexOf(first); i >= 0; i--) await page.keyboard.press("ArrowLeft"); // past the first: wraps
  assert.equal(await page.evaluate(() => document.activeElement.textContent), labels.at(-1));
  assert.equal(await page.textContent("#guide [role=tab][aria-selected=true]"), labels.at(-1));
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute("role")), "tabpanel");
  // The tester: a closed port first (the failure is explained), then the echo server.
  await tabTo(page, "input[name=tester-url]");
  await page.keyboard.press("Control+A");
  await page.keyboard.type(`ws://127.0.0.1:${await closedPort()}/`);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#tester-hint[data-diagnosis=plain-unreachable]", { timeout: 60_000 });
  await page.keyboard.press("Control+A");
  await page.keyboard.type(echo.url);
  await tabTo(page, "#tester-connect");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#tester-status[data-phase=open]", { timeout: 60_000 });
  await tabTo(page, "#tester-send-text");
  await page.keyboard.press("Space");
  await page.locator("#tester-log li", { hasText: "identical to what was sent" }).waitFor({ timeout: 30_000 });
  await tabTo(page, "#tester-disconnect", "Shift+Tab");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#tester-status[data-phase=closed]", { timeout: 30_000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test("dark mode from prefers-color-scheme; 360 px wide without sideways scrolling", async () => {
  const dark = await openPage({ dark: true });
  const bg = await dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r, g, b] = bg.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 150, `dark mode background is ${bg}`);
  await dark.page.screenshot({ path: join(shots, "dark.png"), fullPage: true });
  await generate(dark.page, "mtls");
  const found = [];
  await audit(dark.page, "results, dark", found);
  await dark.page.screenshot({ path: join(shots, "dark-results.png"), fullPage: true });
  assert.deepEqual(found, [], `\n${found.join("\n")}`);
  assert.deepEqual(dark.errors, []);
  await dark.page.close();

  const { page, errors } = await openPage({ width: 360, height: 800 });
  const wide = async (state) => {
    const w = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(w <= 360, `${state}: the page is ${w} px wide at a 360 px viewport`);
  };
  for (const preset of ["dev", "mtls", "iot", "custom"]) {
    await page.click(`[data-preset=${preset}]`);
    await wide(`preset ${preset}`);
  }
  await page.click("[data-preset=mtls]");
  await page.fill("input[name='servers[0].names']", "*.com");
  await wide("editor with errors");
  await page.screenshot({ path: join(shots, "narrow-360.png"), fullPage: true });
  await generate(page, "iot");
  await wide("results");
  for (const label of await page.locator("#guide [role=tab]").allTextContents()) {
    await page.click(`#guide [role=tab]:text-is("${label}")`);
    await wide(`guide tab ${label}`);
  }
  await testerConnect(page, echo.url);
  await page.waitForSelector("#tester-facts", { timeout: 60_000 });
  await page.click("#tools summary >> text=Inspect");
  await page.click("#tools summary >> text=Issue more");
  await wide("tester connected, tools open");
  await page.screenshot({ path: join(shots, "narrow-360-results.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
