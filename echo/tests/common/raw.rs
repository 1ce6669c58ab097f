//! A hand-made websocket client over TLS: it sends exactly the bytes a test gives (frames a
//! websocket library refuses to write: unmasked, RSV bits, orphan continuations, invalid
//! UTF-8) and reads the server's answer frame by frame.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::timeout;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// The key of RFC 6455's example handshake: 16 bytes in base64.
pub const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// A TLS connection to 127.0.0.1:`port` (SNI localhost) trusting `ca`. `recv_buffer` sets the
/// socket's receive buffer (a client that reads nothing then holds only that much).
pub async fn tls(port: u16, ca: &Path, recv_buffer: Option<u32>) -> TlsStream<TcpStream> {
    let (config, _) =
        certlab_echo::tls::client_config(&[ca.to_path_buf()], &[], None).expect("config");
    let socket = TcpSocket::new_v4().expect("socket");
    if let Some(size) = recv_buffer {
        socket.set_recv_buffer_size(size).expect("SO_RCVBUF");
    }
    let tcp = socket
        .connect(([127, 0, 0, 1], port).into())
        .await
        .expect("connect");
    TlsConnector::from(Arc::new(config))
        .connect("localhost".try_into().expect("name"), tcp)
        .await
        .expect("TLS handshake")
}

/// A websocket upgrade request for `/` with `key` as Sec-WebSocket-Key (None: no such header).
pub fn upgrade_request(key: Option<&str>) -> String {
    let key = key
        .map(|k| format!("Sec-WebSocket-Key: {k}\r\n"))
        .unwrap_or_default();
    format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Version: 13\r\n{key}\r\n"
    )
}

/// Reads the HTTP answer head: its status line and the bytes read past the head.
pub async fn read_head(s: &mut TlsStream<TcpStream>) -> (String, Vec<u8>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let status = head.lines().next().unwrap_or_default().to_string();
            return (status, buf[end + 4..].to_vec());
        }
        let n = timeout(Duration::from_secs(60), s.read(&mut chunk))
            .await
            .expect("an answer within 60 s")
            .expect("read the answer");
        assert!(
            n > 0,
            "closed before an answer: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// A frame as a client writes it: FIN, the RSV bits (`rsv` in 0..8), the opcode, a mask
/// (None: unmasked, which a client must not send) and the payload.
pub fn frame(fin: bool, rsv: u8, opcode: u8, mask: Option<[u8; 4]>, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![(u8::from(fin) << 7) | (rsv << 4) | opcode];
    let m = if mask.is_some() { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => out.push(m | n as u8),
        n if n <= 0xffff => {
            out.push(m | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(m | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    match mask {
        Some(k) => {
            out.extend_from_slice(&k);
            out.extend(payload.iter().enumerate().map(|(i, b)| b ^ k[i % 4]));
        }
        None => out.extend_from_slice(payload),
    }
    out
}

/// A masked, final frame.
pub fn masked(opcode: u8, payload: &[u8]) -> Vec<u8> {
    frame(true, 0, opcode, Some([0x37, 0xfa, 0x21, 0x3d]), payload)
}

/// Reads the server's frames (starting with `buf`, bytes already read) until a close frame;
/// returns its code and reason, or None when the connection ended without one. Waits at most
/// 60 s.
pub async fn close_frame(s: &mut TlsStream<TcpStream>, mut buf: Vec<u8>) -> Option<(u16, String)> {
    let mut chunk = [0u8; 16384];
    loop {
        if let Some((opcode, payload, used)) = parse(&buf) {
            if opcode == 8 {
                let code =
                    (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]))?;
                return Some((code, String::from_utf8_lossy(&payload[2..]).into_owned()));
            }
            buf.drain(..used);
            continue;
        }
        match timeout(Duration::from_secs(60), s.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            Ok(_) => return None,
            Err(_) => panic!("neither a close frame nor the end of the connection within 60 s"),
        }
    }
}

/// One unmasked (server) frame at the start of `buf`: opcode, payload, bytes used.
fn parse(buf: &[u8]) -> Option<(u8, Vec<u8>, usize)> {
    let (b0, b1) = (*buf.first()?, *buf.get(1)?);
    let (len, at) = match b1 & 0x7f {
        126 => (u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?]) as usize, 4),
        127 => (
            u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?) as usize,
            10,
        ),
        n => (n as usize, 2),
    };
    let payload = buf.get(at..at + len)?;
    Some((b0 & 0x0f, payload.to_vec(), at + len))
}

/// Writes `bytes` and flushes.
pub async fn send(s: &mut TlsStream<TcpStream>, bytes: &[u8]) {
    s.write_all(bytes).await.expect("write");
    s.flush().await.expect("flush");
}
