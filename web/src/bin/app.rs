//! The entry point of the page's wasm module: the editor, validation, guides and tester. It
//! holds no key generation, signing or certificate decoding: that is the engine module
//! (`engine.rs`), which only the page's workers run (see `certlab_web::engine`).
fn main() {
    yew::Renderer::<certlab_web::components::app::App>::new().render();
}
