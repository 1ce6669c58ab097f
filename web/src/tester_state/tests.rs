//! The tester's reducer, attempt by attempt.

use super::*;

fn of(s: Rc<TesterState>, attempt: u32, event: AttemptEvent) -> Rc<TesterState> {
    s.reduce(TesterAction::Of {
        attempt,
        at: "00:00:00.000".into(),
        event,
    })
}

fn start(url: &str) -> Rc<TesterState> {
    let target = Target::parse(url).expect("url");
    Rc::new(TesterState::default()).reduce(TesterAction::Start {
        attempt: 1,
        target,
        at: String::new(),
    })
}

#[test]
fn a_full_attempt() {
    let mut s = start("wss://localhost:8443/");
    assert_eq!(s.phase, Phase::Checking);
    for e in [
        AttemptEvent::Primed(true),
        AttemptEvent::Opening,
        AttemptEvent::Opened,
    ] {
        s = of(s, 1, e);
    }
    let hello = r#"{"remote_addr":"x","tls_version":"TLSv1_3","cipher_suite":null,"alpn":null,"sni":null,"client_certificate":null,"client_chain_len":0,"verdict":"no client certificate"}"#;
    s = of(s, 1, AttemptEvent::Received(Payload::Text(hello.into())));
    assert_eq!(s.diagnosis, Some(Diagnosis::OneWay));
    s = s.reduce(TesterAction::Sent {
        payload: Payload::Binary(vec![1, 2]),
        at: String::new(),
    });
    s = of(s, 1, AttemptEvent::Received(Payload::Binary(vec![1, 2])));
    assert!(s.pending.is_empty());
    assert!(
        s.log
            .last()
            .expect("line")
            .text
            .ends_with("identical to what was sent ✓")
    );
    // A late event of another attempt changes nothing.
    let before = s.clone();
    s = of(
        s,
        7,
        AttemptEvent::Closed {
            code: 1006,
            reason: String::new(),
            clean: false,
        },
    );
    assert_eq!(s, before);
}

#[test]
fn a_failure_waits_for_the_anonymous_check() {
    let mut s = start("wss://localhost:1/");
    s = of(s, 1, AttemptEvent::Primed(false));
    s = of(
        s,
        1,
        AttemptEvent::Closed {
            code: 1006,
            reason: String::new(),
            clean: false,
        },
    );
    assert_eq!(s.diagnosis, None);
    assert!(s.observed.wants_anonymous_check());
    s = of(s, 1, AttemptEvent::Anonymous(false));
    assert_eq!(s.diagnosis, Some(Diagnosis::Unreachable));
}

#[test]
fn disconnect_stops_without_a_diagnosis() {
    let mut s = start("ws://localhost:1/");
    assert_eq!(s.phase, Phase::Connecting);
    s = s.reduce(TesterAction::Disconnect { at: String::new() });
    assert_eq!(s.phase, Phase::Closing);
    s = of(
        s,
        1,
        AttemptEvent::Closed {
            code: 1006,
            reason: String::new(),
            clean: false,
        },
    );
    assert_eq!((s.phase, s.diagnosis), (Phase::Closed, None));
}

#[test]
fn a_ws_url_from_an_https_page_is_refused_before_trying() {
    let ws = crate::wss::Target::parse("ws://pi.lan:8080/").unwrap();
    let wss = crate::wss::Target::parse("wss://pi.lan:8443/").unwrap();
    let said = super::refused_by_page(true, &ws).expect("refused");
    assert!(
        said.contains("ws://pi.lan:8080/") && said.contains("wss://"),
        "{said}"
    );
    assert_eq!(super::refused_by_page(true, &wss), None);
    assert_eq!(super::refused_by_page(false, &ws), None);
}
