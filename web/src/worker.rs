//! The engine's workers: the engine module (`src/bin/engine.rs`) started by `web/worker.js`.
//! A generation worker receives a [`Request`] (JSON text), runs the engine, posts progress and
//! the finished kit; cancelling terminates it from the page. The tools worker receives
//! [`JobRequest`]s (an array: JSON, then bytes) and answers each with a [`JobReply`]. One
//! handler serves both: the message's shape says which.

use crate::protocol::{FileMeta, JobOutcome, JobReply, JobRequest, KeySource, Reply, Request};
use js_sys::{Array, Uint8Array};
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn post(scope: &DedicatedWorkerGlobalScope, reply: &Reply) {
    if let Ok(text) = serde_json::to_string(reply) {
        let _ = scope.post_message(&JsValue::from_str(&text));
    }
}

/// The shortest interval between two progress messages, in milliseconds.
const PROGRESS_EVERY_MS: f64 = 50.0;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Makes every RSA key the page did not hand in (it had no WebCrypto, or WebCrypto refused),
/// with certlab's engine, posting progress before each; returns who made each identity's key.
fn make_missing_rsa(
    scope: &DedicatedWorkerGlobalScope,
    spec: &certlab::Spec,
    keys: &mut BTreeMap<String, Vec<u8>>,
) -> Result<BTreeMap<String, KeySource>, String> {
    // A refused spec: the engine says why below.
    let Ok(plan) = certlab::plan(spec) else {
        return Ok(BTreeMap::new());
    };
    let sources = plan
        .identities
        .iter()
        .map(|p| {
            let source = if keys.contains_key(&p.name) {
                KeySource::WebCrypto
            } else {
                KeySource::Worker
            };
            (p.name.clone(), source)
        })
        .collect();
    let missing: Vec<(String, u32)> = plan
        .identities
        .iter()
        .filter(|p| !keys.contains_key(&p.name))
        .filter_map(|p| p.key.rsa_bits().map(|b| (p.name.clone(), b as u32)))
        .collect();
    for (done, (name, bits)) in missing.iter().enumerate() {
        post(
            scope,
            &Reply::RsaKey {
                done,
                total: missing.len(),
                name: name.clone(),
                bits: *bits,
            },
        );
        let der = crate::fallback::rsa_pkcs8(*bits).map_err(|e| {
            format!("{e}. Press Generate again; if it keeps failing, choose ECDSA P-256 keys, which need no RSA.")
        })?;
        keys.insert(name.clone(), der);
    }
    Ok(sources)
}

fn handle(scope: &DedicatedWorkerGlobalScope, data: JsValue) {
    let started = now_ms();
    let mut req: Request = match data.as_string().map(|t| serde_json::from_str(&t)) {
        Some(Ok(r)) => r,
        other => {
            let message = match other {
                Some(Err(e)) => format!(
                    "The worker got a request it cannot read ({e}): the page and its worker may be \
                     from different builds. Reload the page and press Generate again."
                ),
                _ => "The worker got a request that is not text. Reload the page and press \
                      Generate again."
                    .to_string(),
            };
            post(
                scope,
                &Reply::Failed {
                    errors: Vec::new(),
                    message,
                },
            );
            return;
        }
    };
    let key_sources = match make_missing_rsa(scope, &req.spec, &mut req.keys) {
        Ok(s) => s,
        Err(message) => {
            let errors = Vec::new();
            return post(scope, &Reply::Failed { errors, message });
        }
    };
    let opts = certlab::Options {
        now: None,
        keys: req.keys,
    };
    // Progress at most every PROGRESS_EVERY_MS (and for the first identity): each message
    // re-renders the page, and a batch of 1,000 devices sent 1,000 of them.
    let mut last_post = f64::NEG_INFINITY;
    let result = certlab::generate_with(&req.spec, &opts, &mut |p| {
        let now = now_ms();
        if now - last_post < PROGRESS_EVERY_MS {
            return;
        }
        last_post = now;
        post(
            scope,
            &Reply::Progress {
                index: p.index,
                total: p.total,
                name: p.name.to_string(),
                role: p.role,
                key: p.key,
            },
        );
    })
    .and_then(|kit| kit.zip("certlab-kit").map(|zip| (kit, zip)));
    match result {
        Ok((kit, zip)) => {
            let files: Vec<FileMeta> = kit
                .artifacts
                .iter()
                .map(|a| FileMeta {
                    path: a.path.clone(),
                    kind: a.kind,
                    identity: a.identity.clone(),
                    secret: a.secret,
                })
                .collect();
            // Every file's bytes in one buffer, transferred (not copied) with their lengths:
            // the page's thread then receives a fleet's tens of thousands of files as two
            // objects instead of cloning each.
            let total: usize = kit.artifacts.iter().map(|a| a.bytes.len()).sum();
            let all = Uint8Array::new_with_length(total as u32);
            let lengths = js_sys::Uint32Array::new_with_length(kit.artifacts.len() as u32);
            let mut at = 0u32;
            for (n, a) in kit.artifacts.iter().enumerate() {
                all.subarray(at, at + a.bytes.len() as u32)
                    .copy_from(&a.bytes);
                lengths.set_index(n as u32, a.bytes.len() as u32);
                at += a.bytes.len() as u32;
            }
            // The zip goes as a Blob made here: a fleet's is over 100 MB, and the page only
            // ever hands it to a download, so it never enters the page's memory or thread.
            let zip = zip_blob(&zip);
            // The manifest's identities and the files' descriptions go as UTF-8 JSON lines in
            // transferred buffers, so the page reads a fleet's in batches, not in one block.
            let cards = crate::jobs::card_facts(&kit);
            let mut manifest = kit.manifest;
            let ids = json_lines(&std::mem::take(&mut manifest.identities));
            let metas = json_lines(&files);
            let meta = Reply::Done {
                manifest,
                files: Vec::new(),
                millis: now_ms() - started,
                key_sources,
                wasm_bytes: wasm_memory_bytes(),
                cards,
            };
            let msg = Array::new();
            msg.push(&JsValue::from_str(
                &serde_json::to_string(&meta).unwrap_or_default(),
            ));
            msg.push(&all);
            msg.push(&lengths);
            msg.push(&ids);
            msg.push(&metas);
            msg.push(&zip);
            let transfer = Array::new();
            for b in [all.buffer(), lengths.buffer(), ids.buffer(), metas.buffer()] {
                transfer.push(&b);
            }
            let _ = scope.post_message_with_transfer(&msg, &transfer);
        }
        Err(e) => post(
            scope,
            &Reply::Failed {
                errors: e.field_errors().to_vec(),
                message: e.to_string(),
            },
        ),
    }
}

