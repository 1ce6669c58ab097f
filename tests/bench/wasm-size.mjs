// Where the page's wasm bytes go, per crate (issue 17 §3). Reads the module wasm-bindgen wrote
// for the last page build (target/wasm-bindgen/release/app_bg.wasm: the `wasm-release` profile
// keeps its function names), runs wasm-opt on it exactly as Trunk does (level and parameters
// from index.html) but with -g so the names survive, and weighs every function body by the
// crate in its (demangled) name. Data segments cannot be split by crate; their text runs are
// traced to the source file that holds them instead. Totals are checked against what ships
// (dist/app_bg.wasm): the named module must have the same code and data.
//
//   node tests/bench/wasm-size.mjs                 table on stdout, target/bench/wasm-size.json
//   --module engine  the engine's module (engine_bg.wasm, what the page's workers run) instead
//                    of the page's (app_bg.wasm); writes target/bench/wasm-size-engine.json
//   node tests/bench/wasm-size.mjs --in FILE.wasm  weigh FILE as it is (no wasm-opt run)
//   node tests/bench/wasm-size.mjs --top 40        also list the 40 largest functions
//   --shipped FILE   compare with FILE instead of dist/app_bg.wasm; --json FILE  write there
//   --map FILE       wasm-ld's link map (default target/wasm-size/app.map), used only if its
//                    code and data sizes are those of the last link (--trust-map: use it anyway)
//
// Attribution: a function belongs to the first non-std crate named in it, so
// `core::ptr::drop_in_place<x509_parser::…>` is x509-parser's and `<&T as core::fmt::Debug>`
// goes to T's crate; generic code of a crate (e.g. `der::Reader::decode`) stays with that
// crate whoever instantiated it. After wasm-opt's inlining a caller carries its inlined callees.
import { readFileSync, writeFileSync, mkdirSync, readdirSync, statSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { join, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { builtPath } from "../web/serve.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TARGET = process.env.CARGO_TARGET_DIR || join(ROOT, "target");
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : process.argv[i + 1];
};
const gz = (b) => gzipSync(b, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

// ---- the module to weigh ------------------------------------------------------------------
const MODULE = arg("--module", "app");
if (!["app", "engine"].includes(MODULE)) throw new Error(`--module ${MODULE}: app or engine`);
let input = arg("--in");
if (!input) {
  const bindgen = join(TARGET, "wasm-bindgen", "release", `${MODULE}_bg.wasm`);
  if (!existsSync(bindgen)) throw new Error(`${bindgen} is missing: build the page first (build_page)`);
  const html = readFileSync(join(ROOT, "index.html"), "utf8");
  const link = html.match(new RegExp(`<link data-trunk rel="rust"[^>]*data-bin="${MODULE}"[^>]*>`))[0];
  const level = link.match(/data-wasm-opt="([^"]*)"/)?.[1] ?? "z";
  const params = (link.match(/data-wasm-opt-params="([^"]*)"/)?.[1] ?? "").split(/\s+/).filter(Boolean);
  mkdirSync(join(TARGET, "wasm-size"), { recursive: true });
  input = join(TARGET, "wasm-size", `${MODULE}_bg.named.wasm`);
  execFileSync(join(ROOT, "node_modules", ".bin", "wasm-opt"), [bindgen, `-O${level}`, ...params, "-g", "-o", input], { stdio: "inherit" });
}
const wasm = readFileSync(input);

// ---- a minimal reader of the binary format ------------------------------------------------
const SECTION = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "data count", "tag"];
function parse(wasm) {
  let pos = 0;
  const u8 = () => wasm[pos++];
  const leb = () => {
    let r = 0, shift = 0, b;
    do { b = wasm[pos++]; r += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
    return r;
  };
  const str = () => { const n = leb(); const s = wasm.subarray(pos, pos + n).toString("utf8"); pos += n; return s; };
  const constExpr = () => { // the value of an i32.const offset (null for anything else)
    let value = null;
    for (;;) {
      const op = u8();
      if (op === 0x0b) return value;
      if (op === 0x41 || op === 0x42 || op === 0x23) value = op === 0x41 ? leb() : (leb(), null); // i32/i64.const, global.get
      else throw new Error(`unexpected opcode 0x${op.toString(16)} in a constant expression`);
    }
  };
  if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error("not a wasm module");
  pos = 8;
  const sections = []; // { name, size, bytes }
  let importedFuncs = 0;
  const bodies = []; // { index, start, end }
  const segments = []; // Buffer
  const names = new Map(); // function index → name
  while (pos < wasm.length) {
    const id = u8(), size = leb(), start = pos, end = pos + size;
    let name = SECTION[id] ?? `section ${id}`;
    if (id === 0) {
      name = `custom "${str()}"`;
      if (name === 'custom "name"') {
        while (pos < end) {
          const sub = u8(), subSize = leb(), subEnd = pos + subSize;
          if (sub === 1) for (let n = leb(); n > 0; n--) { const i = leb(); names.set(i, str()); }
          pos = subEnd;
        }
      }
    } else if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        str(); str();
        const kind = u8();
        if (kind === 0) { importedFuncs++; leb(); }
        else if (kind === 1) { u8(); const f = u8(); leb(); if (f & 1) leb(); }
        else if (kind === 2) { const f = u8(); leb(); if (f & 1) leb(); }
        else if (kind === 3) { u8(); u8(); }
        else if (kind === 4) { u8(); leb(); }
      }
    } else if (id === 10) {
      const n = leb();
      for (let i = 0; i < n; i++) {
        const len = leb();
        bodies.push({ index: importedFuncs + i, start: pos, end: pos + len });
        pos += len;
      }
    } else if (id === 11) {
      for (let n = leb(); n > 0; n--) {
        const flags = leb();
        if (flags === 2) leb();
        const at = flags !== 1 ? constExpr() : null;
        const len = leb();
        segments.push(Object.assign(wasm.subarray(pos, pos + len), { at }));
        pos += len;
      }
    }
    sections.push({ name, size: end - start, bytes: wasm.subarray(start, end) });
    pos = end;
  }
  return { sections, bodies, segments, names };
}
const { sections, bodies, segments, names } = parse(wasm);

