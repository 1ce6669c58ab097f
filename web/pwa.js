// Registers the service worker (sw.js, made at build time by web/tools/service-worker.mjs) so
// the page works offline after one visit, and offers "A new version is ready — reload" when a
// newer build's worker is waiting. Only over http(s) in a secure context: never from file://
// (the single-file certlab.html does not load this file at all).
const sw = navigator.serviceWorker;
if (sw && window.isSecureContext && /^https?:$/.test(location.protocol)) {
  let reloading = false;
  // A waiting worker only matters when an older one controls the page (not on the first visit).
  const offer = (waiting) => {
    if (!waiting || !sw.controller || document.getElementById("update-ready")) return;
    const bar = document.createElement("div");
    bar.id = "update-ready";
    bar.className = "update-ready";
    bar.setAttribute("role", "status");
    const button = document.createElement("button");
    button.type = "button";
    button.id = "update-reload";
    button.textContent = "reload";
    button.addEventListener("click", () => {
      reloading = true;
      button.disabled = true;
      waiting.postMessage("skip-waiting");
    });
    bar.append("A new version is ready — ", button);
    document.body.append(bar);
  };
  sw.addEventListener("controllerchange", () => {
    if (reloading) location.reload();
  });
  const register = async () => {
    const reg = await sw.register("./sw.js", { scope: "./" });
    offer(reg.waiting);
    reg.addEventListener("updatefound", () => {
      const next = reg.installing;
      next?.addEventListener("statechange", () => {
        if (next.state === "installed") offer(next);
      });
    });
  };
  // Once the page is ready (<html data-worker="ready">: the page's module has rendered and a
  // generation worker has loaded the engine), so precaching never competes with start-up: on
  // two cores it cost about 90 ms of the time to ready. The "load" event is too early: it
  // fires before the wasm modules, which scripts fetch. A page that never gets ready does not
  // work, and has nothing worth keeping offline.
  const root = document.documentElement;
  const isReady = () => root.dataset.worker === "ready";
  const start = () => register().catch((e) => console.warn("certlab: service worker not registered:", e));
  if (isReady()) start();
  else {
    const watch = new MutationObserver(() => {
      if (!isReady()) return;
      watch.disconnect();
      start();
    });
    watch.observe(root, { attributes: true, attributeFilter: ["data-worker"] });
  }
}
