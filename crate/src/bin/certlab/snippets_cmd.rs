//! `certlab snippets`: the kit's server and client snippets (README.txt's CONNECT IT section
//! and the page's tab, from [`certlab::snippets`]), for another host or ports when asked:
//! all as text, one by `--id` ready to save and run, or all as JSON for tools.

use crate::Fail;
use crate::guide_cmd::read_manifest;
use crate::out::{out, outln};
use certlab::{Endpoint, Error, ErrorKind};
use clap::Args;
use std::path::PathBuf;

/// The flags of `certlab snippets`.
#[derive(Args)]
pub(crate) struct SnippetsArgs {
    /// The kit's folder (it holds manifest.json); run the snippets in it.
    pub(crate) kit: PathBuf,
    /// The name clients connect to (default: localhost when the server has it, else its first name).
    #[arg(long)]
    pub(crate) host: Option<String>,
    /// The https / wss:// / TLS port (default 8443).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) port: Option<u16>,
    /// The MQTT over TLS port (default 8883).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) mqtt_port: Option<u16>,
    /// The MQTT over WebSockets with TLS port (default 8884).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) mqtt_ws_port: Option<u16>,
    /// Print only this snippet's text (e.g. curl-mtls, nginx, mosquitto-conf, qt).
    #[arg(long, conflicts_with = "json")]
    pub(crate) id: Option<String>,
    /// Print every snippet as one JSON array (id, tool, title, language, file, text).
    #[arg(long)]
    pub(crate) json: bool,
}

/// Prints the snippets.
pub(crate) fn run(a: SnippetsArgs) -> Result<(), Fail> {
    let m = read_manifest(&a.kit)?;
    let d = Endpoint::of(&m);
    let at = Endpoint {
        host: a.host.unwrap_or(d.host),
        port: a.port.unwrap_or(d.port),
        mqtt_port: a.mqtt_port.unwrap_or(d.mqtt_port),
        mqtt_ws_port: a.mqtt_ws_port.unwrap_or(d.mqtt_ws_port),
    };
    if let Some(h) = at
        .host
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || ".-:_".contains(*c)))
    {
        return Err(Fail::Engine(Error::field(
            "--host",
            ErrorKind::InvalidDnsName,
            format!("{h:?} cannot be part of a host name or address"),
            "give a DNS name or an IP address, e.g. --host localhost",
        )));
    }
    let all = certlab::snippets(&m, &at);
    if a.json {
        let text = serde_json::to_string_pretty(&all)
            .map_err(|e| Fail::Io(format!("cannot write JSON: {e}")))?;
        outln!("{text}");
        return Ok(());
    }
    match a.id {
        Some(id) => match all.iter().find(|s| s.id == id) {
            Some(s) => out!("{}", s.text),
            None => {
                let ids: Vec<&str> = all.iter().map(|s| s.id).collect();
                return Err(Fail::Engine(Error::field(
                    "--id",
                    ErrorKind::Missing,
                    format!("this kit has no snippet `{id}`"),
                    format!("use one of {}", ids.join(", ")),
                )));
            }
        },
        None if all.is_empty() => {
            outln!("This kit has no server: the snippets are servers and their clients.")
        }
        None => {
            for s in &all {
                outln!("# {} ({})\n{}", s.title, s.file, s.text);
            }
        }
    }
    Ok(())
}
