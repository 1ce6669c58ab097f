//! `certlab-echo`: a wss echo server, a probe client and a reverse-connection mode that
//! prove a certlab kit over one-way and mutual TLS.
//!
//! * `serve` ([`serve`]): listeners (wss and ws, each with its own identity and client CAs),
//!   a greeting that describes the peer, echo, a diagnostic page, limits, graceful shutdown.
//! * `probe` ([`probe`]): connects, verifies, reports; `probe --listen` ([`listen`]) is the
//!   listening client of `dial`.
//! * `dial` ([`dial`]): the echo side connects out to a listening client ("server phones
//!   home") and serves it with the same per-connection code ([`conn`]).
//! * `gallery` ([`gallery`]): serves every case of a `certlab gallery` on its own port.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod client;
pub mod config;
pub mod conn;
pub mod dial;
pub mod error;
pub mod gallery;
pub mod http;
pub mod input;
pub mod limits;
pub mod listen;
pub mod outside;
pub mod password;
pub mod peer;
pub mod probe;
pub mod report;
pub mod serve;
pub mod signal;
pub mod tls;
pub mod verify;
