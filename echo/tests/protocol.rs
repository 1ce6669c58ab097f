//! Broken and slow websocket peers, with a hand-made client (`common::raw`): frames that break
//! RFC 6455 are answered with the close code §7.4.1 asks for before the connection is dropped,
//! an unusable Sec-WebSocket-Key gets 400 instead of 101, and a client that sends a big
//! message and never reads the echo is closed after --write-timeout while others are served.

mod common;

use certlab::KeyAlgorithm;
use common::raw::{self, KEY, frame, masked};
use common::*;
use std::time::Duration;
use tokio::io::AsyncReadExt;

const MASK: Option<[u8; 4]> = Some([1, 2, 3, 4]);

fn start(kit: &KitDir, extra: &[&str]) -> Server {
    let mut args = vec![
        "--cert".to_string(),
        kit.p("server.fullchain.pem"),
        "--key".into(),
        kit.p("server.key"),
        "--listen".into(),
        "127.0.0.1:0".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start(&refs)
}

fn still_serving(kit: &KitDir, server: &mut Server) {
    assert!(server.alive(), "server exited:\n{}", server.log());
    let (out, _) = probe(
        &format!("wss://localhost:{}/", server.port()),
        &["--ca", &kit.p("ca.crt")],
    );
    assert!(out.ok, "not serving:\n{}\n{}", out.all(), server.log());
    assert!(!server.log().contains("panicked"), "{}", server.log());
}

/// Upgrades, sends `frames`, and returns the close frame the server answered with.
async fn close_after(port: u16, ca: &std::path::Path, frames: &[u8]) -> Option<(u16, String)> {
    let mut s = raw::tls(port, ca, None).await;
    raw::send(&mut s, raw::upgrade_request(Some(KEY)).as_bytes()).await;
    let (status, rest) = raw::read_head(&mut s).await;
    assert!(status.contains(" 101 "), "{status}");
    raw::send(&mut s, frames).await;
    raw::close_frame(&mut s, rest).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_errors_get_their_close_code() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    let mut server = start(&kit, &[]);
    let (port, ca) = (server.port(), kit.path("ca.crt"));
    let fragmented_bad_utf8 = [
        frame(false, 0, 1, MASK, b"fine so far "),
        frame(true, 0, 0, MASK, &[0xff, 0xfe]),
    ]
    .concat();
    let cases: [(&str, Vec<u8>, u16); 8] = [
        (
            "invalid UTF-8 in a text frame",
            masked(1, &[b'a', 0xff, 0xfe]),
            1007,
        ),
        ("invalid UTF-8 across fragments", fragmented_bad_utf8, 1007),
        (
            "an unmasked client frame",
            frame(true, 0, 1, None, b"hi"),
            1002,
        ),
        ("RSV1 set", frame(true, 4, 1, MASK, b"hi"), 1002),
        ("RSV3 set", frame(true, 1, 2, MASK, b"hi"), 1002),
        (
            "an orphan continuation frame",
            frame(true, 0, 0, MASK, b"hi"),
            1002,
        ),
        ("an unknown opcode", frame(true, 0, 3, MASK, b"hi"), 1002),
        ("a fragmented ping", frame(false, 0, 9, MASK, b"hi"), 1002),
    ];
    for (n, (what, bytes, code)) in cases.iter().enumerate() {
        let got = close_after(port, &ca, bytes).await;
        assert_eq!(
            got.as_ref().map(|c| c.0),
            Some(*code),
            "{what}: close frame {got:?}\n{}",
            server.log()
        );
        let logged = tokio::task::block_in_place(|| {
            server.wait_count("closing with 100", n + 1, Duration::from_secs(60))
        });
        assert!(logged, "{what}: not logged\n{}", server.log());
        assert!(
            server.log().contains(&format!("closing with {code}")),
            "{}",
            server.log()
        );
    }
    tokio::task::block_in_place(|| still_serving(&kit, &mut server));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusable_websocket_keys_get_400() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    let mut server = start(&kit, &[]);
    let (port, ca) = (server.port(), kit.path("ca.crt"));
    for key in [Some(""), Some("abc"), Some("dGhlIHNhbXBsZSBub25jZQ"), None] {
        let mut s = raw::tls(port, &ca, None).await;
        raw::send(&mut s, raw::upgrade_request(key).as_bytes()).await;
        let (status, _) = raw::read_head(&mut s).await;
        assert_eq!(status, "HTTP/1.1 400 Bad Request", "key {key:?}");
    }
    let logged = tokio::task::block_in_place(|| {
        server.wait_count("answered 400 Bad Request", 4, Duration::from_secs(60))
    });
    assert!(logged, "{}", server.log());
    assert!(
        server
            .log()
            .contains("Sec-WebSocket-Key must be 16 random bytes")
    );

    // The headers quoted in that line are the client's text: escaped, cut, on one line.
    let mut s = raw::tls(port, &ca, None).await;
    let agent = format!("evil\t\u{9b}31m\u{202e}{}", "A".repeat(5000));
    let request = raw::upgrade_request(Some("")).replace(
        "Host: localhost\r\n",
        &format!("Host: localhost\r\nUser-Agent: {agent}\r\nOrigin: https://x\u{85}y\r\n"),
    );
    raw::send(&mut s, request.as_bytes()).await;
    let (status, _) = raw::read_head(&mut s).await;
    assert_eq!(status, "HTTP/1.1 400 Bad Request");
    let logged = tokio::task::block_in_place(|| {
        server.wait_log_for("agent=\"evil", Duration::from_secs(60))
    });
    assert!(logged, "{}", server.log());
    let log = server.log();
    assert!(
        log.contains("agent=\"evil\\\\x09\\\\x9b31m\\\\u{202e}AAA"),
        "{log}"
    );
    assert!(log.contains("(5010 characters in all)"), "cut: {log}");
    assert!(log.contains("origin=\"https://x\\\\x85y\""), "{log}");
    assert!(
        !log.contains(['\u{9b}', '\u{202e}', '\t', '\u{85}']),
        "{log:?}"
    );
    let mut s = raw::tls(port, &ca, None).await;
    raw::send(&mut s, raw::upgrade_request(Some(KEY)).as_bytes()).await;
    let (status, _) = raw::read_head(&mut s).await;
    assert!(status.contains(" 101 "), "{status}");
    tokio::task::block_in_place(|| still_serving(&kit, &mut server));
}

/// Clients that each send one 16 MiB message and read nothing, as in the issue (4 of them
/// pinned 132 MiB for good).
const NON_READERS: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_its_echo_is_closed() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    let mut server = start(&kit, &["--write-timeout", "1s"]);
    let (port, ca) = (server.port(), kit.path("ca.crt"));
    tokio::task::block_in_place(|| still_serving(&kit, &mut server));
    let rss_before = rss_kib(server.pid());
    let big = masked(2, &vec![0x5a; 16 << 20]);
    let mut clients = Vec::new();
    for _ in 0..NON_READERS {
        // A small receive buffer: the loopback's buffers cannot take a 16 MiB echo.
        let mut s = raw::tls(port, &ca, Some(64 << 10)).await;
        raw::send(&mut s, raw::upgrade_request(Some(KEY)).as_bytes()).await;
        // One message of the default maximum, and nothing read, not even the 101.
        raw::send(&mut s, &big).await;
        clients.push(s);
    }
    drop(big);
    let logged = tokio::task::block_in_place(|| {
        server.wait_count(
            "did not read its echo within 1s",
            NON_READERS,
            Duration::from_secs(60),
        )
    });
    assert!(logged, "no write timeout logged:\n{}", server.log());
    assert_eq!(
        count(&server.log(), "closing with 1008"),
        NON_READERS,
        "{}",
        server.log()
    );
    // The server let go: reading now reaches the end (or a reset) instead of waiting forever.
    let mut buf = vec![0u8; 1 << 16];
    for s in &mut clients {
        loop {
            match tokio::time::timeout(Duration::from_secs(60), s.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(_)) => continue,
                Err(_) => panic!("a connection is still open 60 s later:\n{}", server.log()),
            }
        }
    }
    // And so did its memory: 4 pinned messages would be 64 MiB or more.
    let mut grown = u64::MAX;
    for _ in 0..600 {
        grown = rss_kib(server.pid()).saturating_sub(rss_before) >> 10;
        if grown < 32 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(grown < 32, "RSS still {grown} MiB above its start");
    tokio::task::block_in_place(|| still_serving(&kit, &mut server));
}
