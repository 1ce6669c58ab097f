// The page's workers (module workers): each runs the engine's wasm module (engine.js,
// engine_bg.wasm; built from web/src/bin/engine.rs). The first worker, which
// web/engine-boot.js starts as the page is parsed (named FIRST), fetches and compiles the
// module as soon as this script runs, imports the glue at the same time, and posts the module
// back for the page's later workers. It must not wait for a message from the page: Chromium
// delivers a new worker's first message only once the page's thread has heard that the
// worker's script ran, and that thread is busy starting the page's own module by then (on
// two cores this held the engine back by up to 200 ms). Every later worker gets the compiled
// module as its first message (no second fetch or compile). The module's main() then installs
// the worker's handler (web/src/worker.rs), which answers "ready".
// The build gives engine.js and engine_bg.wasm names with their content hashes and rewrites
// the two names below to match (web/tools/hash-names.mjs).
const FIRST = "certlab-first";

async function fetchEngine() {
  const response = fetch("./engine_bg.wasm");
  // compileStreaming needs the server to say application/wasm; compile the bytes otherwise.
  return WebAssembly.compileStreaming(response.then((r) => r.clone()))
    .catch(async () => WebAssembly.compile(await (await response).arrayBuffer()));
}

async function run(module, glue) {
  const { default: init } = await glue;
  await init({ module_or_path: module });
}

// Thrown from a task of its own, an error reaches the page as the worker's "error" event
// (a rejected promise would not). For the first worker, the page then compiles the module
// itself (engine-boot.js); a generation worker that failed is replaced (web/src/generator.rs).
const fail = (e) => setTimeout(() => { throw e; });

if (self.name === FIRST) {
  const glue = import("./engine.js");
  fetchEngine().then((module) => {
    self.postMessage(module);
    return run(module, glue);
  }).catch(fail);
} else {
  self.onmessage = (e) => {
    self.onmessage = null;
    run(e.data, import("./engine.js")).catch(fail);
  };
}
