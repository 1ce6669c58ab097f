//! What the benchmarks call in the page (`scripts/bench`, `tests/bench/rsa.mjs`): the page's
//! own RSA key path, exported as `window.wasmBindings.certlabRsaKey(bits)`, so the benchmark
//! times exactly the code a user's Generate runs, not a copy of it.

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
