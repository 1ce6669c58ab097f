//! The engine in a real browser's wasm (headless Chromium through wasm-bindgen-test-runner and
//! chromedriver): every key type issues, randomness comes from `crypto.getRandomValues`, and
//! every output parses. Run by `scripts/test` (`cargo test --target wasm32-unknown-unknown`).
#![cfg(target_arch = "wasm32")]

use certlab::{Item, inspect};
use certlab::{KeyAlgorithm, Preset};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

// A dedicated worker, not the page: pure-Rust RSA-4096 keygen in a debug build holds its thread for
// tens of seconds, and chromedriver gives up on a renderer whose main thread is blocked for 30 s
// ("Timed out receiving message from renderer"). The page does the same: keys are made in a worker.
wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// Counts the bytes the page's CSPRNG hands out, by wrapping `crypto.getRandomValues`.
fn count_random_bytes() -> impl Fn() -> f64 {
    let install = js_sys::Function::new_no_args(
        "if (!globalThis.__certlabRandom) { const orig = crypto.getRandomValues.bind(crypto); \
         globalThis.__certlabRandom = 0; crypto.getRandomValues = (a) => { globalThis.__certlabRandom += a.length; return orig(a); }; }",
    );
    install.call0(&JsValue::NULL).expect("install counter");
    || {
        js_sys::Reflect::get(&js_sys::global(), &"__certlabRandom".into())
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0)
    }
}

fn check(alg: KeyAlgorithm) {
    let random = count_random_bytes();
    let before = random();
    let mut spec = Preset::Mtls.spec(alg);
    spec.key_password = Some("pw".into());
    let kit = certlab::generate(&spec).unwrap_or_else(|e| panic!("{alg}: {e}"));
    let drawn = random() - before;
    // Every key, serial, salt and IV comes from the browser's CSPRNG.
    assert!(
        drawn >= 64.0,
        "{alg}: only {drawn} random bytes came from crypto.getRandomValues"
    );
    let now = certlab::now_utc();
    let root = kit.manifest.identities[0].common_name.clone();
    for a in &kit.artifacts {
        let pw = if a.path.ends_with(".p12") {
            Some("changeit")
        } else {
            Some("pw")
        };
        if a.path.ends_with(".crt") || a.path.ends_with(".p12") || a.path.ends_with(".key") {
            let r = inspect(&a.bytes, pw, now).unwrap_or_else(|e| panic!("{alg} {}: {e}", a.path));
            assert!(!r.items.is_empty(), "{}", a.path);
            for item in &r.items {
                if let Item::Certificate(c) = item {
                    assert!(c.issuer.contains(&root), "{}: issuer {}", a.path, c.issuer);
                }
            }
        }
    }
    assert!(kit.zip("k").expect("zip").starts_with(b"PK"));
}

#[wasm_bindgen_test]
fn ecdsa_p256_in_the_browser() {
    check(KeyAlgorithm::EcdsaP256);
}

#[wasm_bindgen_test]
fn ecdsa_p384_in_the_browser() {
    check(KeyAlgorithm::EcdsaP384);
}

#[wasm_bindgen_test]
fn ed25519_in_the_browser() {
    check(KeyAlgorithm::Ed25519);
}

#[wasm_bindgen_test]
fn rsa2048_in_the_browser() {
    check(KeyAlgorithm::Rsa2048);
}

#[wasm_bindgen_test]
fn rsa3072_in_the_browser() {
    check(KeyAlgorithm::Rsa3072);
}

#[wasm_bindgen_test]
fn rsa4096_in_the_browser() {
    check(KeyAlgorithm::Rsa4096);
}

#[wasm_bindgen_test]
fn clock_comes_from_the_browser() {
    let now = certlab::now_utc();
    let js_now = js_sys::Date::now() / 1000.0;
    assert!((now.unix_timestamp() as f64 - js_now).abs() < 5.0);
}

#[wasm_bindgen_test]
fn bad_input_is_an_error_not_a_panic() {
    let mut spec = Preset::Dev.spec(KeyAlgorithm::EcdsaP256);
    spec.servers[0].names = vec!["*.com".into()];
    let e = certlab::generate(&spec).expect_err("bad wildcard");
    assert_eq!(e.field_errors()[0].field, "servers[0].names[0]");
    assert!(inspect(b"garbage", None, certlab::now_utc()).is_err());
}
