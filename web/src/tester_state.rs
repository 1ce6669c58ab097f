//! The wss tester's state and reducer: the URL, the phase of the current attempt, what was
//! observed (for the diagnosis), the greeting, the frames awaiting their echo and the
//! timestamped log. Events of an earlier attempt are ignored (`attempt` numbers them).

use crate::wss::{Diagnosis, Greeting, Observed, Payload, Target, parse_greeting};
use std::collections::VecDeque;
use std::rc::Rc;
use yew::Reducible;

/// Log lines kept (the oldest go first).
const MAX_LOG: usize = 400;

/// Where the current attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Nothing started.
    Idle,
    /// The `https://` request is under way.
    Checking,
    /// The WebSocket is opening.
    Connecting,
    /// Open: frames can be sent.
    Open,
    /// Closing (the user pressed Disconnect).
    Closing,
    /// Over.
    Closed,
}

impl Phase {
    /// The status line.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Idle => "not connected",
            Phase::Checking => "checking the server over https://…",
            Phase::Connecting => "opening the WebSocket…",
            Phase::Open => "connected",
            Phase::Closing => "closing…",
            Phase::Closed => "closed",
        }
    }

    /// Whether an attempt is under way (Connect is then disabled).
    pub fn busy(self) -> bool {
        matches!(
            self,
            Phase::Checking | Phase::Connecting | Phase::Open | Phase::Closing
        )
    }
}

/// The kind of a log line (its colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    /// What the tester does.
    Info,
    /// A frame sent.
    Sent,
    /// A frame received.
    Received,
    /// Something that went well.
    Good,
    /// Something that went wrong.
    Problem,
}

impl LogKind {
    /// CSS class / `data-kind`.
    pub fn id(self) -> &'static str {
        match self {
            LogKind::Info => "info",
            LogKind::Sent => "sent",
            LogKind::Received => "received",
            LogKind::Good => "good",
            LogKind::Problem => "problem",
        }
    }
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Local time, `HH:MM:SS.mmm`.
    pub at: String,
    /// Its kind.
    pub kind: LogKind,
    /// What happened.
    pub text: String,
}

/// The tester's state.
#[derive(Debug, Clone, PartialEq)]
pub struct TesterState {
    /// The URL field.
    pub url: String,
    /// Why the URL field cannot be used.
    pub url_error: Option<String>,
    /// Number of the current attempt (0: none yet).
    pub attempt: u32,
    /// Its target.
    pub target: Option<Target>,
    /// Its phase.
    pub phase: Phase,
    /// What was seen so far.
    pub observed: Observed,
    /// The server's greeting.
    pub greeting: Option<Rc<Greeting>>,
    /// Its raw JSON.
    pub greeting_json: Option<String>,
    /// The diagnosis, once known.
    pub diagnosis: Option<Diagnosis>,
    /// Frames sent whose echo has not arrived yet.
    pub pending: VecDeque<Payload>,
    /// The log, oldest first.
    pub log: Vec<LogLine>,
    /// The user pressed Disconnect during the current attempt (no diagnosis then).
    pub stopped: bool,
}

/// The URL the tester starts with (`./scripts/run` serves the demo kit there).
pub const DEFAULT_URL: &str = "wss://localhost:8443/";

impl Default for TesterState {
    fn default() -> Self {
        TesterState {
            url: DEFAULT_URL.into(),
            url_error: None,
            attempt: 0,
            target: None,
            phase: Phase::Idle,
            observed: Observed::default(),
            greeting: None,
            greeting_json: None,
            diagnosis: None,
            pending: VecDeque::new(),
            log: Vec::new(),
            stopped: false,
        }
    }
}

/// What can happen to the tester. `at` is the local time for the log.
#[derive(Debug, Clone, PartialEq)]
pub enum TesterAction {
    /// The URL field changed.
    SetUrl(String),
    /// Connect was pressed with a URL that cannot be used.
    Invalid(String),
    /// Connect was pressed: attempt `attempt` to `target` starts.
    Start {
        /// Its number.
        attempt: u32,
        /// Where.
        target: Target,
        /// When.
        at: String,
    },
    /// Something happened in attempt `attempt`; ignored once a newer attempt started.
    Of {
        /// The attempt.
        attempt: u32,
        /// When.
        at: String,
        /// What.
        event: AttemptEvent,
    },
    /// Disconnect was pressed.
    Disconnect {
        /// When.
        at: String,
    },
    /// A frame was sent.
    Sent {
        /// The frame.
        payload: Payload,
        /// When.
        at: String,
    },
    /// Clear the log.
    ClearLog,
}

