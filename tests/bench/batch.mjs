// Section 3 of the benchmarks: 1,000 ECDSA P-256 device certificates in the page (the IoT
// preset — root, intermediate, broker — with the device count set to 1,000): the time from
// the click to the zip being ready, and the longest main-thread block while it runs, from the
// Long Tasks API (every task over 50 ms is reported; none reported means none over 50 ms).
import { RUNS, stats, save, loadavg } from "./lib.mjs";
import { openBrowser, openPage, timeGenerate } from "./page.mjs";

const COUNT = 1000;
const runs = Math.max(5, Math.min(RUNS, 7));
const loadBefore = loadavg();
const b = await openBrowser();
const page = await openPage(b.browser, `${b.origin}/`);
await page.click("[data-preset=iot]");
await page.fill("input[name='devices[0].count']", String(COUNT));
await page.waitForFunction(() => !document.getElementById("blocked"));
await page.evaluate(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: "longtask", buffered: false });
});
await timeGenerate(page); // warm-up, untimed
const total = [];
const longest = [];
const over100 = [];
for (let i = 0; i < runs; i++) {
  await page.evaluate(() => { window.__longTasks = []; });
  total.push(await timeGenerate(page));
  // Long-task entries are delivered asynchronously: give the observer a moment.
  await page.waitForTimeout(200);
  const tasks = await page.evaluate(() => window.__longTasks);
  longest.push(tasks.reduce((m, t) => Math.max(m, t.duration), 0));
  over100.push(tasks.filter((t) => t.duration > 100).length);
}
const summary = await page.textContent(".summary");
if (!summary.includes(`${COUNT + 3} identities`)) throw new Error(`the page did not make ${COUNT} devices: ${summary}`);
await page.close();
await b.close();
const r = { total: stats(total), longest_task: stats(longest), tasks_over_100ms: over100 };
console.log(`1000 devices: ${r.total.median.toFixed(0)} ms, longest main-thread task ${r.longest_task.median.toFixed(0)} ms`);
save("batch", { load_before: loadBefore, count: COUNT, runs, summary, ...r });
