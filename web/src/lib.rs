//! certlab's page: a private CA in the browser. The engine (`certlab`) runs in a web worker so
//! the page never freezes; RSA keys come from WebCrypto; nothing leaves the page. The only
//! network use is the wss tester, and only when the user presses Connect.
#![forbid(unsafe_code)]

pub mod bench;
pub mod components;
pub mod download;
pub mod generator;
pub mod protocol;
pub mod socket;
pub mod state;
pub mod tester_state;
pub mod webcrypto;
pub mod worker;
pub mod wss;