/// What can happen during one attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum AttemptEvent {
    /// A line for the log.
    Note(LogKind, String),
    /// The `https://` request with credentials finished: answered or not.
    Primed(bool),
    /// The WebSocket is being opened.
    Opening,
    /// The WebSocket opened.
    Opened,
    /// A frame arrived.
    Received(Payload),
    /// The browser's error event.
    Errored,
    /// The connection closed.
    Closed {
        /// Close code.
        code: u16,
        /// Close reason.
        reason: String,
        /// Clean close.
        clean: bool,
    },
    /// The credential-less `https://` request (made to explain a failure) finished.
    Anonymous(bool),
}

fn close_meaning(code: u16) -> &'static str {
    match code {
        1000 => "normal close",
        1001 => "the server is going away (shutting down or idle timeout)",
        1006 => "closed without a close frame: the connection failed or was cut",
        1009 => "message too big for the server",
        1011 => "server error",
        _ => "see RFC 6455 section 7.4",
    }
}

impl TesterState {
    fn log(&mut self, at: String, kind: LogKind, text: impl Into<String>) {
        self.log.push(LogLine {
            at,
            kind,
            text: text.into(),
        });
        if self.log.len() > MAX_LOG {
            let extra = self.log.len() - MAX_LOG;
            self.log.drain(..extra);
        }
    }

    fn received(&mut self, payload: Payload, at: String) {
        if self.greeting.is_none()
            && let Payload::Text(t) = &payload
            && let Some(g) = parse_greeting(t)
        {
            let mutual = g.client_certificate.is_some();
            let who = match &g.client_certificate {
                Some(c) => format!(
                    "client certificate {} ({})",
                    c.common_name.as_deref().unwrap_or(&c.subject),
                    g.verdict
                ),
                None => "no client certificate".into(),
            };
            self.log(
                at,
                LogKind::Good,
                format!(
                    "greeting from the server: {}, {}, {who}",
                    g.tls_label(),
                    g.cipher_suite.as_deref().unwrap_or("no cipher")
                ),
            );
            self.observed.greeted = Some(mutual);
            self.greeting = Some(Rc::new(g));
            self.greeting_json = Some(t.clone());
            self.diagnosis = self.observed.diagnose();
            return;
        }
        let same = self.pending.front() == Some(&payload);
        if same {
            self.pending.pop_front();
        }
        let note = if same {
            " — identical to what was sent ✓"
        } else if self.pending.is_empty() {
            ""
        } else {
            " — differs from what was sent ✗"
        };
        let kind = if same {
            LogKind::Good
        } else {
            LogKind::Received
        };
        self.log(at, kind, format!("received {}{note}", payload.describe()));
    }
}

