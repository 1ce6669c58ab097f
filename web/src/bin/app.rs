//! The page's entry point.
fn main() {
    yew::Renderer::<certlab_web::components::app::App>::new().render();
}
