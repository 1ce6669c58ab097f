// Writes BENCHMARKS.md and BENCHMARKS.json from the sections' raw figures in target/bench/.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { cpus, totalmem } from "node:os";
import { ROOT, OUT, KEYS, load, ms, ratio, version } from "./lib.mjs";

const kit = load("kit"), crit = load("criterion"), rsa = load("rsa"), batch = load("batch"), weight = load("weight"), fleet = load("fleet");
const echoJson = load("echo");
// Where the page's app_bg.wasm's bytes go, and the engine's engine_bg.wasm's
// (tests/bench/wasm-size.mjs, run by the weight section).
const trimSize = ({ top, ...rest } = {}) => (Object.keys(rest).length ? { ...rest, rows: rest.rows.map(({ crates, ...r }) => ({ ...r, crates: crates.slice(0, 8) })) } : null);
const wasmSize = trimSize(load("wasm-size") ?? undefined);
const wasmSizeEngine = trimSize(load("wasm-size-engine") ?? undefined);
const echoMd = existsSync(join(OUT, "echo.md")) ? readFileSync(join(OUT, "echo.md"), "utf8").trim() : null;
const tried = readFileSync(join(ROOT, "tests", "bench", "tried.md"), "utf8").trim();
/** The longest task: the Long Tasks API reports only tasks over 50 ms, so 0 means none over 50 ms. */
const task = (v) => (v > 0 ? `longest ${ms(v)}` : "none over 50 ms");
const missing = Object.entries({ kit, criterion: crit, rsa, batch, weight, echo: echoJson, fleet }).filter(([, v]) => !v).map(([k]) => k);

const L = [];
const p = (...xs) => L.push(...xs);
const cell = (s) => (s ? `${ms(s.median)} (${ms(s.min)}–${ms(s.max)})` : "–");
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const verdict = (ok) => (ok ? "met" : "**missed**");
const cpu = cpus()[0]?.model ?? "unknown CPU";

p("# Benchmarks", "");
p("Written by `./scripts/bench` (one command: builds what it needs, runs every section below on this machine in one run, then rewrites this file and `BENCHMARKS.json` with the raw samples). Every figure is a median of at least 5 runs with its min and max; where tools are compared, they take turns within each repetition, so a change in the machine's load hits them alike. Only the ratios are meant to travel to another machine.", "");
p(`- Machine: ${cpus().length} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${version(["uname", "-sr"])}.`);
// `scripts/bench SECTION…` re-runs some sections and keeps the others' figures: say when each was taken.
const when = Object.entries({ kit, criterion: crit, rsa, batch, weight, echo: echoJson, fleet }).filter(([, v]) => v?.measured).map(([k, v]) => [k, v.measured.slice(0, 16)]);
if (new Set(when.map(([, t]) => t.slice(0, 10))).size <= 1) p(`- Measured ${when[0]?.[1] ?? "?"}Z.`);
else p(`- Sections measured at different times (\`scripts/bench SECTION…\` re-runs some and keeps the rest): ${when.map(([k, t]) => `${k} ${t}Z`).join(", ")}.`);
p(`- Load average (1, 5, 15 min), before → after each page section: ${Object.entries({ kit, rsa, batch, weight }).filter(([, v]) => v?.load_before).map(([k, v]) => `${k} ${v.load_before} → ${v.load_after ?? "?"}`).join("; ")}. This machine has 2 cores and is shared: above 2 means the benchmark shared its cores.`);
if (kit) p(`- ${Object.values(kit.versions).join("; ")}.`);
if (missing.length) p(`- **Sections missing from this run:** ${missing.join(", ")} (see the output of scripts/bench).`);
p("");

