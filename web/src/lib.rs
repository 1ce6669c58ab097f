//! certlab's page: a private CA in the browser. The engine (`certlab`) runs in a web worker so
//! the page never freezes; RSA keys come from WebCrypto; nothing leaves the page.
#![forbid(unsafe_code)]

pub mod components;
pub mod download;
pub mod generator;
pub mod protocol;
pub mod state;
pub mod webcrypto;
pub mod worker;
