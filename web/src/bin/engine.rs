//! The entry point of the engine's wasm module, which the page's workers run (`web/worker.js`
//! imports its glue; the page posts it the compiled module): key generation, signing, the
//! kit, decoding and .p12. In a worker `main` installs the message handler
//! (`certlab_web::worker`).
//!
//! It also exports what the benchmarks call (`scripts/bench`, `tests/bench/rsa.mjs`, which load
//! this module on a page's thread): the RSA key paths of Generate, `certlabRsaKey(bits)`
//! (WebCrypto, then the engine reads the key as the worker does) and
//! `certlabRsaKeyFallback(bits)` (the engine, where the page has no WebCrypto), so the
//! benchmark times exactly the code a user's Generate runs, not a copy of it.
use wasm_bindgen::prelude::*;

fn main() {
    if certlab_web::worker::in_worker() {
        certlab_web::worker::start();
    }
}

/// Makes an RSA key as Generate does — WebCrypto `generateKey`, `exportKey('pkcs8')` — and has
/// the engine read it as the worker does before signing with it. Returns the PKCS#8 DER.
#[wasm_bindgen(js_name = certlabRsaKey)]
pub async fn certlab_rsa_key(bits: u32) -> Result<js_sys::Uint8Array, JsValue> {
    let der = certlab_web::webcrypto::rsa_pkcs8(bits)
        .await
        .map_err(|e| JsValue::from(js_sys::Error::new(&e)))?;
    certlab::KeyPair::from_pkcs8_der(&der)
        .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))?;
    Ok(js_sys::Uint8Array::from(der.as_slice()))
}

/// Makes an RSA key as the worker does where the page has no WebCrypto: certlab's engine in
/// wasm (`certlab_web::fallback::rsa_pkcs8`), on the calling thread. Returns the PKCS#8 DER.
#[wasm_bindgen(js_name = certlabRsaKeyFallback)]
pub fn certlab_rsa_key_fallback(bits: u32) -> Result<js_sys::Uint8Array, JsValue> {
    let der = certlab_web::fallback::rsa_pkcs8(bits)
        .map_err(|e| JsValue::from(js_sys::Error::new(&e)))?;
    Ok(js_sys::Uint8Array::from(der.as_slice()))
}
