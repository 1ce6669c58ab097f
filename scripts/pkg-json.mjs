// Completes the package.json wasm-pack writes into crate/pkg (or crate/pkg-TARGET) so the
// npm package is whole: `exports` (ESM entry with its types, the .wasm for loaders that fetch
// it themselves), `files` with the licences and README. wasm-pack already sets name, version,
// description, license, keywords and `types` from crate/Cargo.toml; this adds only what it
// leaves out, and fails when a file it names is missing. Usage: node scripts/pkg-json.mjs DIR
import { readFileSync, writeFileSync, copyFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = process.argv[2];
if (!dir) throw new Error("usage: node scripts/pkg-json.mjs crate/pkg");
const path = join(dir, "package.json");
const pkg = JSON.parse(readFileSync(path, "utf8"));

// The licences the "license" field names, and the README, travel with the package.
for (const f of ["LICENSE-MIT", "LICENSE-APACHE", "README.md"]) {
  if (!existsSync(join(dir, f))) copyFileSync(join(root, f), join(dir, f));
}
const entry = pkg.module ?? pkg.main;
if (!entry || !pkg.types) throw new Error(`${path}: wasm-pack wrote no entry or types`);
pkg.exports = {
  ".": { types: `./${pkg.types}`, import: `./${entry}`, default: `./${entry}` },
  "./certlab_bg.wasm": "./certlab_bg.wasm",
  "./package.json": "./package.json",
};
// The wasm's own .d.ts where the target writes one; the licences and README always.
const extra = ["certlab_bg.wasm.d.ts"].filter((f) => existsSync(join(dir, f)));
pkg.files = [...new Set([...(pkg.files ?? []), ...extra, "LICENSE-MIT", "LICENSE-APACHE", "README.md"])];
for (const f of [...pkg.files, entry, pkg.types]) {
  if (!existsSync(join(dir, f))) throw new Error(`${path}: names ${f}, which is not in ${dir}`);
}
writeFileSync(path, JSON.stringify(pkg, null, 2) + "\n");
console.error(`completed ${path}: exports, files (${pkg.files.join(", ")})`);
