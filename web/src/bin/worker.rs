//! The generation worker's entry point (Trunk `data-type="worker"`).
fn main() {
    certlab_web::worker::start();
}
