//! The engine as a JavaScript API (feature `js`, built with `wasm-pack`): a thin layer that
//! converts values with serde-wasm-bindgen and errors into JS `Error`s carrying the field. The
//! engine itself stays free of JS types.
// Its `pub` functions are reached from JavaScript (wasm-bindgen exports them by name), not from
// Rust: the module stays private and the lint that looks for unreachable `pub` is off here.
#![allow(unreachable_pub)]

use crate::error::Error;
use crate::import;
use crate::issue::Options;
use crate::kit::Kit;
use crate::leaf::{self, LeafSpec};
use crate::spec::Spec;
use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::Serialize;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("js_types.d.ts");

fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error(&Error::Internal(format!("cannot convert the result: {e}"))))
}

fn set(o: &Object, k: &str, v: &JsValue) {
    // Reflect::set on a plain fresh object cannot fail.
    let _ = Reflect::set(o, &JsValue::from_str(k), v);
}

/// A JS `Error` whose message lists every problem, with `field`, `kind`, `fix` of the first
/// and `errors` (all of them) as properties.
fn js_error(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    let first = e.field_errors().first();
    set(
        &err,
        "field",
        &JsValue::from_str(first.map(|f| f.field.as_str()).unwrap_or("")),
    );
    set(
        &err,
        "kind",
        &to_js(&first.map(|f| f.kind)).unwrap_or(JsValue::NULL),
    );
    set(
        &err,
        "fix",
        &JsValue::from_str(first.map(|f| f.fix.as_str()).unwrap_or("")),
    );
    set(
        &err,
        "errors",
        &to_js(e.field_errors()).unwrap_or(JsValue::NULL),
    );
    err.into()
}

fn input_error(field: &str, what: impl std::fmt::Display) -> JsValue {
    js_error(&Error::field(
        field,
        crate::ErrorKind::Inconsistent,
        format!("{field} is not valid: {what}"),
        "pass the shape described in the TypeScript declarations",
    ))
}

/// Reads a spec-like value through JSON so that serde's `deny_unknown_fields` applies: a
/// misspelt field is an error naming it, not silently ignored (serde-wasm-bindgen reads only
/// the fields it knows).
fn from_js<T: serde::de::DeserializeOwned>(v: &JsValue, field: &str) -> Result<T, JsValue> {
    let text = js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| input_error(field, "it is not a plain object"))?;
    serde_json::from_str(&text).map_err(|e| input_error(field, e))
}

fn kit_to_js(kit: &Kit, zip: bool) -> Result<JsValue, JsValue> {
    let files = Array::new();
    for a in &kit.artifacts {
        let f = Object::new();
        set(&f, "path", &JsValue::from_str(&a.path));
        set(&f, "kind", &to_js(&a.kind)?);
        set(&f, "identity", &JsValue::from_str(&a.identity));
        set(&f, "secret", &JsValue::from_bool(a.secret));
        set(&f, "bytes", &Uint8Array::from(a.bytes.as_slice()).into());
        files.push(&f);
    }
    let out = Object::new();
    set(&out, "manifest", &to_js(&kit.manifest)?);
    set(&out, "files", &files.into());
    if zip {
        let z = kit.zip("certlab-kit").map_err(|e| js_error(&e))?;
        set(&out, "zip", &Uint8Array::from(z.as_slice()).into());
    }
    Ok(out.into())
}

#[derive(serde::Deserialize, Default)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
struct JsOptions {
    /// PKCS#8 DER keys by identity name (e.g. from WebCrypto `exportKey('pkcs8')`).
    #[serde(with = "serde_bytes_map")]
    keys: BTreeMap<String, Vec<u8>>,
    /// Issue time, RFC 3339.
    now: Option<String>,
    /// Also return the kit as a zip.
    zip: bool,
    /// Passphrase of an encrypted CA key.
    ca_key_password: Option<String>,
}

mod serde_bytes_map {
    use serde::{Deserialize, Deserializer};
    use std::collections::BTreeMap;

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, Vec<u8>>, D::Error> {
        let m: BTreeMap<String, serde_bytes::ByteBuf> = BTreeMap::deserialize(d)?;
        Ok(m.into_iter().map(|(k, v)| (k, v.into_vec())).collect())
    }
}

fn options(v: JsValue) -> Result<(JsOptions, Options), JsValue> {
    let o: JsOptions = if v.is_undefined() || v.is_null() {
        JsOptions::default()
    } else {
        serde_wasm_bindgen::from_value(v).map_err(|e| input_error("options", e))?
    };
    let now = match &o.now {
        Some(t) => Some(
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                .map_err(|e| input_error("options.now", e))?,
        ),
        None => None,
    };
    let opts = Options {
        now,
        keys: o.keys.clone(),
    };
    Ok((o, opts))
}

