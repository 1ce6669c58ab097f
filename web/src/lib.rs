//! certlab's page: a private CA in the browser. The engine (`certlab`) runs in a web worker so
//! the page never freezes; RSA keys come from WebCrypto, or from the engine in the worker where
//! the page has no WebCrypto (an insecure context); nothing leaves the page. The only
//! network use is the wss tester, and only when the user presses Connect.
#![forbid(unsafe_code)]

pub mod bench;
pub mod components;
pub mod download;
pub mod fallback;
pub mod generator;
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
