//! RSA keys from the browser's WebCrypto: native code, seconds faster than RSA key
//! generation in wasm (pure-Rust RSA-4096 takes 7–20 s there). Exported as PKCS#8 and handed
//! to the engine, which signs with them.

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn set(o: &Object, k: &str, v: &JsValue) -> Result<(), String> {
    Reflect::set(o, &JsValue::from_str(k), v)
        .map(|_| ())
        .map_err(|_| "cannot build the WebCrypto parameters".to_string())
}

/// Makes an RSA key of `bits` with WebCrypto and returns its PKCS#8 DER.
pub async fn rsa_pkcs8(bits: u32) -> Result<Vec<u8>, String> {
    let crypto = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or("this browser has no WebCrypto (window.crypto)")?;
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
        .map_err(|e| format!("WebCrypto refused to make an RSA key: {e:?}"))?;
    let pair = JsFuture::from(promise)
        .await
        .map_err(|e| format!("WebCrypto failed to make an RSA key: {e:?}"))?;
    let private: web_sys::CryptoKey = Reflect::get(&pair, &"privateKey".into())
        .map_err(|_| "WebCrypto returned no private key")?
        .dyn_into()
        .map_err(|_| "WebCrypto returned no private key")?;
    let exported = JsFuture::from(
        subtle
            .export_key("pkcs8", &private)
            .map_err(|e| format!("cannot export the key: {e:?}"))?,
    )
    .await
    .map_err(|e| format!("cannot export the key: {e:?}"))?;
    Ok(Uint8Array::new(&exported).to_vec())
}
