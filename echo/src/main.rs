//! `certlab-echo`: a wss echo server, a probe client and a reverse-connection mode that
//! prove a certlab kit over one-way and mutual TLS.
//!
//! * `certlab-echo serve --cert server.fullchain.pem --key server.key [--client-ca ca.crt]`
//! * `certlab-echo probe wss://localhost:8443/ --ca ca.crt [--cert alice.crt --key alice.key]`
//! * `certlab-echo dial wss://localhost:9443/ --cert alice.crt --key alice.key --ca ca.crt`
//!   with `certlab-echo probe --listen 127.0.0.1:9443 --cert server.crt --key server.key --ca ca.crt`
//!
//! The exit code comes from the kind of error ([`certlab_echo::error`]): 0 success, 1 a check
//! failed, 2 bad input, 3 refused by the peer.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use certlab_echo::error::Error;
use certlab_echo::outside::{MAX_MESSAGE_CHARS, SafeStderr, shown_max};
use certlab_echo::{config, dial, gallery, probe, serve};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Command line.
#[derive(Debug, Parser)]
#[command(
    name = "certlab-echo",
    version,
    about = "wss echo server, probe and reverse dialer for certlab kits"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The modes.
#[derive(Debug, Subcommand)]
enum Command {
    /// Serve wss:// (and optionally ws://): greet each websocket with its TLS facts, then echo.
    Serve(config::ServeArgs),
    /// Connect to a wss:// server (or, with --listen, wait for `dial`), report the chain, the
    /// verdict, the greeting and an echo.
    Probe(probe::ProbeArgs),
    /// Connect OUT to a listening client (`probe --listen`) and be its echo server; retry
    /// while it is away.
    Dial(dial::DialArgs),
    /// Serve every case of a gallery made by `certlab gallery --out DIR`, each on its own
    /// loopback port (DIR/echo.toml).
    Gallery(gallery::GalleryArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(|| SafeStderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let e = Error::Local(format!("cannot start the runtime: {e}"));
            eprintln!("error: {e}");
            return ExitCode::from(e.exit_code());
        }
    };
    // The probe prints its report (which names the error) itself.
    let (result, reported) = match cli.command {
        Command::Serve(args) => (
            config::Settings::resolve(args).and_then(|s| runtime.block_on(serve::run(s))),
            false,
        ),
        Command::Probe(args) => (runtime.block_on(probe::run(args)), true),
        Command::Dial(args) => (runtime.block_on(dial::run(args)), false),
        Command::Gallery(args) => (
            gallery::settings(&args).and_then(|s| runtime.block_on(serve::run(s))),
            false,
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if !reported {
                // Errors quote files and peers: escaped and cut like every log line.
                eprintln!("error: {}", shown_max(&e.to_string(), MAX_MESSAGE_CHARS));
            }
            ExitCode::from(e.exit_code())
        }
    }
}
