//! The entry point of the page's wasm module — which is also the generation worker's: one
//! module serves both, so the engine is downloaded once. `web/worker.js` starts the same
//! module in a worker; there `main` installs the worker's message handler instead of the UI.
fn main() {
    if certlab_web::worker::in_worker() {
        certlab_web::worker::start();
    } else {
        yew::Renderer::<certlab_web::components::app::App>::new().render();
    }
}