// Targets.
p("## Targets", "", "| target | measured | |", "| --- | --- | --- |");
if (kit) {
  for (const k of KEYS) {
    const r = kit.results[k];
    if (!r) continue;
    const a = r.page.median / r.openssl.median, b = r.page.median / r.certlab.median;
    p(`| kit in the page ≤ 1.0× openssl CLI, ${k} | ${ratio(r.page.median, r.openssl.median)} | ${verdict(a <= 1)} |`);
    p(`| kit in the page ≤ 2× native certlab, ${k} | ${ratio(r.page.median, r.certlab.median)} | ${verdict(b <= 2)} |`);
  }
}
if (rsa) {
  for (const [bits, r] of Object.entries(rsa.results)) {
    p(`| RSA-${bits} in the page ≤ 1.2× WebCrypto | ${ratio(r.certlab.median, r.webcrypto.median)} | ${verdict(r.certlab.median <= 1.2 * r.webcrypto.median)} |`);
    p(`| RSA-${bits} in the page faster than node-forge | ${ratio(r.certlab.median, r.forge.median)} | ${verdict(r.certlab.median < r.forge.median)} |`);
  }
}
if (batch) {
  p(`| 1,000 P-256 devices in the page ≤ 2 s | ${ms(batch.total.median)} | ${verdict(batch.total.median <= 2000)} |`);
  p(`| no main-thread block > 100 ms during it | ${task(batch.longest_task.max)} (worst of ${batch.runs} runs) | ${verdict(batch.longest_task.max <= 100)} |`);
}
if (weight) {
  if (weight.page) {
    p(`| page ≤ 400 KB gzipped: its own files, all it needs for the editor (issue 17 §3) | ${kb(weight.page.gzip)} | ${verdict(weight.page.gzip <= 400 * 1024)} |`);
    p(`| the engine's files, fetched beside the page for its workers (no target) | ${kb(weight.engine.gzip)} | — |`);
    p(`| everything loaded before ready (no target) | ${kb(weight.total.gzip)} | — |`);
  } else p(`| page ≤ 400 KB gzipped in all | ${kb(weight.total.gzip)} | ${verdict(weight.total.gzip <= 400 * 1024)} |`);
  p(`| ready ≤ 300 ms on loopback (Trunk build; issue 17 §3) | ${ms(weight.startup.trunk.median)} | ${verdict(weight.startup.trunk.median <= 300)} |`);
  p(`| ready ≤ 300 ms (single file from file://; issue 17 §3) | ${ms(weight.startup.single_file.median)} | ${verdict(weight.startup.single_file.median <= 300)} |`);
}
const echoLabels = {
  handshakes_vs_websocat: ["certlab-echo: full TLS+WebSocket handshakes/s ≥ 10× websocat", (t) => `${t.value.toFixed(1)}×`],
  handshakes_vs_bare: ["certlab-echo: handshakes/s ≥ 80% of a bare rustls loop", (t) => `${(t.value * 100).toFixed(0)}%`],
  idle_10000_rss_mb: ["certlab-echo: 10,000 idle wss connections in ≤ 100 MB RSS", (t) => `${t.value.toFixed(1)} MiB = ${(t.value * 1.048576).toFixed(1)} MB with ${t.idle_connections}` + (t.value * 1.048576 > 100 ? " (met only reading MB as MiB: over 100 decimal MB)" : "")],
  rtt_p99_us: ["certlab-echo: echo round trip p99 ≤ 1 ms", (t) => `${t.value.toFixed(0)} µs`],
};
for (const [k, t] of Object.entries(echoJson?.targets ?? {})) {
  const [label, fmt] = echoLabels[k] ?? [`${k} ${t.target}`, (x) => String(x.value)];
  p(`| ${label} | ${fmt(t)} | ${verdict(t.met)} |`);
}
p("");

