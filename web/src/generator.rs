//! The page's side of generation: validate, make RSA keys with WebCrypto (where the page has
//! it), hand the spec to a fresh worker, relay its progress, and collect the kit. The worker
//! makes every RSA key WebCrypto did not. Cancelling terminates the worker — a real stop, even
//! in the middle of a long batch or of an RSA key made in wasm.

use crate::protocol::{CardFacts, FileMeta, KeySource, Reply, Request};
use crate::slice::{Slice, parse_each};
use crate::webcrypto;
use certlab::{Manifest, Spec};
use js_sys::{Array, Uint8Array};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};
use yew::Callback;

/// The next step after a failure between the page and its worker (a bug, or a page and worker
/// from different builds).
const RELOAD: &str = "Reload the page and press Generate again; if it keeps failing, report it \
     with the messages in the browser's console.";

/// A finished kit as the page holds it.
#[derive(Debug, Clone)]
pub struct KitView {
    /// The manifest.
    pub manifest: Manifest,
    /// Every file with its bytes.
    pub files: Vec<(FileMeta, Rc<Vec<u8>>)>,
    /// The zip of the whole kit, as the worker made it: a Blob, only ever handed to a download
    /// (a fleet's is over 100 MB; it never enters the page's memory).
    pub zip: web_sys::Blob,
    /// Worker time in ms.
    pub millis: f64,
    /// Who made each identity's key, by identity name.
    pub key_sources: BTreeMap<String, KeySource>,
    /// Why WebCrypto did not make the RSA keys, when it did not (shown with the kit).
    pub key_note: Option<String>,
    /// The worker's wasm memory at the end, in bytes.
    pub wasm_bytes: f64,
    /// Where each file is in `files`, by path.
    pub index: HashMap<String, usize>,
    /// What the first cards show beyond the manifest (decoded by the worker).
    pub cards: Vec<CardFacts>,
}

/// One kit is one run: two views are the same kit when they hold the same zip Blob (the same
/// JS object). Comparing contents would compare every byte of a fleet's files each time yew
/// diffs its props.
impl PartialEq for KitView {
    fn eq(&self, other: &Self) -> bool {
        self.zip == other.zip
    }
}

impl KitView {
    /// What `name`'s card shows beyond the manifest (`None` past the first cards).
    pub fn card(&self, name: &str) -> Option<&CardFacts> {
        self.cards.iter().find(|c| c.name == name)
    }

    /// The bytes of the file at `path`.
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        let at = *self.index.get(path)?;
        self.files.get(at).map(|(_, b)| b.as_slice())
    }
}

/// What the page hears while a kit is made.
#[derive(Debug, Clone, PartialEq)]
pub enum GenEvent {
    /// RSA key `done + 1` of `total`, for `name`, is being made by `source`.
    RsaKey {
        /// Keys finished.
        done: usize,
        /// Keys to make.
        total: usize,
        /// The identity.
        name: String,
        /// Modulus size.
        bits: u32,
        /// WebCrypto in the page, or certlab in the worker.
        source: KeySource,
    },
    /// The worker reports.
    Progress {
        /// 0-based identity index.
        index: usize,
        /// Identities.
        total: usize,
        /// Identity name.
        name: String,
    },
    /// Done.
    Done(Rc<KitView>),
    /// Refused or failed.
    Failed(Vec<certlab::FieldError>, String),
}

/// The request waits until the worker says it is ready; events go to the current run.
#[derive(Default)]
struct Handoff {
    ready: bool,
    pending: Option<String>,
    events: Option<Callback<GenEvent>>,
    /// Why WebCrypto did not make the keys of the current run (goes into [`KitView`]).
    key_note: Option<String>,
    /// The worker has failed (its script or the engine did not load): it will never answer.
    failed: bool,
}

