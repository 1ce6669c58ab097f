//! The per-connection limits, and the parsing of durations (`10s`, `500ms`, `5m`) and sizes
//! (`16MiB`, `1048576`) for the flags.

use crate::error::{Error, Result};
use std::time::Duration;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// Default time allowed for the TLS handshake plus the HTTP request head.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time a websocket may stay silent before it is closed.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// Default time the peer gets to take an echo (or any answer) off the wire before the
/// connection is closed with 1008: a peer that sends and never reads cannot pin the message.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default largest websocket message (16 MiB).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 16 << 20;
/// Bytes tungstenite reads at a time. Its default (128 KiB) is zero-filled on the first read
/// of every connection, which would cost 1.25 GiB of RSS for 10,000 idle websockets; larger
/// messages still arrive in one buffer (it grows to the frame's size), read in steps of this.
pub const WS_READ_BUFFER: usize = 128;

/// What bounds one connection, whichever side opened it (serve or dial).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time for the TLS handshake and the HTTP request head.
    pub handshake_timeout: Duration,
    /// A websocket silent for this long is closed.
    pub idle_timeout: Duration,
    /// Time allowed for each write (an echo, a pong, an HTTP answer) to be taken by the peer.
    pub write_timeout: Duration,
    /// Largest websocket message (and frame).
    pub max_message_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
        }
    }
}

impl Limits {
    /// The websocket configuration for these limits: small read buffer, writes go out at
    /// once (every send is flushed anyway).
    pub fn ws_config(&self) -> WebSocketConfig {
        WebSocketConfig::default()
            .read_buffer_size(WS_READ_BUFFER)
            .write_buffer_size(0)
            .max_message_size(Some(self.max_message_size))
            .max_frame_size(Some(self.max_message_size))
    }

    /// Limits from optional flag texts, defaults for what is absent.
    pub fn parse(flags: LimitFlags<'_>) -> Result<Self> {
        let d = Limits::default();
        let duration = |v: Option<&str>, flag: &str, default: Duration| match v {
            Some(s) => parse_duration(s).map_err(|e| e.prefixed(flag)),
            None => Ok(default),
        };
        Ok(Limits {
            handshake_timeout: duration(
                flags.handshake_timeout,
                "--handshake-timeout",
                d.handshake_timeout,
            )?,
            idle_timeout: duration(flags.idle_timeout, "--idle-timeout", d.idle_timeout)?,
            write_timeout: duration(flags.write_timeout, "--write-timeout", d.write_timeout)?,
            max_message_size: match flags.max_message_size {
                Some(s) => parse_size(s).map_err(|e| e.prefixed("--max-message-size"))?,
                None => d.max_message_size,
            },
        })
    }

    /// The most memory one websocket holds at once, in bytes. Reading, it holds the frame
    /// being read (up to `max_message_size`) and the message assembled from earlier fragments
    /// (up to the same); echoing, the message and the read buffer, which keeps the capacity
    /// of the largest frame. The echo is written from the message itself (no copy in a write
    /// buffer), and the next message is read only once the echo went out: never more than
    /// [`MESSAGE_COPIES`] largest messages, plus [`CONNECTION_OVERHEAD`].
    pub fn max_bytes_per_connection(&self) -> usize {
        self.max_message_size
            .saturating_mul(MESSAGE_COPIES)
            .saturating_add(CONNECTION_OVERHEAD)
    }
}

/// How many copies of a largest message one websocket holds at most (see
/// [`Limits::max_bytes_per_connection`]).
pub const MESSAGE_COPIES: usize = 2;

/// A generous bound of what one connection holds besides messages: rustls' buffers (a 16 KiB
/// record each way, up to 64 KiB of unsent TLS), the read buffer and the tasks.
pub const CONNECTION_OVERHEAD: usize = 128 << 10;

/// The limit flags as given (absent: the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct LimitFlags<'a> {
    /// `--handshake-timeout`.
    pub handshake_timeout: Option<&'a str>,
    /// `--idle-timeout`.
    pub idle_timeout: Option<&'a str>,
    /// `--write-timeout`.
    pub write_timeout: Option<&'a str>,
    /// `--max-message-size`.
    pub max_message_size: Option<&'a str>,
}

/// Parses `N`, `Nms`, `Ns`, `Nm` or `Nh` (a bare number is seconds).
pub fn parse_duration(s: &str) -> Result<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|_| {
        Error::Input(format!(
            "invalid duration {s:?}: expected e.g. 10s, 500ms, 5m"
        ))
    })?;
    let d = match unit.trim() {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        "h" => Duration::from_secs(n.saturating_mul(3600)),
        other => {
            return Err(Error::Input(format!(
                "invalid duration unit {other:?} in {s:?} (ms, s, m, h)"
            )));
        }
    };
    if d.is_zero() {
        return Err(Error::Input(format!(
            "duration {s:?} must be greater than zero"
        )));
    }
    Ok(d)
}

/// Parses a byte count: `N`, `NB`, `NKiB`, `NMiB`, `NGiB` (also `K`, `M`, `G`, binary).
pub fn parse_size(s: &str) -> Result<usize> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: usize = num
        .parse()
        .map_err(|_| Error::Input(format!("invalid size {s:?}: expected e.g. 16MiB, 65536")))?;
    let mult: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" | "kb" => 1 << 10,
        "m" | "mib" | "mb" => 1 << 20,
        "g" | "gib" | "gb" => 1 << 30,
        other => {
            return Err(Error::Input(format!(
                "invalid size unit {other:?} in {s:?} (KiB, MiB, GiB)"
            )));
        }
    };
    match n.checked_mul(mult) {
        Some(0) => Err(Error::Input(format!(
            "size {s:?} must be greater than zero"
        ))),
        Some(v) => Ok(v),
        None => Err(Error::Input(format!("size {s:?} is too large"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("300"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("10y").is_err());
    }

    #[test]
    fn write_timeout_flag() {
        assert_eq!(Limits::default().write_timeout, Duration::from_secs(30));
        let l = Limits::parse(LimitFlags {
            write_timeout: Some("2s"),
            ..LimitFlags::default()
        })
        .expect("limits");
        assert_eq!(l.write_timeout, Duration::from_secs(2));
        let e = Limits::parse(LimitFlags {
            write_timeout: Some("0s"),
            ..LimitFlags::default()
        })
        .expect_err("zero");
        assert!(e.to_string().starts_with("--write-timeout: "), "{e}");
        // Two largest messages and the buffers: 32 MiB and 128 KiB by default.
        assert_eq!(
            Limits::default().max_bytes_per_connection(),
            (32 << 20) + (128 << 10)
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("16MiB"), Ok(16 << 20));
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("64k"), Ok(64 << 10));
        assert!(parse_size("0").is_err());
        assert!(parse_size("1TiB").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }
}
