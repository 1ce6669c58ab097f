// Trunk post-build hook: move Trunk's inline boot script into boot.js, so the page's
// Content-Security-Policy can forbid inline scripts ('unsafe-inline' stays out).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error("TRUNK_STAGING_DIR is not set (run from a Trunk hook)");
const file = join(dir, "index.html");
const html = readFileSync(file, "utf8");
const re = /<script type="module"(?: nonce="[^"]*")?>([\s\S]*?)<\/script>/;
const m = html.match(re);
if (!m) throw new Error("Trunk's boot script was not found in index.html");
writeFileSync(join(dir, "boot.js"), m[1].trim() + "\n");
writeFileSync(file, html.replace(re, '<script type="module" src="./boot.js"></script>'));