/// Validates a spec and makes the whole kit: `{ manifest, files, zip? }`.
#[wasm_bindgen(js_name = generateKit, unchecked_return_type = "Kit")]
pub fn generate_kit(
    #[wasm_bindgen(unchecked_param_type = "Spec")] spec: JsValue,
    #[wasm_bindgen(unchecked_param_type = "GenerateOptions | undefined")] options_: JsValue,
) -> Result<JsValue, JsValue> {
    let spec: Spec = from_js(&spec, "spec")?;
    let (o, opts) = options(options_)?;
    let kit = crate::generate_with(&spec, &opts, &mut |_| {}).map_err(|e| js_error(&e))?;
    kit_to_js(&kit, o.zip)
}

/// Lint findings for a spec (also one that does not validate yet).
#[wasm_bindgen(unchecked_return_type = "Finding[]")]
pub fn lint(
    #[wasm_bindgen(unchecked_param_type = "Spec")] spec: JsValue,
) -> Result<JsValue, JsValue> {
    let spec: Spec = from_js(&spec, "spec")?;
    to_js(&crate::lint::lint_spec(&spec))
}

/// Checks a spec without making keys: `[]` when it is valid, else every field error.
#[wasm_bindgen(unchecked_return_type = "FieldError[]")]
pub fn validate(
    #[wasm_bindgen(unchecked_param_type = "Spec")] spec: JsValue,
) -> Result<JsValue, JsValue> {
    let spec: Spec = from_js(&spec, "spec")?;
    match crate::validate::plan(&spec) {
        Ok(_) => to_js(&Vec::<crate::FieldError>::new()),
        Err(e) => to_js(e.field_errors()),
    }
}

fn ca(
    cert: &[u8],
    key: &[u8],
    o: &JsOptions,
    opts: &Options,
) -> Result<import::ImportedCa, JsValue> {
    let now = opts.now.unwrap_or_else(crate::issue::now_utc);
    import::import_ca(cert, key, o.ca_key_password.as_deref(), now).map_err(|e| js_error(&e))
}

/// Issues one leaf under an existing CA (certificate and key as PEM text or DER bytes).
#[wasm_bindgen(unchecked_return_type = "Kit")]
pub fn issue(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] ca_cert: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] ca_key: JsValue,
    #[wasm_bindgen(unchecked_param_type = "LeafRequest")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "IssueOptions | undefined")] options_: JsValue,
) -> Result<JsValue, JsValue> {
    let req: LeafSpec = from_js(&request, "request")?;
    let (o, opts) = options(options_)?;
    let ca = ca(
        &bytes_of(&ca_cert, "caCert")?,
        &bytes_of(&ca_key, "caKey")?,
        &o,
        &opts,
    )?;
    let kit = leaf::issue_leaf(&ca, &req, None, &opts).map_err(|e| js_error(&e))?;
    kit_to_js(&kit, o.zip)
}

/// Verifies a CSR and signs it under an existing CA; `request` chooses the role and validity
/// (names come from the CSR unless given).
#[wasm_bindgen(js_name = signCsr, unchecked_return_type = "Kit")]
pub fn sign_csr(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] ca_cert: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] ca_key: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] csr: JsValue,
    #[wasm_bindgen(unchecked_param_type = "LeafRequest | undefined")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "IssueOptions | undefined")] options_: JsValue,
) -> Result<JsValue, JsValue> {
    let req: LeafSpec = if request.is_undefined() || request.is_null() {
        LeafSpec {
            role: crate::Role::Server,
            ..LeafSpec::default()
        }
    } else {
        from_js(&request, "request")?
    };
    let (o, opts) = options(options_)?;
    let ca = ca(
        &bytes_of(&ca_cert, "caCert")?,
        &bytes_of(&ca_key, "caKey")?,
        &o,
        &opts,
    )?;
    let csr = crate::decode::parse_csr(&bytes_of(&csr, "csr")?).map_err(|e| js_error(&e))?;
    let kit = leaf::issue_leaf(&ca, &req, Some(&csr), &opts).map_err(|e| js_error(&e))?;
    kit_to_js(&kit, o.zip)
}

/// Explains a certificate, chain, CSR, key or .p12 (with `password`) and lints it.
#[wasm_bindgen(unchecked_return_type = "Inspection")]
pub fn inspect(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
    password: Option<String>,
) -> Result<JsValue, JsValue> {
    let r = crate::inspect::inspect(
        &bytes_of(&input, "input")?,
        password.as_deref(),
        crate::issue::now_utc(),
    )
    .map_err(|e| js_error(&e))?;
    to_js(&r)
}

fn bytes_of(v: &JsValue, field: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(s) = v.as_string() {
        Ok(s.into_bytes())
    } else if v.is_instance_of::<Uint8Array>() {
        Ok(Uint8Array::new(v).to_vec())
    } else {
        Err(input_error(
            field,
            "expected a string (PEM) or a Uint8Array",
        ))
    }
}
