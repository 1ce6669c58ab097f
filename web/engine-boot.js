// Starts the engine as the page is parsed, in parallel with the page's own module: the first
// generation worker (web/worker.js) is created here and fetches and compiles the engine's
// module (engine_bg.wasm: keys, signing, decoding; built from web/src/bin/engine.rs) on its
// own thread, then posts the compiled module back. The page (web/src/engine.rs) adopts that
// worker for its first kit (window.certlabTakeWorker) and hands the module to every later
// worker (window.certlabEngineLoad), so it is fetched and compiled once.
// The first worker starts on its own, without a message from this page (see web/worker.js).
// The single-file certlab.html runs this same script inline after setting
// window.certlabSingleFile (web/tools/single-file.mjs): its workers come from a blob: URL; the
// first one was started by an earlier script in the file and is sent the engine's text, which
// it inflates and compiles instead of fetching.
// The build gives worker.js and engine_bg.wasm names with their content hashes
// (web/tools/hash-names.mjs rewrites the two names below), so this file is their one home:
// web/src/engine.rs makes every later worker through window.certlabMakeWorker.
{
  const single = window.certlabSingleFile;
  const workerUrl = new URL("./worker.js", document.baseURI);
  window.certlabMakeWorker ??= async () => new Worker(workerUrl, { type: "module" });
  const makeWorker = () => {
    if (!single) return new Worker(workerUrl, { type: "module", name: "certlab-first" });
    if (single.firstWorker.failed) {
      single.firstWorker.worker?.terminate();
      throw single.firstWorker.failed;
    }
    return single.firstWorker.worker;
  };
  // Without the first worker's module (it failed to start): compile it on the page's side.
  const compileHere = single?.compileHere ?? (() => {
    const response = fetch(new URL("./engine_bg.wasm", document.baseURI));
    // compileStreaming needs the server to say application/wasm; compile the bytes otherwise.
    return WebAssembly.compileStreaming(response.then((r) => r.clone()))
      .catch(async () => WebAssembly.compile(await (await response).arrayBuffer()));
  });
  let engine = null;
  let first = null;
  try {
    const worker = makeWorker();
    let give, fail;
    engine = new Promise((resolve, reject) => { give = resolve; fail = reject; });
    // A listener, not onmessage: it stays when the page takes the worker over, since the
    // module may come back after that.
    worker.addEventListener("message", (e) => {
      if (e.data instanceof WebAssembly.Module) give(e.data);
      else if (e.data === '{"type":"ready"}' && first) first.ready = true;
    });
    // If it fails, or the page stops it (Cancel) before the module came back, the later
    // workers get a module compiled on the page's side instead.
    worker.addEventListener("error", (e) => {
      console.warn("certlab: the first worker failed:", e);
      fail(e);
      if (first?.worker === worker) {
        first = null;
        worker.terminate();
      }
    });
    const terminate = worker.terminate.bind(worker);
    worker.terminate = () => {
      fail(new Error("the first worker was stopped"));
      terminate();
    };
    first = { worker, ready: false };
    engine = engine.catch(compileHere);
    if (single) worker.postMessage(single.firstMessage);
  } catch (e) {
    console.warn("certlab: the first worker did not start:", e);
    engine = null;
    first = null;
  }
  window.certlabEngineLoad = () => (engine ??= compileHere());
  // The first worker and whether it has said ready, once; then null.
  window.certlabTakeWorker = () => {
    const taken = first;
    first = null;
    return taken;
  };
}
