//! What `certlab-echo` and certlab's page agree on: the greeting JSON the echo side sends
//! each websocket and serves as `/info` ([`Greeting`], [`CertFacts`], [`Verdict`]), and the
//! reading of a `ws://` or `wss://` URL ([`Target`]).
//!
//! Both sides use these types, so a renamed field is a compile error on both. Fields newer
//! than the first greeting carry `#[serde(default)]`, so the page still reads the greeting of
//! an older server.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod greeting;
mod target;

pub use greeting::{CertFacts, Greeting, NO_CLIENT_CERT, VERIFIED, Verdict};
pub use target::{Target, URL_HINT};
