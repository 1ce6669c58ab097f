//! The page's side of the engine module. The page's own wasm holds the editor, validation and
//! the guides; the engine (key generation, signing, decoding, .p12) is a second module that
//! only workers run (issue 17 §3: the page's module is what must load before the editor is on
//! screen). `engine-boot.js` starts the first generation worker as the page is parsed; that
//! worker fetches and compiles the engine on its own thread, in parallel with the page's
//! module and first render, and posts the compiled `WebAssembly.Module` back
//! (`window.certlabEngineLoad()` gives its promise; the single file inflates the module from
//! its own text instead). Every later worker gets that compiled module as its first message, so
//! it is fetched and compiled once however many workers run.
//!
//! Two kinds of worker run it: a generation worker per kit ([`crate::generator`]), and one
//! tools worker for the jobs of the tools panel and of a card's Revoke button ([`call`]).

use crate::protocol::{Job, JobOutcome, JobReply, JobRequest, Reply};
use crate::webcrypto;
use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Worker};

/// What to do after the tools worker failed.
const TOOLS_FAILED: &str = "The page's background worker stopped or could not load (the \
     browser may have run out of memory). Press the button again; if it keeps failing, reload \
     the page.";

/// Starts fetching and compiling the engine module (once; `window.certlabEngineLoad`, from
/// `engine-boot.js` or the single file) and returns the promise of it.
fn load() -> Result<Promise, JsValue> {
    let f: Function = Reflect::get(&js_sys::global(), &"certlabEngineLoad".into())?
        .dyn_into()
        .map_err(|_| JsValue::from_str("window.certlabEngineLoad is missing"))?;
    f.call0(&JsValue::NULL)?
        .dyn_into()
        .map_err(|_| JsValue::from_str("window.certlabEngineLoad gave no promise"))
}

/// The answer to a job the worker mistook for another (page and worker from two builds).
pub const OTHER_ANSWER: &str = "The page's worker answered another question: reload the page.";

/// What to do after an answer the page cannot read.
const UNREADABLE: &str = "The page could not read its worker's answer: reload the page (the \
     page and its worker may be from different builds).";

/// The compiled engine module.
async fn module() -> Result<JsValue, JsValue> {
    JsFuture::from(load()?).await
}

/// The first generation worker, which `engine-boot.js` started as the page was parsed (it
/// fetches and compiles the engine on its own thread), and whether it has said ready; once.
/// `None` when it could not start or failed before the page took it, or once taken.
pub fn take_first_worker() -> Option<(Worker, bool)> {
    let f: Function = Reflect::get(&js_sys::global(), &"certlabTakeWorker".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let taken = f.call0(&JsValue::NULL).ok()?;
    let worker = Reflect::get(&taken, &"worker".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let ready = Reflect::get(&taken, &"ready".into()).ok()?.as_bool() == Some(true);
    Some((worker, ready))
}

/// Starts a worker running the engine module: it loads its script now, and gets the compiled
/// module as its first message (it answers [`Reply::Ready`] once it listens). The worker comes
/// from `window.certlabMakeWorker`: `engine-boot.js` makes it from `worker.js` (whose name
/// carries its content hash, so that script is the one place that knows it); the single-file
/// build (`certlab.html`, opened from file://) makes it from a blob: URL.
pub async fn start_worker() -> Result<Worker, JsValue> {
    let maker: Function = Reflect::get(&js_sys::global(), &"certlabMakeWorker".into())?
        .dyn_into()
        .map_err(|_| JsValue::from_str("window.certlabMakeWorker is missing"))?;
    let promise: Promise = maker.call0(&JsValue::NULL)?.unchecked_into();
    let worker: Worker = JsFuture::from(promise).await?.unchecked_into();
    worker.post_message(&module().await?)?;
    Ok(worker)
}

/// What a job gives the page: its outcome and, for an issued leaf, the zip.
pub type Answer = Result<(JobOutcome, Option<Vec<u8>>), String>;

/// The tools worker: its jobs wait in `queue` until it says ready; `waiting` holds each posted
/// job's resolve function by number.
struct Tools {
    worker: Worker,
    ready: bool,
    queue: Vec<Array>,
    waiting: HashMap<u32, Function>,
    next: u32,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static TOOLS: RefCell<Option<Rc<RefCell<Tools>>>> = const { RefCell::new(None) };
}

/// Ends every waiting job with `why`, and forgets the worker (the next job starts another).
fn tools_failed(why: &str) {
    let Some(tools) = TOOLS.with(|t| t.borrow_mut().take()) else {
        return;
    };
    {
        let t = tools.borrow();
        t.worker.terminate();
        for resolve in t.waiting.values() {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str(why));
        }
    }
    // Called from the worker's own error handler, which `tools` owns: drop it after that
    // handler has returned, not while it runs.
    wasm_bindgen_futures::spawn_local(async move { drop(tools) });
}

fn on_tools_message(data: JsValue) {
    let Some(tools) = TOOLS.with(|t| t.borrow().clone()) else {
        return;
    };
    let mut t = tools.borrow_mut();
    if let Some(text) = data.as_string() {
        if matches!(serde_json::from_str(&text), Ok(Reply::Ready)) {
            t.ready = true;
            mark_ready("data-tools");
            for job in std::mem::take(&mut t.queue) {
                let _ = t.worker.post_message(&job);
            }
        }
        return;
    }
    let Some(parts) = data.dyn_ref::<Array>() else {
        return;
    };
    let id = parts
        .get(0)
        .as_string()
        .and_then(|text| serde_json::from_str::<JobReply>(&text).ok())
        .map(|r| r.id);
    match id {
        Some(id) => {
            if let Some(resolve) = t.waiting.remove(&id) {
                let _ = resolve.call1(&JsValue::NULL, parts);
            }
        }
        // An answer the page cannot read names no job: end every waiting one rather than
        // leave a button waiting forever.
        None => {
            for (_, resolve) in t.waiting.drain() {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str(UNREADABLE));
            }
        }
    }
}

