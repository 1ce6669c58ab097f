//! `certlab-echo`: a wss echo server and a probe client that prove a certlab kit over
//! one-way and mutual TLS.
//!
//! * `certlab-echo serve --cert server.fullchain.pem --key server.key [--client-ca ca.crt]`
//! * `certlab-echo probe wss://localhost:8443/ --ca ca.crt [--cert alice.crt --key alice.key]`
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod config;
mod http;
mod limits;
mod peer;
mod probe;
mod serve;
mod tls;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Command line.
#[derive(Debug, Parser)]
#[command(
    name = "certlab-echo",
    version,
    about = "wss echo server and probe for certlab kits"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The two modes.
#[derive(Debug, Subcommand)]
enum Command {
    /// Serve wss:// (and optionally ws://): greet each websocket with its TLS facts, then echo.
    Serve(config::ServeArgs),
    /// Connect to a wss:// server, report the chain, the verdict, the greeting and an echo.
    Probe(probe::ProbeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
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
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Serve(args) => {
            let settings = match config::Settings::resolve(args) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            match runtime.block_on(serve::run(settings)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Probe(args) => {
            if runtime.block_on(probe::run(args)) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
