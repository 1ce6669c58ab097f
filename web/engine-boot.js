// Starts fetching and compiling the engine's wasm module (engine_bg.wasm: key generation,
// signing, decoding; built from web/src/bin/engine.rs) as soon as the page is parsed, beside
// the page's own module, which is smaller and renders the editor meanwhile. The page's workers
// each get this one compiled module (web/src/engine.rs), so it is fetched and compiled once.
// The single-file certlab.html sets window.certlabEngine itself (web/tools/single-file.mjs).
{
  const url = new URL("./engine_bg.wasm", document.baseURI);
  const response = fetch(url);
  // compileStreaming needs the server to say application/wasm; compile the bytes otherwise.
  window.certlabEngine = WebAssembly.compileStreaming(response.then((r) => r.clone()))
    .catch(async () => WebAssembly.compile(await (await response).arrayBuffer()));
}
