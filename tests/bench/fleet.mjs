// Section 6 of the benchmarks: a fleet natively (issue 16 §4). `certlab kit --preset iot
// --devices 'd-{n:06}' --count N --zip` (release build, written as it is made) for 1,000,
// 10,000 and 100,000 devices: wall time and peak RSS (GNU time's %M), and the time per device.
// The peer, run side by side: the openssl CLI making 1,000 device certificates (key + CSR +
// signature, two processes a device) under one CA — what a shell script provisioning a fleet
// does — with no .p12, chain or header files, so it does less work per device than certlab.
// FLEET_SIZES=1000,10000 keeps the run short.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, save, loadavg } from "./lib.mjs";

const sizes = (process.env.FLEET_SIZES || "1000,10000,100000").split(",").map(Number);
const certlab = join(ROOT, "target", "release", "certlab");
const loadBefore = loadavg();

/** Runs argv under GNU time; gives wall ms and peak RSS in MB. */
function measured(argv, cwd) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", ...argv], { cwd, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed:\n${r.stderr}`);
  const [secs, kb] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
  return { ms: secs * 1000, rss_mb: kb / 1024 };
}

const rows = [];
for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), "certlab-fleet-"));
  const m = measured([certlab, "kit", "--preset", "iot", "--name-constraints", "none", "--devices", "d-{n:06}", "--count", String(n), "--out", "kit", "--zip", "kit.zip", "--quiet"], dir);
  const files = Number(execFileSync("sh", ["-c", "find kit -type f | wc -l"], { cwd: dir, encoding: "utf8" }));
  rmSync(dir, { recursive: true, force: true });
  rows.push({ devices: n, files, ...m, per_device_ms: m.ms / n });
  console.log(`${n} devices: ${(m.ms / 1000).toFixed(1)} s, peak RSS ${m.rss_mb.toFixed(0)} MB, ${files} files`);
}

// The peer: 1,000 devices with the openssl CLI.
const dir = mkdtempSync(join(tmpdir(), "certlab-fleet-openssl-"));
writeFileSync(join(dir, "peer.sh"), `set -e
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -subj /CN=peer-ca -days 3650 2>/dev/null
for i in $(seq 1 1000); do
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout d$i.key -subj /CN=d$i 2>/dev/null |
    openssl x509 -req -CA ca.crt -CAkey ca.key -days 397 -out d$i.crt 2>/dev/null
done
`);
const peer = { devices: 1000, ...measured(["bash", "peer.sh"], dir) };
rmSync(dir, { recursive: true, force: true });
console.log(`openssl, 1000 devices: ${(peer.ms / 1000).toFixed(1)} s`);
save("fleet", { load_before: loadBefore, load_after: loadavg(), rows, peer });
