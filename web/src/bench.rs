//! What the benchmarks call in the page (`scripts/bench`, `tests/bench/rsa.mjs`): the page's
//! own RSA key paths, exported as `window.wasmBindings.certlabRsaKey(bits)` (WebCrypto) and
//! `certlabRsaKeyFallback(bits)` (the engine, where the page has no WebCrypto), so the
//! benchmark times exactly the code a user's Generate runs, not a copy of it.

use wasm_bindgen::prelude::*;

/// Makes an RSA key as Generate does — WebCrypto `generateKey`, `exportKey('pkcs8')` — and has
/// the engine read it as the worker does before signing with it. Returns the PKCS#8 DER.
#[wasm_bindgen(js_name = certlabRsaKey)]
pub async fn certlab_rsa_key(bits: u32) -> Result<js_sys::Uint8Array, JsValue> {
    let der = crate::webcrypto::rsa_pkcs8(bits)
        .await
        .map_err(|e| JsValue::from(js_sys::Error::new(&e)))?;
    certlab::KeyPair::from_pkcs8_der(&der)
        .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))?;
    Ok(js_sys::Uint8Array::from(der.as_slice()))
}

/// Makes an RSA key as the worker does where the page has no WebCrypto: certlab's engine in
/// wasm ([`crate::fallback::rsa_pkcs8`]). Runs on the calling thread (the benchmark's page), the
/// same code and the same wasm as in the worker. Returns the PKCS#8 DER.
#[wasm_bindgen(js_name = certlabRsaKeyFallback)]
pub fn certlab_rsa_key_fallback(bits: u32) -> Result<js_sys::Uint8Array, JsValue> {
    let der =
        crate::fallback::rsa_pkcs8(bits).map_err(|e| JsValue::from(js_sys::Error::new(&e)))?;
    Ok(js_sys::Uint8Array::from(der.as_slice()))
}
