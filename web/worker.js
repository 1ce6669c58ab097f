// The page's workers (module workers, started by web/src/engine.rs): each runs the engine's
// wasm module (engine.js, engine_bg.wasm; built from web/src/bin/engine.rs). The page posts
// the module it has already compiled as the first message (no second fetch or compile); the
// module's main() then installs the worker's handler (web/src/worker.rs), which answers
// "ready".
import init from "./engine.js";

self.onmessage = async (e) => {
  self.onmessage = null;
  await init({ module_or_path: e.data });
};
