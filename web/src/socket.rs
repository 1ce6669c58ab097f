//! The wss tester's browser side: the `https://` request that makes Chromium choose a client
//! certificate (and tells whether the server answers at all), a WebSocket whose events arrive
//! as a yew [`Callback`], and the clock for the log. Nothing here runs unless the user pressed
//! Connect in the tester.

use crate::wss::Payload;
use js_sys::{ArrayBuffer, Promise, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    BinaryType, CloseEvent, Event, MessageEvent, RequestCache, RequestCredentials, RequestInit,
    RequestMode, WebSocket,
};
use yew::Callback;

/// How long the `https://` request may take before the tester gives up on it.
const REQUEST_TIMEOUT_MS: i32 = 15_000;

/// The local time as `HH:MM:SS.mmm`, for the log.
pub fn clock() -> String {
    let d = js_sys::Date::new_0();
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds(),
        d.get_milliseconds()
    )
}

/// A promise that resolves to `undefined` after `ms`.
pub fn sleep(ms: i32) -> Promise {
    Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    })
}

/// `fetch(url, {mode: "no-cors", credentials})`: true when the server answered over a TLS
/// connection the browser accepted (the answer itself stays opaque to the page). With
/// `credentials` the browser offers a client certificate when the server asks for one — in
/// Chromium that is what makes later `wss://` connections to the same host:port carry it.
pub async fn reachable(url: &str, credentials: bool) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let init = RequestInit::new();
    init.set_mode(RequestMode::NoCors);
    init.set_cache(RequestCache::NoStore);
    init.set_credentials(if credentials {
        RequestCredentials::Include
    } else {
        RequestCredentials::Omit
    });
    let fetch = window.fetch_with_str_and_init(url, &init);
    let race = Promise::race(&js_sys::Array::of2(&fetch, &sleep(REQUEST_TIMEOUT_MS)));
    match JsFuture::from(race).await {
        // The timeout resolves to undefined; a response is an object.
        Ok(v) => v.is_object(),
        Err(_) => false,
    }
}

/// What a [`Socket`] reports.
#[derive(Debug, Clone, PartialEq)]
pub enum SocketEvent {
    /// The opening handshake succeeded.
    Open,
    /// A frame arrived.
    Message(Payload),
    /// The browser's `error` event (it carries no reason).
    Error,
    /// The connection is closed.
    Closed {
        /// Close code (1006: closed without a close frame, e.g. a failed handshake).
        code: u16,
        /// Close reason sent by the peer.
        reason: String,
        /// Whether the closing handshake completed.
        clean: bool,
    },
}

type Handler<T> = Closure<dyn FnMut(T)>;

/// An open (or opening) WebSocket and its event handlers. Dropping it detaches the handlers
/// and closes the connection.
pub struct Socket {
    ws: WebSocket,
    _handlers: (
        Handler<Event>,
        Handler<MessageEvent>,
        Handler<Event>,
        Handler<CloseEvent>,
    ),
}

impl Socket {
    /// Opens `url`; every event goes to `events`. Fails only when the browser refuses the URL
    /// outright (e.g. the page's Content-Security-Policy).
    pub fn open(url: &str, events: Callback<SocketEvent>) -> Result<Socket, String> {
        let ws = WebSocket::new(url).map_err(|e| {
            e.as_string()
                .or_else(|| {
                    e.dyn_ref::<js_sys::Error>()
                        .map(|e| String::from(e.message()))
                })
                .unwrap_or_else(|| "the browser refused to open it".into())
        })?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let ev = events.clone();
        let on_open: Handler<Event> = Closure::new(move |_| ev.emit(SocketEvent::Open));
        let ev = events.clone();
        let on_message: Handler<MessageEvent> = Closure::new(move |e: MessageEvent| {
            let data = e.data();
            let payload = if let Some(t) = data.as_string() {
                Payload::Text(t)
            } else if let Some(buf) = data.dyn_ref::<ArrayBuffer>() {
                Payload::Binary(Uint8Array::new(buf).to_vec())
            } else {
                return;
            };
            ev.emit(SocketEvent::Message(payload));
        });
        let ev = events.clone();
        let on_error: Handler<Event> = Closure::new(move |_| ev.emit(SocketEvent::Error));
        let on_close: Handler<CloseEvent> = Closure::new(move |e: CloseEvent| {
            events.emit(SocketEvent::Closed {
                code: e.code(),
                reason: e.reason(),
                clean: e.was_clean(),
            })
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Socket {
            ws,
            _handlers: (on_open, on_message, on_error, on_close),
        })
    }

    /// Sends one frame.
    pub fn send(&self, p: &Payload) -> Result<(), String> {
        if self.ws.ready_state() != WebSocket::OPEN {
            return Err("the WebSocket is not open".into());
        }
        match p {
            Payload::Text(t) => self.ws.send_with_str(t),
            Payload::Binary(b) => self.ws.send_with_u8_array(b),
        }
        .map_err(|e| {
            e.as_string()
                .unwrap_or_else(|| "the browser refused to send".into())
        })
    }

    /// Starts the closing handshake (code 1000); the `Closed` event follows.
    pub fn close(&self) {
        let _ = self
            .ws
            .close_with_code_and_reason(1000, "closed in the page");
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onerror(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

/// Opens a WebSocket to `url` and reports whether it opened: `Ok` once open (then closes it),
/// `Err` with a sentence when the browser refused or nothing happened within `timeout_ms`.
/// The browser gives a page no reason for a refused TLS handshake, so none is invented here.
pub async fn try_open(url: &str, timeout_ms: i32) -> Result<(), String> {
    let mut slot: Option<js_sys::Function> = None;
    let settled = Promise::new(&mut |resolve, _| slot = Some(resolve));
    let Some(resolve) = slot else {
        return Err("the browser could not start the connection".into());
    };
    let events = Callback::from(move |e: SocketEvent| {
        let opened = match e {
            SocketEvent::Open => true,
            SocketEvent::Error | SocketEvent::Closed { .. } => false,
            SocketEvent::Message(_) => return,
        };
        // A promise settles once: the first event decides.
        let _ = resolve.call1(&JsValue::NULL, &JsValue::from_bool(opened));
    });
    let socket =
        Socket::open(url, events).map_err(|e| format!("the browser would not open {url}: {e}"))?;
    let outcome = JsFuture::from(Promise::race(&js_sys::Array::of2(
        &settled,
        &sleep(timeout_ms),
    )))
    .await;
    drop(socket);
    match outcome.ok().and_then(|v| v.as_bool()) {
        Some(true) => Ok(()),
        Some(false) => Err("the browser refused the connection or the server ended it (a browser tells the page no reason: its console and the lesson do)".into()),
        None => Err(format!(
            "no answer within {} s: is `certlab-echo gallery DIR` running?",
            timeout_ms / 1000
        )),
    }
}
