// Trunk's one post-build hook. Trunk starts the hooks of a stage all at once (trunk 0.21
// src/hooks.rs spawns them together), and sw.js must list and hash the final files, so the
// steps run here in order: boot.js out of index.html, then certlab.html (from the plain
// names), then the names with content hashes, then sw.js.
await import("./externalize-boot.mjs");
await import("./single-file.mjs");
await import("./hash-names.mjs");
await import("./service-worker.mjs");