/// The tools worker, started now if it is not running.
async fn tools() -> Result<Rc<RefCell<Tools>>, String> {
    if let Some(t) = TOOLS.with(|t| t.borrow().clone()) {
        return Ok(t);
    }
    let worker = start_worker().await.map_err(|e| {
        webcrypto::log_detail("certlab: the tools worker did not start:", &e);
        TOOLS_FAILED.to_string()
    })?;
    // Two jobs may have started it at once: keep the first.
    if let Some(t) = TOOLS.with(|t| t.borrow().clone()) {
        worker.terminate();
        return Ok(t);
    }
    let on_message =
        Closure::<dyn FnMut(MessageEvent)>::new(|m: MessageEvent| on_tools_message(m.data()));
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
        webcrypto::log_detail("certlab: the tools worker failed:", &e);
        tools_failed(TOOLS_FAILED);
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let t = Rc::new(RefCell::new(Tools {
        worker,
        ready: false,
        queue: Vec::new(),
        waiting: HashMap::new(),
        next: 0,
        _on_message: on_message,
        _on_error: on_error,
    }));
    TOOLS.with(|slot| *slot.borrow_mut() = Some(t.clone()));
    Ok(t)
}

/// Marks `<html {attribute}="ready">`: `data-worker` once a generation worker has loaded (from
/// then on generating makes no request), `data-tools` once the tools worker has (from then on
/// neither does anything else). Tests and the benchmarks wait for them.
pub fn mark_ready(attribute: &str) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute(attribute, "ready");
    }
}

/// Starts the tools worker ahead of its first job, so that a job makes no request.
pub fn warm_up() {
    wasm_bindgen_futures::spawn_local(async {
        let _ = tools().await;
    });
}

/// Runs `job` on `bytes` in the tools worker. The error is a sentence for the page.
pub async fn call(job: Job, bytes: &[&[u8]]) -> Answer {
    let tools = tools().await?;
    let mut resolve_slot = None;
    let answered = Promise::new(&mut |resolve, _| resolve_slot = Some(resolve));
    {
        let mut t = tools.borrow_mut();
        let id = t.next;
        t.next = t.next.wrapping_add(1);
        let text = serde_json::to_string(&JobRequest { id, job })
            .map_err(|_| "The page could not write its request to the worker.".to_string())?;
        let parts = Array::of1(&JsValue::from_str(&text));
        for b in bytes {
            parts.push(&Uint8Array::from(*b));
        }
        if let Some(resolve) = resolve_slot {
            t.waiting.insert(id, resolve);
        }
        if t.ready {
            let _ = t.worker.post_message(&parts);
        } else {
            t.queue.push(parts);
        }
    }
    let reply = JsFuture::from(answered).await.unwrap_or(JsValue::NULL);
    if let Some(why) = reply.as_string() {
        return Err(why);
    }
    let parts: Array = reply.dyn_into().map_err(|_| TOOLS_FAILED.to_string())?;
    let reply = parts
        .get(0)
        .as_string()
        .and_then(|text| serde_json::from_str::<JobReply>(&text).ok())
        .ok_or_else(|| UNREADABLE.to_string())?;
    let zip = parts
        .get(1)
        .dyn_into::<Uint8Array>()
        .ok()
        .map(|b| b.to_vec());
    Ok((reply.outcome, zip))
}
