//! RSA keys from the browser's WebCrypto: native code, seconds faster than RSA key
//! generation in wasm. Exported as PKCS#8 and handed to the engine, which signs with them.
//! Only in a secure context (https, localhost or file://): elsewhere `crypto.subtle` is
//! undefined and the worker makes the keys instead (see [`crate::fallback`]).
//!
//! Failures come back as sentences; the browser's own error text goes to the console only.

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn global(name: &str) -> JsValue {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Whether the page is a secure context (`window.isSecureContext`); `true` when the browser
/// does not say (it then predates the notion, and WebCrypto decides by itself).
pub fn secure_context() -> bool {
    global("isSecureContext").as_bool().unwrap_or(true)
}

/// Whether `crypto.subtle` exists here (it does not in an insecure context).
pub fn available() -> bool {
    let crypto = global("crypto");
    crypto.is_object()
        && Reflect::get(&crypto, &JsValue::from_str("subtle"))
            .map(|s| s.is_object())
            .unwrap_or(false)
}

/// Writes the browser's own error to the console, for whoever debugs; the page shows a
/// sentence instead.
pub fn log_detail(what: &str, e: &JsValue) {
    web_sys::console::warn_2(&JsValue::from_str(what), e);
}

fn set(o: &Object, k: &str, v: &JsValue) -> Result<(), String> {
    Reflect::set(o, &JsValue::from_str(k), v)
        .map(|_| ())
        .map_err(|_| "this browser's WebCrypto could not be asked for an RSA key".to_string())
}

/// Makes an RSA key of `bits` with WebCrypto and returns its PKCS#8 DER. The error is a
/// sentence saying what WebCrypto did (the caller then has the worker make the key).
pub async fn rsa_pkcs8(bits: u32) -> Result<Vec<u8>, String> {
    if !available() {
        return Err(if secure_context() {
            "this browser offers no WebCrypto (crypto.subtle)".to_string()
        } else {
            "this page is not a secure context (plain http from another machine), so the browser offers no WebCrypto".to_string()
        });
    }
    let refused = |e: JsValue| {
        log_detail("certlab: WebCrypto generateKey failed:", &e);
        format!("this browser's WebCrypto refused to make an RSA-{bits} key")
    };
    let unexported = |e: JsValue| {
        log_detail("certlab: WebCrypto exportKey failed:", &e);
        format!("this browser's WebCrypto made an RSA-{bits} key but would not export it")
    };
    let crypto: web_sys::Crypto = global("crypto").unchecked_into();
    let subtle = crypto.subtle();
    let params = Object::new();
    set(&params, "name", &"RSASSA-PKCS1-v1_5".into())?;
    set(&params, "modulusLength", &JsValue::from(bits))?;
    set(
        &params,
        "publicExponent",
        &Uint8Array::from(&[1u8, 0, 1][..]).into(),
    )?;
    set(&params, "hash", &"SHA-256".into())?;
    let usages = js_sys::Array::of2(&"sign".into(), &"verify".into());
    let promise = subtle
        .generate_key_with_object(&params, true, &usages)
        .map_err(refused)?;
    let pair = JsFuture::from(promise).await.map_err(refused)?;
    let private: web_sys::CryptoKey = Reflect::get(&pair, &"privateKey".into())
        .ok()
        .and_then(|k| k.dyn_into().ok())
        .ok_or_else(|| format!("this browser's WebCrypto returned no private RSA-{bits} key"))?;
    let exported = JsFuture::from(subtle.export_key("pkcs8", &private).map_err(unexported)?)
        .await
        .map_err(unexported)?;
    Ok(Uint8Array::new(&exported).to_vec())
}
