// The generation worker (a module worker, started by web/src/generator.rs). It runs the page's
// own wasm module, so the engine is downloaded once: the page posts its compiled
// WebAssembly.Module as the first message (no second fetch or compile), and the module's
// main() sees that it runs in a worker and installs the worker's handler (web/src/worker.rs),
// which then answers "ready".
import init from "./app.js";

self.onmessage = async (e) => {
  self.onmessage = null;
  await init({ module_or_path: e.data });
};