// ---- names → crates -----------------------------------------------------------------------
const ESC = { LT: "<", GT: ">", RF: "&", BP: "*", LP: "(", RP: ")", C: ",", SP: "@" };
function demangle(s) {
  if (!s.startsWith("_ZN")) return s;
  const parts = [];
  let i = 3;
  while (i < s.length && s[i] !== "E") {
    let j = i;
    while (/[0-9]/.test(s[j])) j++;
    const n = Number(s.slice(i, j));
    parts.push(s.slice(j, j + n));
    i = j + n;
  }
  if (/^h[0-9a-f]{16}$/.test(parts.at(-1))) parts.pop();
  return parts
    .map((p) => p.replace(/^_\$/, "$").replace(/\$([A-Z]+|u[0-9a-f]+)\$/g, (_, e) => ESC[e] ?? String.fromCharCode(parseInt(e.slice(1), 16))).replace(/\.\./g, "::"))
    .join("::");
}
const STD = new Set(["core", "alloc", "std", "compiler_builtins", "dlmalloc", "panic_abort", "panic_unwind", "hashbrown", "rustc_demangle"]);
function crateOf(name) {
  if (!name) return "(unnamed)";
  if (/^(__wbg_|__wbindgen|__externref|__wbg)/.test(name)) return "wasm_bindgen";
  if (/^(memcpy|memmove|memset|memcmp|bcmp|malloc|free|realloc|calloc|__rust_|__rdl_|__rg_|__multi3|__udivti3|__umodti3|__divti3|__modti3|__ashlti3|__lshrti3|__ashrti3|__muloti4)/.test(name)) return "std";
  let first;
  // Only the first segment of each path names a crate (`core::fmt::…` is core's, not `fmt`).
  for (const m of name.matchAll(/(?<![A-Za-z0-9_:])([A-Za-z_][A-Za-z0-9_]*)::/g)) {
    first ??= m[1];
    if (!STD.has(m[1])) return m[1];
  }
  return first && STD.has(first) ? "std" : first ?? "(other)";
}
// The groups the issue asks about; anything else is listed under its own crate name.
const GROUPS = [
  ["certlab (engine)", /^certlab$/],
  ["certlab-web (page)", /^(certlab_web|app)$/],
  ["certlab-wire", /^certlab_wire$/],
  ["yew, gloo and friends", /^(yew|yew_macro|implicit_clone|gloo|gloo_\w+|prokio|pinned|futures\w*|slab|tracing\w*|indexmap|bincode|html_escape|console_error_panic_hook|anymap2|once_cell|thiserror|pin_project\w*)$/],
  ["x509-parser", /^x509_parser$/],
  ["asn1-rs", /^asn1_rs$/],
  ["der-parser", /^der_parser$/],
  ["nom, oid-registry, data-encoding, rusticata-macros", /^(nom|oid_registry|data_encoding|rusticata_macros|num_bigint|num_integer|num_traits|lazy_static)$/],
  ["der (RustCrypto)", /^der$/],
  ["x509-cert, spki, const-oid", /^(x509_cert|spki|const_oid)$/],
  ["pkcs8, pkcs1, sec1, pkcs5", /^(pkcs8|pkcs1|sec1|pkcs5|pem_rfc7468|base64ct)$/],
  ["pkcs12, cms, rc2", /^(pkcs12|cms|rc2)$/],
  ["rsa, crypto-bigint", /^(rsa|crypto_bigint|crypto_primes|ctutils|num_bigint_dig)$/],
  ["p256, p384, elliptic-curve, ecdsa", /^(p256|p384|elliptic_curve|primeorder|primefield|ecdsa|rfc6979|ff|group|wnaf|crypto_common|hybrid_array|generic_array)$/],
  ["ed25519-dalek, curve25519-dalek", /^(ed25519_dalek|curve25519_dalek|ed25519)$/],
  ["sha1, sha2, md5, digest", /^(sha1|sha2|md5|digest|block_buffer|cpufeatures)$/],
  ["aes, des, cbc, cipher (aes-gcm)", /^(aes|des|cbc|cipher|inout|block_padding|rc2|aes_gcm|ghash|polyval|ctr|universal_hash)$/],
  ["scrypt, pbkdf2, hmac, salsa20", /^(scrypt|pbkdf2|hmac|salsa20)$/],
  ["signature, rand, getrandom, zeroize, subtle", /^(signature|rand_core|rand|rand_chacha|chacha20|getrandom|zeroize|subtle|cmov)$/],
  ["rcgen, yasna", /^(rcgen|yasna)$/],
  ["serde_json, serde", /^(serde_json|serde|serde_core|serde_derive|itoa|ryu|zmij|memchr|serde_bytes|serde_urlencoded)$/],
  ["time", /^(time|time_core|time_macros|deranged|powerfmt|num_conv)$/],
  ["flate2, miniz_oxide, zip, crc32fast", /^(flate2|miniz_oxide|zip|crc32fast|adler2?|simd_adler32)$/],
  ["pem, base64, hex", /^(pem|base64|hex)$/],
  ["web-sys, js-sys, wasm-bindgen", /^(web_sys|js_sys|wasm_bindgen|wasm_bindgen_futures)$/],
  ["core, alloc, std", /^(std|__rustc)$/],
];
const groupOf = (crate) => GROUPS.find(([, re]) => re.test(crate))?.[0] ?? crate;