impl TesterState {
    fn event(&mut self, at: String, event: AttemptEvent) {
        let page = self.target.as_ref().map(Target::page).unwrap_or_default();
        match event {
            AttemptEvent::Note(kind, text) => self.log(at, kind, text),
            AttemptEvent::Primed(ok) => {
                self.observed.primed = Some(ok);
                if ok {
                    self.log(at, LogKind::Good, format!("{page} answered: the server is running and this browser trusts its certificate."));
                } else {
                    self.log(at, LogKind::Problem, format!("{page} did not answer. Browsers do not tell pages why (an untrusted certificate, nothing listening, a refused client certificate); trying the WebSocket anyway."));
                }
            }
            AttemptEvent::Opening => {
                self.phase = Phase::Connecting;
                let url = self
                    .target
                    .as_ref()
                    .map(|t| t.url.clone())
                    .unwrap_or_default();
                let step = if self.observed.secure {
                    "step 2 of 2: "
                } else {
                    ""
                };
                self.log(
                    at,
                    LogKind::Info,
                    format!("{step}opening the WebSocket {url}"),
                );
            }
            AttemptEvent::Opened => {
                self.phase = Phase::Open;
                self.observed.opened = true;
                self.log(
                    at,
                    LogKind::Good,
                    "WebSocket open; waiting for the server's greeting.",
                );
            }
            AttemptEvent::Received(payload) => self.received(payload, at),
            AttemptEvent::Errored => self.log(
                at,
                LogKind::Problem,
                "WebSocket error (browsers give pages no reason; the browser's console has it).",
            ),
            AttemptEvent::Closed {
                code,
                reason,
                clean,
            } => {
                self.phase = Phase::Closed;
                let reason = if reason.is_empty() {
                    String::new()
                } else {
                    format!(", reason \"{reason}\"")
                };
                let kind = if code == 1000 {
                    LogKind::Info
                } else {
                    LogKind::Problem
                };
                let clean = if clean { "" } else { ", not clean" };
                self.log(
                    at,
                    kind,
                    format!(
                        "closed: code {code} ({}){reason}{clean}",
                        close_meaning(code)
                    ),
                );
                if self.diagnosis.is_none()
                    && !self.stopped
                    && !self.observed.wants_anonymous_check()
                {
                    self.diagnosis = self.observed.diagnose();
                }
            }
            AttemptEvent::Anonymous(ok) => {
                self.observed.anonymous = Some(ok);
                let answer = if ok {
                    "answered"
                } else {
                    "did not answer either"
                };
                self.log(at, LogKind::Info, format!("to explain the failure: {page} without credentials {answer} (Firefox then sends no client certificate; Chromium may still send the one it chose)."));
                self.diagnosis = self.observed.diagnose();
            }
        }
    }
}

impl Reducible for TesterState {
    type Action = TesterAction;

    fn reduce(self: Rc<Self>, action: TesterAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            TesterAction::SetUrl(u) => {
                s.url = u;
                s.url_error = None;
            }
            TesterAction::Invalid(e) => s.url_error = Some(e),
            TesterAction::ClearLog => s.log.clear(),
            TesterAction::Start {
                attempt,
                target,
                at,
            } => {
                s.attempt = attempt;
                s.url_error = None;
                s.phase = if target.secure {
                    Phase::Checking
                } else {
                    Phase::Connecting
                };
                s.observed = Observed {
                    secure: target.secure,
                    ..Observed::default()
                };
                s.greeting = None;
                s.greeting_json = None;
                s.diagnosis = None;
                s.pending.clear();
                s.stopped = false;
                s.log(at, LogKind::Info, format!("Connect pressed: testing {}. The requests below are the only ones this page makes, and only because you pressed Connect.", target.url));
                s.target = Some(target);
            }
            TesterAction::Of { attempt, at, event } if attempt == self.attempt => {
                s.event(at, event)
            }
            TesterAction::Of { .. } => return self, // an event of an earlier attempt
            TesterAction::Disconnect { at } => match s.phase {
                Phase::Checking => {
                    s.phase = Phase::Closed;
                    s.stopped = true;
                    s.log(
                        at,
                        LogKind::Info,
                        "Disconnect pressed: stopped before opening the WebSocket.",
                    );
                }
                Phase::Connecting | Phase::Open => {
                    s.phase = Phase::Closing;
                    s.stopped = true;
                    s.log(
                        at,
                        LogKind::Info,
                        "Disconnect pressed: closing (code 1000).",
                    );
                }
                _ => return self,
            },
            TesterAction::Sent { payload, at } => {
                s.log(at, LogKind::Sent, format!("sent {}", payload.describe()));
                s.pending.push_back(payload);
            }
        }
        Rc::new(s)
    }
}

/// Why the browser will refuse `target` from this page, before trying: a page served over
/// https may not open a ws:// (unencrypted) WebSocket (mixed content); the browser's own
/// exception text says so only in its words ("The operation is insecure").
pub fn refused_by_page(page_is_https: bool, target: &crate::wss::Target) -> Option<String> {
    (page_is_https && !target.secure).then(|| {
        format!(
            "{} is ws:// (not encrypted), and a page served over https may not open one: \
             browsers block it as mixed content. Use wss:// with the kit's server certificate, \
             or open this page over http.",
            target.url
        )
    })
}

#[cfg(test)]
mod tests;