/// A started worker, loaded ahead of time so that generating makes no request at all.
pub struct WorkerHandle {
    worker: Worker,
    handoff: Rc<RefCell<Handoff>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl WorkerHandle {
    /// Whether the worker has failed, so a run must not wait for it (the page starts another).
    pub fn failed(&self) -> bool {
        self.handoff.borrow().failed
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// Starts a generation worker (it loads its script and the engine now, not when the user
/// clicks Generate): see [`crate::engine::start_worker`]. `on_idle_failure` is called if the
/// worker fails while no run is attached to it (its engine did not load): the page then
/// replaces it, rather than leave it until Generate.
pub async fn spawn(on_idle_failure: Callback<()>) -> Result<WorkerHandle, String> {
    // The first worker was started as the page was parsed (web/engine-boot.js).
    let (worker, ready) = match crate::engine::take_first_worker() {
        Some(first) => first,
        None => (
            crate::engine::start_worker().await.map_err(|e| {
                webcrypto::log_detail("certlab: the generation worker did not start:", &e);
                "This page could not start its background worker (the browser refused it). \
                 Reload the page; if you opened index.html from a folder (file://), open \
                 certlab.html instead: it works without a server."
                    .to_string()
            })?,
            false,
        ),
    };
    let handoff = Rc::new(RefCell::new(Handoff::default()));
    let (w, h) = (worker.clone(), handoff.clone());
    let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| {
        on_message(m.data(), &w, &h)
    });
    worker.set_onmessage(Some(listener.as_ref().unchecked_ref()));
    let h = handoff.clone();
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        webcrypto::log_detail("certlab: the generation worker failed:", &e);
        let (events, loaded) = {
            let mut h = h.borrow_mut();
            h.failed = true;
            (h.events.clone(), h.ready)
        };
        let Some(events) = events else {
            on_idle_failure.emit(());
            return;
        };
        // Before it said ready, its script or the engine did not load (a dropped connection,
        // most often): the page starts another worker, with the engine fetched again.
        let message = if loaded {
            "The background worker stopped (the browser may have run out of memory). Press \
             Generate again; if it keeps failing, reload the page or make a smaller kit (fewer \
             or smaller RSA keys)."
        } else {
            "The page's engine did not load (the connection may have dropped). Press Generate \
             again: the page fetches it again."
        };
        events.emit(GenEvent::Failed(Vec::new(), message.into()));
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    if ready {
        // It said so before the page listened.
        let ready = serde_json::to_string(&Reply::Ready).unwrap_or_default();
        on_message(JsValue::from_str(&ready), &worker, &handoff);
    }
    Ok(WorkerHandle {
        worker,
        handoff,
        _on_message: listener,
        _on_error: on_error,
    })
}

/// A generation under way; dropping it or [`Running::cancel`] stops it.
pub struct Running {
    handle: Option<WorkerHandle>,
    cancelled: Rc<Cell<bool>>,
}

impl Running {
    /// Stops the run now (terminates the worker).
    pub fn cancel(&self) {
        self.cancelled.set(true);
        if let Some(h) = &self.handle {
            h.worker.terminate();
        }
    }

    /// After a finished run: the worker, still loaded, for the next run (so the next run makes
    /// no request either). `None` if the run was cancelled or the worker failed.
    pub fn finish(mut self) -> Option<WorkerHandle> {
        if self.cancelled.get() {
            return None;
        }
        let h = self.handle.take()?;
        h.handoff.borrow_mut().events = None;
        (!h.failed()).then_some(h)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.cancel();
    }
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Running")
    }
}

fn on_message(data: JsValue, worker: &Worker, handoff: &RefCell<Handoff>) {
    // The first worker posts the engine module back for the later ones (engine-boot.js takes it).
    if data.is_instance_of::<js_sys::WebAssembly::Module>() {
        return;
    }
    let Some(events) = ({
        let mut h = handoff.borrow_mut();
        if data
            .as_string()
            .is_some_and(|t| serde_json::from_str::<Reply>(&t).ok() == Some(Reply::Ready))
        {
            h.ready = true;
            crate::engine::mark_ready("data-worker");
            // The tools worker starts now, after the page's first work: its jobs then make no
            // request either.
            crate::engine::warm_up();
            if let Some(req) = h.pending.take() {
                let _ = worker.post_message(&JsValue::from_str(&req));
            }
            return;
        }
        h.events.clone()
    }) else {
        return;
    };
    if let Some(text) = data.as_string() {
        match serde_json::from_str::<Reply>(&text) {
            Ok(Reply::Ready) => {}
            Ok(Reply::Progress {
                index, total, name, ..
            }) => events.emit(GenEvent::Progress { index, total, name }),
            Ok(Reply::RsaKey {
                done,
                total,
                name,
                bits,
            }) => events.emit(GenEvent::RsaKey {
                done,
                total,
                name,
                bits,
                source: KeySource::Worker,
            }),
            Ok(Reply::Failed { errors, message }) => events.emit(GenEvent::Failed(errors, message)),
            Ok(Reply::Done { .. }) => events.emit(GenEvent::Failed(
                Vec::new(),
                format!("The worker sent a kit without its files. {RELOAD}"),
            )),
            Err(e) => events.emit(GenEvent::Failed(
                Vec::new(),
                format!("The page could not read a message from its worker ({e}). {RELOAD}"),
            )),
        }
        return;
    }
    let Ok(parts) = data.dyn_into::<Array>() else {
        events.emit(GenEvent::Failed(
            Vec::new(),
            format!("The worker sent a message the page does not know. {RELOAD}"),
        ));
        return;
    };
    let key_note = handoff.borrow().key_note.clone();
    wasm_bindgen_futures::spawn_local(receive_kit(parts, events, key_note));
}

/// Reads the finished kit the worker sent (see the worker for the message's parts) and emits
/// it. A fleet's kit is tens of thousands of files: they are read into the page's memory in
/// [`Slice`]s, giving the browser back its thread between them, so no task blocks the page
/// (issue 16 §4: the main thread never blocked > 100 ms).
async fn receive_kit(parts: Array, events: Callback<GenEvent>, key_note: Option<String>) {
    let mut slice = Slice::default();
    // The message's own task (the browser decoding it) ends here.
    slice.end().await;
    let meta = parts
        .get(0)
        .as_string()
        .and_then(|t| serde_json::from_str::<Reply>(&t).ok());
    // Every file's bytes in one buffer, and their lengths.
    let all: Uint8Array = parts.get(1).unchecked_into();
    let lengths: js_sys::Uint32Array = parts.get(2).unchecked_into();
    let zip = parts.get(5).dyn_into::<web_sys::Blob>().ok();
    let (
        Some(zip),
        Some(Reply::Done {
            mut manifest,
            files: _,
            millis,
            key_sources,
            wasm_bytes,
            cards,
        }),
    ) = (zip, meta)
    else {
        return unreadable(&events);
    };
    // The manifest's identities and the files' descriptions: UTF-8, one JSON text a line.
    slice.end().await;
    let Ok(ids) = String::from_utf8(parts.get(3).unchecked_into::<Uint8Array>().to_vec()) else {
        return unreadable(&events);
    };
    slice.end().await;
    let Ok(metas) = String::from_utf8(parts.get(4).unchecked_into::<Uint8Array>().to_vec()) else {
        return unreadable(&events);
    };
    let Some(identities) = parse_each(&ids, &mut slice).await else {
        return unreadable(&events);
    };
    let Some(metas) = parse_each::<FileMeta>(&metas, &mut slice).await else {
        return unreadable(&events);
    };
    manifest.identities = identities;
    let mut bytes = Vec::with_capacity(lengths.length() as usize);
    let mut at = 0u32;
    for len in lengths.to_vec() {
        slice.tick().await;
        bytes.push(Rc::new(all.subarray(at, at + len).to_vec()));
        at += len;
    }
    slice.end().await;
    let files: Vec<_> = metas.into_iter().zip(bytes).collect();
    let index = files
        .iter()
        .enumerate()
        .map(|(n, (m, _))| (m.path.clone(), n))
        .collect();
    slice.end().await;
    events.emit(GenEvent::Done(Rc::new(KitView {
        index,
        manifest,
        files,
        zip,
        millis,
        key_sources,
        key_note,
        wasm_bytes,
        cards,
    })));
}

/// Reports a kit message the page cannot read (a bug, or a page and worker from two builds).
fn unreadable(events: &Callback<GenEvent>) {
    events.emit(GenEvent::Failed(
        Vec::new(),
        format!("The page could not read the kit its worker sent. {RELOAD}"),
    ));
}

/// Starts making the kit for `spec` on `handle`'s worker; events arrive on `events`.
pub fn start(
    spec: Spec,
    events: Callback<GenEvent>,
    handle: WorkerHandle,
) -> Result<Running, String> {
    // Refuse before any key is made.
    let plan = match certlab::plan(&spec) {
        Ok(p) => p,
        Err(e) => {
            events.emit(GenEvent::Failed(e.field_errors().to_vec(), e.to_string()));
            return Err(e.to_string());
        }
    };
    handle.handoff.borrow_mut().events = Some(events.clone());
    let cancelled = Rc::new(Cell::new(false));
    let rsa: Vec<(String, u32)> = plan
        .identities
        .iter()
        .filter_map(|p| p.key.rsa_bits().map(|b| (p.name.clone(), b as u32)))
        .collect();
    let (worker, handoff) = (handle.worker.clone(), handle.handoff.clone());
    let note_handoff = handle.handoff.clone();
    let running = Running {
        handle: Some(handle),
        cancelled: cancelled.clone(),
    };
    // The RSA keys: WebCrypto, asynchronously, before the worker gets the request.
    let post: Rc<dyn Fn(String)> = {
        Rc::new(move |text: String| {
            let mut h = handoff.borrow_mut();
            if h.ready {
                let _ = worker.post_message(&JsValue::from_str(&text));
            } else {
                h.pending = Some(text);
            }
        })
    };
    wasm_bindgen_futures::spawn_local(async move {
        let Some((keys, note)) = webcrypto_keys(&rsa, &events, &cancelled).await else {
            return;
        };
        note_handoff.borrow_mut().key_note = note;
        match serde_json::to_string(&Request { spec, keys }) {
            Ok(text) => post(text),
            Err(e) => events.emit(GenEvent::Failed(
                Vec::new(),
                format!("The page could not encode the request for its worker ({e}). {RELOAD}"),
            )),
        }
    });
    Ok(running)
}

/// Makes the RSA keys with WebCrypto where the page has it. Returns the keys made, and why
/// WebCrypto did not make them all (the worker then makes the rest); `None` if the run was
/// cancelled meanwhile.
async fn webcrypto_keys(
    rsa: &[(String, u32)],
    events: &Callback<GenEvent>,
    cancelled: &Cell<bool>,
) -> Option<(BTreeMap<String, Vec<u8>>, Option<String>)> {
    let mut keys = BTreeMap::new();
    if rsa.is_empty() {
        return Some((keys, None));
    }
    if !webcrypto::available() {
        let why = if webcrypto::secure_context() {
            "This browser offers no WebCrypto"
        } else {
            "This page is not a secure context (plain http from another machine), so the browser offers no WebCrypto"
        };
        let note = format!("{why}: certlab made the RSA keys itself, in the worker.");
        return Some((keys, Some(note)));
    }
    for (done, (name, bits)) in rsa.iter().enumerate() {
        if cancelled.get() {
            return None;
        }
        events.emit(GenEvent::RsaKey {
            done,
            total: rsa.len(),
            name: name.clone(),
            bits: *bits,
            source: KeySource::WebCrypto,
        });
        match webcrypto::rsa_pkcs8(*bits).await {
            Ok(k) => {
                keys.insert(name.clone(), k);
            }
            Err(e) => {
                let mut why = e;
                if let Some(first) = why.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                let note =
                    format!("{why}: certlab made the remaining RSA keys itself, in the worker.");
                return Some((keys, Some(note)));
            }
        }
    }
    (!cancelled.get()).then_some((keys, None))
}
