//! Saving bytes as a file: a Blob, an object URL and a temporary `<a download>` — no request.
//! The URL is revoked a minute later, not at once: Safari (macOS and iOS) reads it after the
//! click returns and cancels a download whose URL is already gone.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

/// How long the object URL stays valid after the click: the download has long started by then.
const REVOKE_AFTER_MS: i32 = 60_000;

/// Offers `bytes` as a download named `name`.
pub fn save(name: &str, bytes: &[u8], mime: &str) {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    if let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts) {
        save_blob(name, &blob);
    }
}

/// Offers `blob` as a download named `name` (the zip, which the worker hands over as a Blob).
pub fn save_blob(name: &str, blob: &web_sys::Blob) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    if let Ok(a) = doc
        .create_element("a")
        .map(|e| e.unchecked_into::<web_sys::HtmlAnchorElement>())
    {
        a.set_href(&url);
        a.set_download(name.rsplit('/').next().unwrap_or(name));
        a.click();
    }
    revoke_later(url);
}

/// Revokes `url` after [`REVOKE_AFTER_MS`] (at once if there is no window to wait in).
fn revoke_later(url: String) {
    let Some(w) = web_sys::window() else {
        let _ = web_sys::Url::revoke_object_url(&url);
        return;
    };
    let revoke = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
        revoke.unchecked_ref(),
        REVOKE_AFTER_MS,
    );
}

/// The MIME type for a kit file.
pub fn mime(path: &str) -> &'static str {
    if path.ends_with(".p12") {
        "application/x-pkcs12"
    } else if path.ends_with(".der") {
        "application/pkix-cert"
    } else if path.ends_with(".zip") {
        "application/zip"
    } else if path.ends_with(".crl") {
        "application/pkix-crl"
    } else if path.ends_with(".json") {
        "application/json"
    } else {
        "text/plain"
    }
}
