// Section 3 of the benchmarks: 1,000 ECDSA P-256 device certificates in the page (the IoT
// preset — root, intermediate, broker — with the device count set to 1,000): the time from
// the click to the zip being ready, and the longest main-thread block while it runs, from the
// Long Tasks API (every task over 50 ms is reported; none reported means none over 50 ms).
// Then the scaling rows (issue 16 §4): 1,000 and 10,000 devices, each with its time, longest
// task, the worker's wasm memory at the end (its peak: wasm memory only grows; each run gets
// a fresh page, so a fresh worker) and the page's JS heap (it holds the files and the zip).
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

/**
 * The generation worker's JS memory, sampled while `run` runs: its heap and the array buffers it
 * holds (the files' buffer before it is transferred, the zip before it becomes a Blob), from
 * the DevTools protocol's `Runtime.getHeapUsage` in the worker (a worker has no
 * `performance.memory`). Sampled every 200 ms, so a shorter peak can be missed. Returns the
 * largest heap + buffers seen, in bytes, and what `run` returned.
 */
async function workerMemoryDuring(page, run) {
  const cdp = await page.context().newCDPSession(page);
  const targets = [];
  cdp.on("Target.attachedToTarget", (e) => targets.push(e));
  await cdp.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  // Existing targets are announced as the command is answered; wait for the worker's.
  for (let i = 0; i < 300 && !targets.some((t) => t.targetInfo.type === "worker"); i++) await page.waitForTimeout(100);
  const worker = targets.find((t) => t.targetInfo.type === "worker");
  if (!worker) throw new Error(`no generation worker among the page's targets: ${targets.map((t) => t.targetInfo.type).join(", ")}`);
  let id = 0;
  const pending = new Map();
  cdp.on("Target.receivedMessageFromTarget", (m) => {
    const reply = JSON.parse(m.message);
    if (m.sessionId === worker.sessionId && pending.has(reply.id)) { pending.get(reply.id)(reply.result); pending.delete(reply.id); }
  });
  const usage = () => new Promise((resolve) => {
    const i = ++id;
    pending.set(i, resolve);
    cdp.send("Target.sendMessageToTarget", { sessionId: worker.sessionId, message: JSON.stringify({ id: i, method: "Runtime.getHeapUsage" }) }).catch(() => resolve(null));
  });
  let peak = 0, samples = 0, running = true;
  const sampler = (async () => {
    while (running) {
      const u = await usage();
      if (u) { samples++; peak = Math.max(peak, u.usedSize + u.backingStorageSize); }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  try {
    return { result: await run(), peak, samples };
  } finally {
    running = false;
    await sampler;
    await cdp.detach();
  }
}

/** One run of `count` devices in a fresh page: time, longest task, memory. */
async function scalingRun(count) {
  const page = await openPage(b.browser, `${b.origin}/`);
  await page.click("[data-preset=iot]");
  await page.fill("input[name='devices[0].count']", String(count));
  await page.waitForFunction(() => !document.getElementById("blocked"));
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    }).observe({ type: "longtask", buffered: false });
  });
  const { result: ms, peak, samples } = await workerMemoryDuring(page, () => timeGenerate(page));
  if (samples < 2) throw new Error(`the worker's memory was sampled ${samples} times`);
  await page.waitForTimeout(200);
  const m = await page.evaluate(() => ({
    longest: Math.max(0, ...window.__longTasks),
    wasm: Number(document.querySelector(".summary").dataset.workerWasmBytes),
    heap: performance.memory ? performance.memory.usedJSHeapSize : NaN,
    summary: document.querySelector(".summary").textContent,
  }));
  if (!m.summary.includes(`${count + 3} identities`)) throw new Error(`the page did not make ${count} devices: ${m.summary}`);
  await page.close();
  return { ms, longest: m.longest, wasm_mb: m.wasm / 2 ** 20, worker_js_mb: peak / 2 ** 20, heap_mb: m.heap / 2 ** 20 };
}
const scaling = [];
for (const count of [1000, 10000]) {
  const rows = [];
  for (let i = 0; i < 3; i++) rows.push(await scalingRun(count));
  const med = (k) => stats(rows.map((r) => r[k])).median;
  scaling.push({ count, runs: rows.length, ms: med("ms"), longest_task: med("longest"), wasm_mb: med("wasm_mb"), worker_js_mb: med("worker_js_mb"), heap_mb: med("heap_mb"), samples: rows });
  console.log(`${count} devices in the page: ${(med("ms") / 1000).toFixed(1)} s, longest task ${med("longest").toFixed(0)} ms, worker wasm ${med("wasm_mb").toFixed(0)} MB + JS ${med("worker_js_mb").toFixed(0)} MB, page heap ${med("heap_mb").toFixed(0)} MB`);
}
await b.close();
const r = { total: stats(total), longest_task: stats(longest), tasks_over_100ms: over100 };
console.log(`1000 devices: ${r.total.median.toFixed(0)} ms, longest main-thread task ${r.longest_task.median.toFixed(0)} ms`);
save("batch", { load_before: loadBefore, count: COUNT, runs, summary, ...r, scaling });
