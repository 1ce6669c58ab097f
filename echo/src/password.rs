//! Key passwords: read from a file, or asked for on the terminal when a key turns out to be
//! encrypted and no password was given.

use crate::error::{Error, Result};
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// Reads a password file; a trailing newline is not part of the password.
pub fn read_file(path: &Path) -> Result<String> {
    let text = crate::input::read_text(path, "--key-password-file")?;
    Ok(text.trim_end_matches(['\r', '\n']).to_string())
}

/// True when `bytes` hold a private key that needs a password (encrypted PKCS#8).
pub fn is_encrypted(bytes: &[u8]) -> bool {
    match certlab::private_key(bytes, None, "key") {
        Ok(_) => false,
        Err(e) => e
            .field_errors()
            .iter()
            .any(|f| f.kind == certlab::ErrorKind::WrongPassword),
    }
}

/// For a key file without a given password: `None` if it is not encrypted (or unreadable:
/// loading it reports that later), the password typed on the terminal if it is, or an error
/// saying how to give one when there is no terminal.
pub fn prompt_if_encrypted(key: &Path) -> Result<Option<String>> {
    let Ok(bytes) = crate::input::read(key, "--key") else {
        return Ok(None);
    };
    if !is_encrypted(&bytes) {
        return Ok(None);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::Input(format!(
            "--key {}: the key is encrypted and no password was given: use --key-password, \
             --key-password-file, or start on a terminal to be asked",
            key.display()
        )));
    }
    prompt(&format!("Password for {}: ", key.display())).map(Some)
}

/// Asks on the controlling terminal with echo off (`stty -echo`; no unsafe code needed).
pub fn prompt(label: &str) -> Result<String> {
    let fail = |e: std::io::Error| {
        Error::Input(format!(
            "cannot ask for the key password on the terminal: {e}"
        ))
    };
    let mut tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(fail)?;
    let stty = |arg: &str, tty: &std::fs::File| -> bool {
        tty.try_clone()
            .ok()
            .and_then(|t| {
                Command::new("stty")
                    .arg(arg)
                    .stdin(t)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .ok()
            })
            .is_some_and(|s| s.success())
    };
    tty.write_all(label.as_bytes()).map_err(fail)?;
    tty.flush().map_err(fail)?;
    let echo_off = stty("-echo", &tty);
    let mut line = String::new();
    let read = BufReader::new(&tty).read_line(&mut line);
    if echo_off {
        stty("echo", &tty);
    }
    let _ = tty.write_all(b"\n");
    read.map_err(fail)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
