// The page's workers (module workers): each runs the engine's wasm module (engine.js,
// engine_bg.wasm; built from web/src/bin/engine.rs). The first message is the module the page
// has compiled (no second fetch or compile), or "fetch" for the first worker, which
// web/engine-boot.js starts as the page is parsed: it fetches and compiles the module on this
// thread and posts it back for the page's later workers. The module's main() then installs the
// worker's handler (web/src/worker.rs), which answers "ready". The glue is imported when the
// message has come, so the first worker fetches it and the module at the same time.
async function fetchEngine() {
  const response = fetch("./engine_bg.wasm");
  // compileStreaming needs the server to say application/wasm; compile the bytes otherwise.
  return WebAssembly.compileStreaming(response.then((r) => r.clone()))
    .catch(async () => WebAssembly.compile(await (await response).arrayBuffer()));
}

self.onmessage = async (e) => {
  self.onmessage = null;
  let module = e.data;
  const glue = import("./engine.js");
  if (module === "fetch") {
    module = await fetchEngine();
    self.postMessage(module);
  }
  const { default: init } = await glue;
  await init({ module_or_path: module });
};
