// The shape of a name that carries its file's content hash: app.js → app.<16 hex>.js. Its one
// home: the build makes such names (hash-names.mjs); the tests and benchmarks read the plain
// name back (tests/web/serve.mjs).
const HASHED = /\.([0-9a-f]{16})(\.[a-z]+)$/;

/** `name` with `hash` (16 hex digits) before its extension. */
export const hashedName = (name, hash) => name.replace(/(\.[a-z]+)$/, `.${hash}$1`);

/** The plain name of a hashed one (`app.<16 hex>.js` → `app.js`); other names unchanged. */
export const plainName = (name) => name.replace(HASHED, "$2");

/** The hash in a hashed name, or null. */
export const hashOf = (name) => name.match(HASHED)?.[1] ?? null;