/// Runs one tool job and posts its reply: `[json, zip?]`.
fn job(scope: &DedicatedWorkerGlobalScope, parts: Array) {
    let request = parts
        .get(0)
        .as_string()
        .and_then(|t| serde_json::from_str::<JobRequest>(&t).ok());
    let Some(JobRequest { id, job }) = request else {
        // No number to answer to: the page's wait ends with the worker's reload advice.
        return;
    };
    let bytes: Vec<Vec<u8>> = (1..parts.length())
        .map(|n| {
            parts
                .get(n)
                .dyn_into::<Uint8Array>()
                .map(|b| b.to_vec())
                .unwrap_or_default()
        })
        .collect();
    let (outcome, zip) = crate::jobs::run(&job, &bytes);
    let text = serde_json::to_string(&JobReply { id, outcome }).unwrap_or_else(|e| {
        let outcome = JobOutcome::Failed(format!(
            "The worker could not write its answer ({e}). Reload the page and try again."
        ));
        serde_json::to_string(&JobReply { id, outcome }).unwrap_or_default()
    });
    let reply = Array::of1(&JsValue::from_str(&text));
    if let Some(zip) = zip {
        reply.push(&Uint8Array::from(zip.as_slice()));
    }
    let _ = scope.post_message(&reply);
}

/// The size of this module's wasm memory, in bytes.
fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}

/// Whether this module runs in a dedicated worker (rather than in the page).
pub fn in_worker() -> bool {
    js_sys::global()
        .dyn_into::<DedicatedWorkerGlobalScope>()
        .is_ok()
}

/// Installs the message handler; called from `main` when [`in_worker`].
pub fn start() {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let inner = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let data = ev.data();
        if Array::is_array(&data) {
            job(&inner, data.unchecked_into())
        } else {
            handle(&inner, data)
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&scope, &Reply::Ready);
}

/// One JSON text per item, a line each, as UTF-8 bytes: one buffer crosses to the page, which
/// parses the lines in batches (JSON text never holds a raw line break).
fn json_lines<T: serde::Serialize>(items: &[T]) -> Uint8Array {
    let mut text = Vec::new();
    for (n, i) in items.iter().enumerate() {
        if n > 0 {
            text.push(b'\n');
        }
        let _ = serde_json::to_writer(&mut text, i);
    }
    Uint8Array::from(text.as_slice())
}

/// The zip as a Blob (`null` if the browser refuses one; the page then reports a broken message).
fn zip_blob(zip: &[u8]) -> JsValue {
    let parts = Array::of1(&Uint8Array::from(zip));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/zip");
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)
        .map_or(JsValue::NULL, JsValue::from)
}
