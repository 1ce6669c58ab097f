//! certlab's page: a private CA in the browser. Two wasm modules are built from this crate: the
//! page (`src/bin/app.rs`: the editor, validation, guides, tester) and the engine
//! (`src/bin/engine.rs`), which runs only in web workers, so the page never freezes and its
//! own module stays small ([`engine`]); RSA keys come from WebCrypto, or from the engine in the worker where
//! the page has no WebCrypto (an insecure context); nothing leaves the page. The only
//! network use is the wss tester, and only when the user presses Connect.
#![forbid(unsafe_code)]

pub mod components;
pub mod download;
pub mod engine;
pub mod fallback;
pub mod generator;
pub mod jobs;
pub mod lab_state;
pub mod protocol;
pub mod rsa_notice;
pub mod slice;
pub mod socket;
pub mod state;
pub mod tester_state;
pub mod webcrypto;
pub mod worker;
pub mod wss;
