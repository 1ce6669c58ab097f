// Reads the native criterion benchmark (crate/benches/kit.rs: the certlab library vs the
// openssl CLI, per key type) from target/criterion into target/bench/criterion.json.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT, KEYS, stats, save } from "./lib.mjs";

const base = process.env.CRITERION_DIR || join(ROOT, "target", "criterion");
function read(group, key) {
  const d = join(base, group, key, "new");
  if (!existsSync(join(d, "sample.json"))) return null;
  const est = JSON.parse(readFileSync(join(d, "estimates.json"), "utf8"));
  const smp = JSON.parse(readFileSync(join(d, "sample.json"), "utf8"));
  const perIter = smp.times.map((t, i) => t / smp.iters[i] / 1e6);
  return { ...stats(perIter), median: est.median.point_estimate / 1e6, kits: smp.iters.reduce((a, b) => a + b, 0) };
}
const results = {};
for (const k of KEYS) {
  const c = read("certlab", k), p = read("peer", k);
  if (c || p) results[k] = { certlab: c, openssl: p };
}
if (!Object.keys(results).length) throw new Error(`no criterion results under ${base}`);
let load = "not recorded";
try { load = readFileSync(join(base, "kit-load.txt"), "utf8").trim(); } catch {}
save("criterion", { load, results });