if (kit) {
  p("## 1. Making a kit", "");
  p("A whole `mtls` kit: root CA, server (`localhost`, `127.0.0.1`, `::1`), clients `alice` and `bob`; for each leaf the certificate (PEM, DER), the PKCS#8 key, chain, full chain and both PKCS#12 flavours, plus `README.txt`, `manifest.json` and the zip of it all. Median (min–max) of " + kit.runs + " runs, after one untimed run of each.", "");
  p("- **page**: the Trunk release build in headless Chromium, `mtls` preset with every key set to the key type; time from the click on Generate to the results with the zip's download button on screen (`performance.now()` in the page; the worker already loaded, RSA keys from WebCrypto).");
  p("- **certlab CLI**: `certlab kit --preset mtls --key KEY --zip …` (release build), the whole process.");
  p("- **openssl CLI**: `scripts/openssl-kit.sh` — the same files but README and manifest, made by ~40 openssl processes.");
  p("- **mkcert** (Debian's 1.4.4; `tests/bench/peers/mkcert-kit.sh`): a fresh CA, the server as PEM, alice and bob as .p12 only, zip. It has no PEM client keys, one legacy .p12 flavour (RC2-40), no DER/chain files, README or manifest; leaves only ECDSA P-256 or RSA-2048 (its RSA root is RSA-3072).");
  p("- **minica** (Debian's paultag/minica 1.0; `tests/bench/peers/minica-kit.sh`): CA, server (DNS name only: minica takes no IP addresses), alice, bob as PEM, zip. No .p12, DER or chain files, README or manifest; RSA only.", "");
  p("| key type | page | certlab CLI | openssl CLI | mkcert | minica | page ÷ openssl | page ÷ certlab |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const k of KEYS) {
    const r = kit.results[k];
    if (!r) continue;
    p(`| ${k} | ${cell(r.page)} | ${cell(r.certlab)} | ${cell(r.openssl)} | ${cell(r.mkcert)} | ${cell(r.minica)} | ${ratio(r.page.median, r.openssl.median)} | ${ratio(r.page.median, r.certlab.median)} |`);
  }
  p("");
}
if (crit) {
  p("### The engine natively (criterion)", "");
  p("`cargo bench -p certlab --bench kit` (`crate/benches/kit.rs`): the library call `certlab::generate(&Preset::Mtls.spec(key))` + `kit.zip()` against `scripts/openssl-kit.sh`, per kit; flat sampling, median = criterion's bootstrap point estimate. " + crit.load + ".", "");
  p("| key type | certlab (library) | openssl CLI | ratio | kits measured (certlab / openssl) |", "| --- | ---: | ---: | ---: | ---: |");
  for (const [k, r] of Object.entries(crit.results)) p(`| ${k} | ${cell(r.certlab)} | ${cell(r.openssl)} | ${ratio(r.certlab?.median, r.openssl?.median)} | ${r.certlab?.kits ?? "–"} / ${r.openssl?.kits ?? "–"} |`);
  p("");
}
if (rsa) {
  p("## 2. RSA keys in the page", "");
  p("In one Chromium page: **certlab** = the page's own path (`certlabRsaKey`, `web/src/bench.rs`: WebCrypto `generateKey` → `exportKey('pkcs8')` → the engine reads the key); **WebCrypto** = `crypto.subtle.generateKey` alone (the ceiling); **node-forge** " + rsa.versions.forge.replace("node-forge ", "") + " = `forge.pki.rsa.generateKeyPair` (pure JavaScript). They take turns, certlab and WebCrypto alternating which goes first, with 9× as many runs as node-forge: RSA prime search varies a lot from key to key (hence the spread), and the ratio that is the target needs many samples. Medians (min–max), with the number of keys per column.", "");
  p("| bits | certlab | WebCrypto | node-forge | certlab ÷ WebCrypto | certlab ÷ forge | keys (certlab / WebCrypto / forge) |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [bits, r] of Object.entries(rsa.results)) p(`| ${bits} | ${cell(r.certlab)} | ${cell(r.webcrypto)} | ${cell(r.forge)} | ${ratio(r.certlab?.median, r.webcrypto?.median)} | ${ratio(r.certlab?.median, r.forge?.median)} | ${r.certlab?.n ?? "–"} / ${r.webcrypto?.n ?? "–"} / ${r.forge?.n ?? "–"} |`);
  p("");
  if (rsa.fallback && Object.keys(rsa.fallback).length) {
    const run = rsa.fallback_run;
    p("### Without WebCrypto: the fallback", "");
    p("A page opened over plain http from another machine is not a secure context: `crypto.subtle` is undefined and the worker makes RSA keys with certlab's engine in wasm (`web/src/fallback.rs`, the same code as the CLI; randomness from `crypto.getRandomValues`). **fallback** = `certlabRsaKeyFallback(bits)`, that code and wasm timed on the page's thread, taking turns with WebCrypto in the same page (WebCrypto 9× as often). The page's notice before Generate quotes these ranges (`web/src/rsa_notice.rs`); no target applies." + (run ? ` Measured ${run.measured.slice(0, 16)}Z by \`BENCH_RSA_COLUMNS=${run.columns.join(",")}\` (load average before ${run.load_before}, after ${run.load_after}); the table above is from ${rsa.measured?.slice(0, 16)}Z.` : ""), "");
    p("| bits | fallback (certlab in wasm) | WebCrypto | fallback ÷ WebCrypto | keys (fallback / WebCrypto) |", "| --- | ---: | ---: | ---: | ---: |");
    for (const [bits, r] of Object.entries(rsa.fallback)) p(`| ${bits} | ${cell(r.fallback)} | ${cell(r.webcrypto)} | ${ratio(r.fallback.median, r.webcrypto?.median)} | ${r.fallback.n} / ${r.webcrypto?.n ?? "–"} |`);
    p("");
  }
}
if (batch) {
  p("## 3. A batch of 1,000 P-256 device certificates in the page", "");
  p(`The IoT preset (root, intermediate, broker) with 1,000 devices, every file of every device (both .p12 flavours each) and the zip: click → zip ready ${cell(batch.total)} over ${batch.runs} runs. Longest main-thread task (Long Tasks API, which reports every task over 50 ms) per run: ${batch.longest_task.max > 0 ? cell(batch.longest_task) : "none over 50 ms in any run"}; tasks over 100 ms per run: ${batch.tasks_over_100ms.join(", ")}.`, "");
  if (batch.scaling) {
    const js = batch.scaling.every((r) => r.worker_js_mb !== undefined);
    p("Scaling (each run in a fresh page and worker; medians of 3). The worker's peak memory is its wasm memory at the end (wasm memory only grows)" + (js ? " plus the most its JS heap and array buffers held (the files' buffer before it is transferred, the zip before it becomes a Blob), sampled every 200 ms in the worker with the DevTools protocol's `Runtime.getHeapUsage`" : "") + "; the page's JS heap (`performance.memory`, at the end) holds the files; the zip is a Blob the worker made. Past 10,000 devices the page says before Generate that the kit is held in memory and points to the CLI, which streams (section 6).", "");
    p(`| devices | click → zip | longest main-thread task | worker wasm memory |${js ? " worker JS heap + buffers (peak) |" : ""} page JS heap |`, `| ---: | ---: | ---: | ---: |${js ? " ---: |" : ""} ---: |`);
    for (const r of batch.scaling) p(`| ${r.count.toLocaleString("en")} | ${ms(r.ms)} | ${task(r.longest_task)} | ${r.wasm_mb.toFixed(0)} MB |${js ? ` ${r.worker_js_mb.toFixed(0)} MB |` : ""} ${r.heap_mb.toFixed(0)} MB |`);
    p("");
  }
}
if (weight) {
  p("## 4. Page weight and start-up", "");
  p("Every file the Trunk build loads before it is ready (recorded from a real page load), raw and `gzip -9`. The page's files are all it needs to show the editor and validate a spec; the engine's (its wasm module, glue and the workers' bootstrap) are fetched beside them and only the page's workers run them (`web/src/engine.rs`):", "");
  p("| file | part | raw | gzip -9 |", "| --- | --- | ---: | ---: |");
  for (const f of weight.files) p(`| ${f.file} | ${f.part ?? ""} | ${kb(f.raw)} | ${kb(f.gzip)} |`);
  if (weight.page) {
    p(`| **the page's files** | page | **${kb(weight.page.raw)}** | **${kb(weight.page.gzip)}** |`);
    p(`| **the engine's files** | engine | **${kb(weight.engine.raw)}** | **${kb(weight.engine.gzip)}** |`);
  }
  p(`| **all** | | **${kb(weight.total.raw)}** | **${kb(weight.total.gzip)}** |`);
  p(`| certlab.html (the single-file build, everything inside) | both | ${kb(weight.single.raw)} | ${kb(weight.single.gzip)} |`, "");
  p("| navigation → ready (Generate on screen, worker loaded; the page's clock) | median | min | max | runs |", "| --- | ---: | ---: | ---: | ---: |");
  for (const [name, s] of [["Trunk build over http://127.0.0.1", weight.startup.trunk], ["single file from file://", weight.startup.single_file]]) p(`| ${name} | ${ms(s.median)} | ${ms(s.min)} | ${ms(s.max)} | ${s.n} |`);
  if (weight.startup.trunk_editor) {
    p("", "| navigation → the editor on screen (the page's clock) | median | min | max | runs |", "| --- | ---: | ---: | ---: | ---: |");
    for (const [name, s] of [["Trunk build over http://127.0.0.1", weight.startup.trunk_editor], ["single file from file://", weight.startup.single_file_editor]]) p(`| ${name} | ${ms(s.median)} | ${ms(s.min)} | ${ms(s.max)} | ${s.n} |`);
  }
  p("");
}
function wasmTable(w, file, what) {
  const shipped = w.shipped ?? w.total;
  p(`### Where ${file}'s bytes go${what}`, "");
  p(`\`node tests/bench/wasm-size.mjs\` runs wasm-opt on wasm-bindgen's output as Trunk does (index.html's level and parameters) but keeping function names (the \`wasm-release\` profile strips debug info only; what ships has no names: wasm-opt drops them), checks that the code and data sections are byte for byte those of \`dist/${file}\`${w.same_as_shipped ? " (they were)" : " (**they were not**: the table is from another build)"}, and gives each function body to the first non-std crate its demangled name mentions (\`core::ptr::drop_in_place<x509_parser::…>\` is x509-parser's; a crate's generic code stays with that crate; wasm-opt's inlining leaves a callee inside its caller). Each part is gzipped alone and the parts scaled to add up to the shipped file's ${kb(shipped.gzip)}. Static data cannot be split by function; its largest symbols come from wasm-ld's link map, and its text is traced to the source file that holds it.`, "");
  p("| part | crates (largest first) | raw | share of raw | ≈ share of gzip |", "| --- | --- | ---: | ---: | ---: |");
  const big = w.rows.filter((r) => r.gzip_share >= 2048), small = w.rows.filter((r) => r.gzip_share < 2048);
  for (const r of big) p(`| ${r.group} | ${r.crates.slice(0, 5).map((c) => c.crate).join(", ")}${r.crates.length > 5 ? ", …" : ""} | ${kb(r.raw)} | ${((100 * r.raw) / w.total.raw).toFixed(1)}% | ${kb(r.gzip_share)} |`);
  const sum = (k) => small.reduce((a, r) => a + r[k], 0);
  p(`| ${small.length} smaller parts | ${small.map((r) => r.group).join("; ")} | ${kb(sum("raw"))} | ${((100 * sum("raw")) / w.total.raw).toFixed(1)}% | ${kb(sum("gzip_share"))} |`, "");
  if (w.data_symbols?.length) {
    p("Static data of 4 KB or more, by symbol (wasm-ld's map; a table that is zero in the file is filled at run time and costs no download):", "", "| symbol | size in memory | in the file | gzip -9 alone |", "| --- | ---: | ---: | ---: |");
    for (const d of w.data_symbols) p(`| \`${d.symbol}\` | ${kb(d.raw)} | ${kb(d.in_file ?? d.raw)} | ${kb(d.gzip)} |`);
    p("");
  }
  const own = w.text.files.filter((f) => !f.file.startsWith("("));
  p(`Readable text in the data (runs of 32 bytes or more): ${kb(w.text.bytes)}, of which ${kb(own.reduce((a, f) => a + f.bytes, 0))} found in certlab's own sources (${kb(own.reduce((a, f) => a + f.gzip, 0))} gzipped file by file); the rest is panic locations (source paths) and dependencies' messages.`, "");
}
if (wasmSize) wasmTable(wasmSize, "app_bg.wasm", wasmSizeEngine ? " (the page's module)" : "");
if (wasmSizeEngine) wasmTable(wasmSizeEngine, "engine_bg.wasm", " (the engine's module, run by the page's workers)");
if (echoMd) p("## 5. Echo server", "", echoMd, "");
if (fleet) {
  p("## 6. A fleet, natively: time and memory as it grows", "");
  p("`certlab kit --preset iot --devices 'd-{n:06}' --count N --zip kit.zip` (release build): every device's eight files written to the kit folder and the zip as it is made (`crate/src/bin/certlab/kit_stream.rs`); peak RSS from GNU time. Targets (issue 16 §4): 100,000 devices in ≤ 200 MB and ≤ 12× the time of 10,000. The peer, in the same run: the openssl CLI making 1,000 devices (key + certificate only, two processes each)." + ` Load average before ${fleet.load_before}, after ${fleet.load_after}.`, "");
  p("| devices | files | time | per device | peak RSS |", "| ---: | ---: | ---: | ---: | ---: |");
  for (const r of fleet.rows) p(`| ${r.devices.toLocaleString("en")} | ${r.files.toLocaleString("en")} | ${ms(r.ms)} | ${ms(r.per_device_ms)} | ${r.rss_mb.toFixed(0)} MB |`);
  p(`| openssl CLI, 1,000 (peer) | ${2 * fleet.peer.devices + 2} | ${ms(fleet.peer.ms)} | ${ms(fleet.peer.ms / fleet.peer.devices)} | ${fleet.peer.rss_mb.toFixed(0)} MB |`, "");
  const at = (n) => fleet.rows.find((r) => r.devices === n);
  const [k1, k10, k100] = [at(1000), at(10000), at(100000)];
  if (k1) p(`certlab ÷ openssl for 1,000 devices: ${ratio(k1.ms, fleet.peer.ms)} of its time, with four times the files.`, "");
  if (k10 && k100) p(`| target | measured | |`, "| --- | --- | --- |", `| 100,000 devices ≤ 200 MB peak RSS | ${k100.rss_mb.toFixed(0)} MB | ${verdict(k100.rss_mb <= 200)} |`, `| 100,000 devices ≤ 12× the 10,000 time | ${ratio(k100.ms, k10.ms)} | ${verdict(k100.ms <= 12 * k10.ms)} |`, "");
}
p("## What was tried", "", tried, "");

writeFileSync(join(ROOT, "BENCHMARKS.md"), L.join("\n"));
writeFileSync(join(ROOT, "BENCHMARKS.json"), JSON.stringify({ kit, criterion: crit, rsa, batch, weight, wasm_size: wasmSize, wasm_size_engine: wasmSizeEngine, echo: echoJson, fleet }, null, 2) + "\n");
console.log(L.join("\n"));
if (missing.length) { console.error(`sections missing: ${missing.join(", ")}`); process.exitCode = 1; }