const functions = bodies.map((b) => {
  // std is mangled v0-style: drop its crate disambiguators (`core[c5930c85a12de822]::fmt`).
  const name = demangle(names.get(b.index) ?? "").replace(/\[[0-9a-f]{8,}\]/g, "");
  const crate = crateOf(name);
  return { name, crate, group: groupOf(crate), size: b.end - b.start, bytes: wasm.subarray(b.start, b.end) };
});
const codeSection = sections.find((s) => s.name === "code")?.size ?? 0;
const dataSection = sections.find((s) => s.name === "data")?.size ?? 0;
const named = functions.filter((f) => f.name).length;

// ---- text in the data segments, traced to source files ------------------------------------
const data = Buffer.concat(segments);
const TEXT_MIN = 32;
const runs = [];
{
  // Text is interleaved with pointer tables whose bytes can look like UTF-8 lead bytes: decode
  // everything and keep the maximal runs of readable characters (mostly letters and spaces).
  let offset = 0, last = 0;
  const all = data.toString("utf8");
  for (const m of all.matchAll(/[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]{16,}/g)) {
    offset += Buffer.byteLength(all.slice(last, m.index)); last = m.index;
    const t = m[0], bytes = Buffer.byteLength(t);
    if ((t.match(/[A-Za-z ]/g)?.length ?? 0) > 0.7 * t.length && Buffer.byteLength(t) >= TEXT_MIN) runs.push({ offset, bytes, text: t });
  }
}
const sources = [];
function walk(dir) {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(rs|txt|md|html|json|toml|sh|ps1|conf|py|js|mjs|c|h)$/.test(f)) sources.push({ file: relative(ROOT, p), text: readFileSync(p, "utf8") });
  }
}
for (const d of ["crate/src", "web/src", "wire/src"]) if (existsSync(join(ROOT, d))) walk(join(ROOT, d));
function sourceOf(text) {
  // Three samples of a run (Rust string escapes make the run and its source differ elsewhere).
  const L = 24, clean = (x) => x.replace(/[\n\r\t"\\{}]/g, "");
  const samples = [0, Math.floor(text.length / 2), text.length - L - 1].map((i) => clean(text.slice(Math.max(0, i), Math.max(0, i) + L))).filter((x) => x.length >= 12);
  for (const s of samples) { const hit = sources.find((f) => f.text.includes(s)); if (hit) return hit.file; }
  return "(a dependency, or text built at run time)";
}
const byFile = new Map();
for (const r of runs) {
  r.source = sourceOf(r.text);
  const e = byFile.get(r.source) ?? { file: r.source, bytes: 0, runs: 0, parts: [] };
  e.bytes += r.bytes; e.runs++; e.parts.push(data.subarray(r.offset, r.offset + r.bytes));
  byFile.set(r.source, e);
}
const text = { bytes: runs.reduce((a, r) => a + r.bytes, 0), files: [...byFile.values()].map((e) => ({ file: e.file, bytes: e.bytes, runs: e.runs, gzip: gz(Buffer.concat(e.parts)) })).sort((a, b) => b.bytes - a.bytes) };

// ---- totals and gzip shares ---------------------------------------------------------------
// ---- named data (wasm-ld's link map, if the page was linked with one) --------------------
// `cargo rustc --profile wasm-release --target wasm32-unknown-unknown -p certlab-web --bin app
//  -- -C link-arg=--Map=target/wasm-size/app.map` writes it; wasm-opt keeps data addresses.
const mapFile = arg("--map", join(TARGET, "wasm-size", `${MODULE}.map`));
const bigData = [];
let mapNote = null;
if (existsSync(mapFile)) {
  // Use the map only if it describes the link wasm-bindgen read: the same code and data sizes
  // (the map counts a few header bytes more).
  const linked = join(TARGET, "wasm32-unknown-unknown", "wasm-release", `${MODULE}.wasm`);
  const sizes = {};
  for (const m of readFileSync(mapFile, "utf8").matchAll(/^\s+-\s+[0-9a-f]+\s+([0-9a-f]+) (CODE|DATA)$/gm)) sizes[m[2]] = parseInt(m[1], 16);
  const ours = existsSync(linked) ? parse(readFileSync(linked)).sections : [];
  const size = (n) => ours.find((x) => x.name === n)?.size;
  if (!process.argv.includes("--trust-map") && (Math.abs(size("code") - sizes.CODE) > 8 || Math.abs(size("data") - sizes.DATA) > 8)) mapNote = `${relative(ROOT, mapFile)} is from another link: data symbols not listed`;
}
if (existsSync(mapFile) && !mapNote) {
  let covered = 0; // bytes of the range the file carries (wasm-opt leaves zeros out)
  const memory = (addr, len) => {
    const out = Buffer.alloc(len);
    covered = 0;
    for (const s of segments) if (s.at != null && s.at < addr + len && s.at + s.length > addr) {
      const from = Math.max(addr, s.at), to = Math.min(addr + len, s.at + s.length);
      s.copy(out, from - addr, from - s.at, to - s.at);
      covered += to - from;
    }
    return out;
  };
  let inData = false;
  for (const line of readFileSync(mapFile, "utf8").split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f[3] === "DATA") { inData = true; continue; }
    if (!inData || f.length < 4 || !f[3].startsWith("/")) continue;
    const size = parseInt(f[2], 16), sym = f[3].replace(/^.*:\((.*)\)$/, "$1");
    if (size >= 4096) {
      const bytes = memory(parseInt(f[0], 16), size);
      bigData.push({ symbol: demangle(sym.replace(/^\.(rodata|data|bss)\./, "")).replace(/\[[0-9a-f]{8,}\]/g, ""), raw: size, in_file: covered, gzip: covered ? gz(bytes) : 0 });
    }
  }
  bigData.sort((a, b) => b.raw - a.raw);
}

// dist/app_bg.wasm under its hashed name (web/tools/hash-names.mjs); none if not built.
const builtWasm = () => {
  try {
    return builtPath(join(ROOT, "dist"), `${MODULE}_bg.wasm`);
  } catch {
    return join(ROOT, "dist", `${MODULE}_bg.wasm`);
  }
};
const shipped = arg("--shipped", builtWasm());
const ship = existsSync(shipped) ? readFileSync(shipped) : null;
const total = { raw: wasm.length, gzip: gz(wasm), code: codeSection, data: dataSection, functions: functions.length, named };
const groups = new Map();
for (const f of functions) {
  const g = groups.get(f.group) ?? { group: f.group, crates: new Map(), functions: 0, raw: 0, parts: [] };
  g.functions++; g.raw += f.size; g.parts.push(f.bytes);
  g.crates.set(f.crate, (g.crates.get(f.crate) ?? 0) + f.size);
  groups.set(f.group, g);
}
const rows = [...groups.values()].map((g) => ({
  group: g.group,
  crates: [...g.crates].sort((a, b) => b[1] - a[1]).map(([c, n]) => ({ crate: c, raw: n })),
  functions: g.functions, raw: g.raw, gzip_alone: gz(Buffer.concat(g.parts)),
}));
const otherSections = sections.filter((s) => !["code", "data"].includes(s.name) && !s.name.startsWith("custom"));
rows.push({ group: "data segments (static data and text)", crates: [], functions: 0, raw: data.length, gzip_alone: gz(data) });
const restRaw = otherSections.reduce((a, s) => a + s.size, 0);
rows.push({ group: `other sections (${otherSections.map((s) => s.name).join(", ")})`, crates: [], functions: 0, raw: restRaw, gzip_alone: gz(Buffer.concat(otherSections.map((s) => s.bytes))) });
// Each part gzipped alone compresses worse than inside the whole file; scale the parts so they
// add up to the shipped file's gzip size (an estimate of each part's share of the download).
const whole = ship ? gz(ship) : total.gzip;
const sumAlone = rows.reduce((a, r) => a + r.gzip_alone, 0);
for (const r of rows) r.gzip_share = Math.round((r.gzip_alone * whole) / sumAlone);
rows.sort((a, b) => b.gzip_share - a.gzip_share);

// The named module must be the shipped one plus names: same code and data sections.
let sameAsShipped = null;
if (ship) {
  const shipped = parse(ship).sections;
  const part = (list, n) => list.find((s) => s.name === n)?.bytes;
  sameAsShipped = ["code", "data"].every((n) => Buffer.compare(part(sections, n), part(shipped, n)) === 0);
}
const out = {
  input: relative(ROOT, input), total, shipped: ship ? { raw: ship.length, gzip: whole } : null,
  same_as_shipped: sameAsShipped,
  rows, text: { ...text, files: text.files.slice(0, 20) }, data_symbols: bigData, top: [...functions].sort((a, b) => b.size - a.size).slice(0, 200).map(({ name, crate, size }) => ({ name, crate, size })),
};
mkdirSync(join(ROOT, "target", "bench"), { recursive: true });
writeFileSync(arg("--json", join(ROOT, "target", "bench", MODULE === "app" ? "wasm-size.json" : `wasm-size-${MODULE}.json`)), JSON.stringify(out, null, 2) + "\n");

// ---- the table ----------------------------------------------------------------------------
const pct = (n, d) => `${((100 * n) / d).toFixed(1)}%`;
console.log(`Module: ${out.input}, ${kb(total.raw)} (${total.functions} functions, ${named} named); code ${kb(codeSection)}, data ${kb(dataSection)}.`);
if (ship) console.log(`Shipped: ${relative(ROOT, shipped)} ${kb(ship.length)}, gzip -9 ${kb(whole)}; its code and data sections are ${sameAsShipped ? "byte for byte those weighed here" : "NOT those weighed here (rebuild the page, or a different wasm-opt run)"}.`);
console.log("");
console.log("| part | crates (largest first) | code/data | share | ≈ gzip share |");
console.log("| --- | --- | ---: | ---: | ---: |");
for (const r of rows) {
  const cr = r.crates.length ? r.crates.slice(0, 5).map((c) => c.crate).join(", ") + (r.crates.length > 5 ? ", …" : "") : "";
  console.log(`| ${r.group} | ${cr} | ${kb(r.raw)} | ${pct(r.raw, total.raw)} | ${kb(r.gzip_share)} |`);
}
console.log("");
console.log(`Text in the data segments (runs of ≥ ${TEXT_MIN} readable bytes): ${kb(text.bytes)} of ${kb(data.length)}.`);
console.log("");
console.log("| where the text is written | raw | gzip -9 alone | runs |");
console.log("| --- | ---: | ---: | ---: |");
for (const f of text.files.slice(0, 15)) console.log(`| ${f.file} | ${kb(f.bytes)} | ${kb(f.gzip)} | ${f.runs} |`);
if (mapNote) console.log(`\n${mapNote}.`);
if (bigData.length) {
  console.log("");
  console.log(`Data of 4 KB or more, by symbol (${relative(ROOT, mapFile)}, the same link):`);
  console.log("");
  console.log("| symbol | size in memory | in the file | gzip -9 alone |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const d of bigData) console.log(`| \`${d.symbol}\` | ${kb(d.raw)} | ${kb(d.in_file)} | ${kb(d.gzip)} |`);
}
const top = Number(arg("--top", 0));
if (top) {
  console.log("");
  for (const f of out.top.slice(0, top)) console.log(`${String(f.size).padStart(8)}  ${f.crate.padEnd(18)} ${f.name.slice(0, 140)}`);
}
