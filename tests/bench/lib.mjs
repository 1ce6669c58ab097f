// Shared helpers of the benchmark harness (scripts/bench): statistics, timing of whole
// commands, the browser, and where the raw figures go (target/bench/*.json).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, readFileSync, existsSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const OUT = join(ROOT, "target", "bench");
mkdirSync(OUT, { recursive: true });

/** Median, min and max of a list of numbers (milliseconds unless said otherwise). */
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median: mid, min: s[0], max: s[s.length - 1], n: s.length, samples: xs };
}

/** Milliseconds, human-readable. */
export function ms(x) {
  if (x == null || Number.isNaN(x)) return "–";
  if (x >= 1000) return `${(x / 1000).toFixed(2)} s`;
  if (x >= 10) return `${x.toFixed(0)} ms`;
  return `${x.toFixed(1)} ms`;
}

/** A ratio a/b as "0.42×". */
export function ratio(a, b) {
  if (!a || !b) return "–";
  const r = a / b;
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toFixed(3)}×`;
}

/** Runs a command (argv) to completion and returns its wall time in ms; throws if it fails. */
export function timeCommand(argv, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "pipe"], ...opts });
  const t = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    throw new Error(`${argv.join(" ")} failed (${r.status ?? r.signal}): ${String(r.stderr).slice(0, 2000)}`);
  }
  return t;
}

/** A fresh empty directory under the system temp dir. */
export function freshDir(prefix) {
  return mkdtempSync(join(tmpdir(), `certlab-bench-${prefix}-`));
}

export function removeDir(d) {
  rmSync(d, { recursive: true, force: true });
}

/** The first line of a tool's version output, for the report. */
export function version(argv) {
  try {
    return execFileSync(argv[0], argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).split("\n")[0].trim();
  } catch (e) {
    return String(e.stdout || e.stderr || "").split("\n")[0].trim() || "unknown";
  }
}

/** Load average (1, 5, 15 min). */
export function loadavg() {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "?";
  }
}

/** Writes one section's raw figures to target/bench/NAME.json. */
export function save(name, data) {
  const file = join(OUT, `${name}.json`);
  writeFileSync(file, JSON.stringify({ measured: new Date().toISOString(), load_after: loadavg(), ...data }, null, 2));
  console.log(`wrote ${file}`);
}

export function load(name) {
  const file = join(OUT, `${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
}

/** Every key type; BENCH_KEYS="ecdsa-p256 rsa2048" narrows a trial run (the report says so). */
export const KEYS = (process.env.BENCH_KEYS || "ecdsa-p256 ecdsa-p384 ed25519 rsa2048 rsa3072 rsa4096").split(/[ ,]+/).filter(Boolean);

/** Runs per key type: enough for a median; RSA prime search varies a lot, so 7 there too. */
export const RUNS = Number(process.env.BENCH_RUNS || 7);

/** Chromium as the tests launch it (Debian's, never downloaded). */
export { CHROMIUM } from "../web/serve.mjs";
