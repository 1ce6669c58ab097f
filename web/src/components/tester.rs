//! The "Test connection" panel: connects this browser to a WebSocket echo server
//! (`certlab-echo`), shows the server's greeting as readable facts (TLS version, cipher, the
//! client certificate it saw), sends text or binary frames and checks their echo, keeps a
//! timestamped log, and explains a failure with the next step.
//!
//! It makes no request until the user presses Connect. Then, for `wss://`, it first makes an
//! `https://` request to the same host:port (Chromium chooses a client certificate only for
//! https, never during a wss:// handshake), opens the WebSocket, and — only to explain a
//! failure — repeats the https:// request without credentials.

use super::tester_help::{self, KitNames};
use crate::generator::KitView;
use crate::socket::{self, Socket, SocketEvent};
use crate::tester_state::{AttemptEvent, LogKind, Phase, TesterAction, TesterState};
use crate::wss::{Payload, Target};
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`Tester`].
#[derive(Properties, PartialEq)]
pub struct TesterProps {
    /// The kit made in this page, if any (its file names go into the hints).
    pub kit: Option<Rc<KitView>>,
}

type Dispatcher = UseReducerDispatcher<TesterState>;

/// Dispatches `event` of attempt `attempt`, stamped with the time.
fn emit(d: &Dispatcher, attempt: u32, event: AttemptEvent) {
    d.dispatch(TesterAction::Of {
        attempt,
        at: socket::clock(),
        event,
    });
}

/// Turns socket events of `attempt` into reducer actions.
fn socket_events(d: Dispatcher, attempt: u32) -> Callback<SocketEvent> {
    Callback::from(move |e: SocketEvent| {
        emit(
            &d,
            attempt,
            match e {
                SocketEvent::Open => AttemptEvent::Opened,
                SocketEvent::Message(payload) => AttemptEvent::Received(payload),
                SocketEvent::Error => AttemptEvent::Errored,
                SocketEvent::Closed {
                    code,
                    reason,
                    clean,
                } => AttemptEvent::Closed {
                    code,
                    reason,
                    clean,
                },
            },
        )
    })
}

type Shared<T> = Rc<RefCell<T>>;

/// Connect: checks the URL, then (for wss://) the https:// request that lets Chromium pick a
/// client certificate, then the WebSocket. `live` is the attempt the flow may continue.
fn connect_flow(
    state: UseReducerHandle<TesterState>,
    socket: Shared<Option<Socket>>,
    live: Shared<u32>,
    numbers: Shared<u32>,
) -> Callback<()> {
    Callback::from(move |_: ()| {
        let target = match Target::parse(&state.url) {
            Ok(t) => t,
            Err(e) => return state.dispatch(TesterAction::Invalid(e)),
        };
        let https = web_sys::window()
            .and_then(|w| w.location().protocol().ok())
            .is_some_and(|p| p == "https:");
        if let Some(why) = crate::tester_state::refused_by_page(https, &target) {
            return state.dispatch(TesterAction::Invalid(why));
        }
        drop(socket.borrow_mut().take());
        let attempt = {
            let mut n = numbers.borrow_mut();
            *n += 1;
            *n
        };
        *live.borrow_mut() = attempt;
        let d = state.dispatcher();
        d.dispatch(TesterAction::Start {
            attempt,
            target: target.clone(),
            at: socket::clock(),
        });
        let (socket, live) = (socket.clone(), live.clone());
        wasm_bindgen_futures::spawn_local(async move {
            if target.secure {
                let text = format!(
                    "step 1 of 2: an https:// request to {} with credentials. Chromium never offers a client certificate during a wss:// handshake; this request lets it choose one (if the server asks) and remember it for {}. Firefox does not need this step; it is harmless there.",
                    target.page(),
                    target.authority
                );
                emit(&d, attempt, AttemptEvent::Note(LogKind::Info, text));
                let ok = socket::reachable(&target.page(), true).await;
                if *live.borrow() != attempt {
                    return;
                }
                emit(&d, attempt, AttemptEvent::Primed(ok));
            }
            emit(&d, attempt, AttemptEvent::Opening);
            match Socket::open(&target.url, socket_events(d.clone(), attempt)) {
                Ok(s) => *socket.borrow_mut() = Some(s),
                Err(e) => {
                    let text = format!("the browser refused to open {}: {e}", target.url);
                    emit(&d, attempt, AttemptEvent::Note(LogKind::Problem, text));
                    let closed = AttemptEvent::Closed {
                        code: 1006,
                        reason: String::new(),
                        clean: false,
                    };
                    emit(&d, attempt, closed);
                }
            }
        });
    })
}

/// Send: one text or binary frame of `message`, logged as sent or as not sent.
fn send_flow(
    state: UseReducerHandle<TesterState>,
    socket: Shared<Option<Socket>>,
    message: UseStateHandle<String>,
) -> Callback<bool> {
    Callback::from(move |binary: bool| {
        let payload = if binary {
            Payload::Binary(message.as_bytes().to_vec())
        } else {
            Payload::Text((*message).clone())
        };
        let result = socket
            .borrow()
            .as_ref()
            .map(|s| s.send(&payload))
            .unwrap_or_else(|| Err("not connected".into()));
        match result {
            Ok(()) => state.dispatch(TesterAction::Sent {
                payload,
                at: socket::clock(),
            }),
            Err(e) => {
                let note = AttemptEvent::Note(LogKind::Problem, format!("not sent: {e}"));
                emit(&state.dispatcher(), state.attempt, note)
            }
        }
    })
}

/// The panel.
#[function_component(Tester)]
pub fn tester(p: &TesterProps) -> Html {
    let state = use_reducer(TesterState::default);
    let socket = use_mut_ref(|| Option::<Socket>::None);
    // The attempt the async connect flow may continue (0: stopped) and the last number used.
    let live = use_mut_ref(|| 0u32);
    let numbers = use_mut_ref(|| 0u32);
    let message = use_state(|| "hello certlab".to_string());
    // The log follows its newest line.
    let log_ref = use_node_ref();
    {
        let log_ref = log_ref.clone();
        use_effect_with(state.log.len(), move |_| {
            if let Some(el) = log_ref.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    // A failed wss:// attempt: one more https:// request, without credentials, tells a refused
    // client certificate from the rest.
    {
        let d = state.dispatcher();
        let wanted = state.phase == Phase::Closed
            && !state.stopped
            && state.observed.wants_anonymous_check();
        let key = (state.attempt, wanted);
        let page = state.target.as_ref().map(Target::page);
        use_effect_with(key, move |&(attempt, wanted)| {
            if let (true, Some(page)) = (wanted, page) {
                wasm_bindgen_futures::spawn_local(async move {
                    let ok = socket::reachable(&page, false).await;
                    emit(&d, attempt, AttemptEvent::Anonymous(ok));
                });
            }
        });
    }

    let connect = connect_flow(state.clone(), socket.clone(), live.clone(), numbers.clone());
    let disconnect = {
        let (state, socket, live) = (state.clone(), socket.clone(), live.clone());
        Callback::from(move |_: MouseEvent| {
            *live.borrow_mut() = 0;
            state.dispatch(TesterAction::Disconnect {
                at: socket::clock(),
            });
            if let Some(s) = socket.borrow().as_ref() {
                s.close();
            }
        })
    };

    let send = send_flow(state.clone(), socket.clone(), message.clone());
    let names = KitNames::of(p.kit.as_ref());
    let port = Target::parse(&state.url).map(|t| t.port).unwrap_or(8443);
    let busy = state.phase.busy();
    let open = state.phase == Phase::Open;
    let on_url = {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            state.dispatch(TesterAction::SetUrl(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let url_key = {
        let connect = connect.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && !busy {
                connect.emit(());
            }
        })
    };
    let on_message = {
        let message = message.clone();
        Callback::from(move |e: InputEvent| {
            message.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let message_key = {
        let send = send.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && open {
                send.emit(false);
            }
        })
    };
    let clear = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(TesterAction::ClearLog))
    };

    html! {
        <section class="tester" id="tester">
            <h2>{ "Test connection" }</h2>
            <p class="help">{ "Connect this browser to a WebSocket echo server over wss:// (or ws://) and see what the server saw: the TLS version, the cipher, the client certificate. Nothing is sent until you press Connect." }</p>
            <div class="row tester-bar">
                <label class="field"><span class="label">{ "Server URL" }</span>
                    <input name="tester-url" value={state.url.clone()} oninput={on_url} onkeydown={url_key}
                        aria-invalid={state.url_error.is_some().to_string()} spellcheck="false" autocomplete="off" />
                </label>
                <button class="primary" id="tester-connect" disabled={busy} onclick={connect.reform(|_: MouseEvent| ())}>{ "Connect" }</button>
                <button id="tester-disconnect" disabled={!busy} onclick={disconnect}>{ "Disconnect" }</button>
            </div>
            if let Some(e) = &state.url_error {
                <ul class="notes"><li class="field-error" id="tester-url-error" data-field="tester-url"><strong>{ "Server URL: " }</strong>{ e }</li></ul>
            }
            <p class="tester-status" role="status" aria-live="polite">{ "Status: " }<span id="tester-status" data-phase={format!("{:?}", state.phase).to_ascii_lowercase()}>{ state.phase.label() }</span></p>
            if let (Some(d), Some(t)) = (state.diagnosis, state.target.as_ref()) {
                { tester_help::diagnosis(d, t, &names, state.greeting.as_deref()) }
            }
            if let (Some(g), Some(json)) = (state.greeting.as_ref(), state.greeting_json.as_ref()) {
                { tester_help::facts(g, json) }
            }
            <div class="row tester-send">
                <label class="field"><span class="label">{ "Message" }</span>
                    <input name="tester-message" value={(*message).clone()} oninput={on_message} onkeydown={message_key} />
                </label>
                <button id="tester-send-text" disabled={!open} onclick={send.reform(|_: MouseEvent| false)}>{ "Send text" }</button>
                <button id="tester-send-binary" disabled={!open} onclick={send.reform(|_: MouseEvent| true)} title="Sends the message's UTF-8 bytes as a binary frame">{ "Send binary" }</button>
            </div>
            <div class="tester-log-head"><h3>{ "Log" }</h3><button class="add" onclick={clear}>{ "Clear" }</button></div>
            <ol class="tester-log" id="tester-log" aria-live="polite" ref={log_ref}>
                { for state.log.iter().map(|l| html! {
                    <li class={format!("log-{}", l.kind.id())} data-kind={l.kind.id()}><time>{ &l.at }</time>{ " " }{ &l.text }</li>
                }) }
            </ol>
            { tester_help::explainer(&names, port) }
        </section>
    }
}
