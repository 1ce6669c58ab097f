//! Bring your own: inspect any PEM/DER/.p12, issue more leaves under an existing CA, sign a
//! CSR. Files are read in the page (drop or paste); nothing is sent anywhere.

use crate::download;
use crate::engine::OTHER_ANSWER;
use crate::protocol::{Job, JobOutcome};
use certlab::Role;
use certlab::{Inspection, Item};
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Reads the first file of an `<input type=file>` as bytes: `Ok(None)` when none is chosen,
/// else as [`read_blob`].
async fn read_file(input: &HtmlInputElement) -> Result<Option<Vec<u8>>, String> {
    match input.files().and_then(|f| f.get(0)) {
        Some(file) => read_blob(&file).await.map(Some),
        None => Ok(None),
    }
}

/// Reads a chosen or dropped file as bytes; `Err(sentence)` for a file larger than
/// [`certlab::MAX_INPUT_BYTES`] (refused before it is read: a disk image would freeze the
/// tab) or one the browser cannot read.
pub(crate) async fn read_blob(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let name = certlab::clip(&certlab::escape_control(&file.name()), 60).into_owned();
    if file.size() > certlab::MAX_INPUT_BYTES as f64 {
        return Err(format!(
            "{name} is {:.0} MiB, larger than any certificate, key, CSR, .p12 or device list ({} MiB at most). Choose the file itself.",
            file.size() / 1_048_576.0,
            certlab::MAX_INPUT_BYTES >> 20
        ));
    }
    match JsFuture::from(file.array_buffer()).await {
        Ok(buf) => Ok(js_sys::Uint8Array::new(&buf).to_vec()),
        Err(_) => Err(format!(
            "The browser could not read {name}. Choose it again, or paste its text."
        )),
    }
}

/// Props of [`Source`].
#[derive(Properties, PartialEq)]
struct SourceProps {
    label: AttrValue,
    name: AttrValue,
    value: UseStateHandle<Vec<u8>>,
}

/// A paste area plus a file picker feeding the same bytes.
#[function_component(Source)]
fn source(p: &SourceProps) -> Html {
    let v = p.value.clone();
    let oninput = Callback::from(move |e: InputEvent| {
        v.set(
            e.target_unchecked_into::<HtmlTextAreaElement>()
                .value()
                .into_bytes(),
        )
    });
    let notice = use_state(|| None::<String>);
    let (v, n) = (p.value.clone(), notice.clone());
    let onchange = Callback::from(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        let (v, n) = (v.clone(), n.clone());
        wasm_bindgen_futures::spawn_local(async move {
            match read_file(&input).await {
                Ok(Some(b)) => {
                    n.set(None);
                    v.set(b);
                }
                Ok(None) => {}
                Err(sentence) => {
                    input.set_value("");
                    n.set(Some(sentence));
                }
            }
        });
    });
    let shown = match std::str::from_utf8(&p.value) {
        Ok(t) => t.to_string(),
        Err(_) => format!("({} bytes of binary data)", p.value.len()),
    };
    html! {
        <div class="field">
            <label><span class="label">{ &p.label }</span>
                <textarea name={format!("{}-text", p.name)} rows="4" value={shown} {oninput} placeholder="-----BEGIN … (paste) — or choose a file below" />
            </label>
            <input type="file" name={format!("{}-file", p.name)} aria-label={format!("{}: choose a file", p.label)} {onchange} />
            if let Some(text) = (*notice).clone() {
                <ul class="notes"><li class="field-error" role="alert" data-field={format!("{}-file", p.name)}>{ text }</li></ul>
            }
        </div>
    }
}

fn show_inspection(r: &Inspection) -> Html {
    html! {
        <div class="inspection" id="inspection">
            <p>{ format!("Format: {}", r.format) }</p>
            { for r.items.iter().map(|i| match i {
                Item::Certificate(c) => html! { <article class="card">
                    <h3>{ c.common_name.clone().unwrap_or(c.subject.clone()) }<span class="role">{ if c.is_ca { "CA certificate" } else { "certificate" } }</span></h3>
                    <ul>{ for c.explained.iter().map(|e| html! { <li>{ e }</li> }) }</ul>
                </article> },
                Item::Csr(c) => html! { <article class="card"><h3>{ "Certificate signing request" }</h3>
                    <p>{ format!("CN {} · {} · names {} · signature verified", c.common_name.clone().unwrap_or_default(), c.key_algorithm, c.sans.join(", ")) }</p></article> },
                Item::PrivateKey(k) => html! { <article class="card"><h3>{ "Private key" }</h3><p>{ format!("{} · key id {}", k.key_algorithm, k.key_id) }</p></article> },
            }) }
            <ul class="notes">{ for r.findings.iter().map(|f| html! { <li class="lint lint-warning">{ format!("{}: {} Fix: {}", f.subject, f.why, f.fix) }</li> }) }</ul>
        </div>
    }
}

/// An issued leaf: who, how many files, and the kit's zip.
type IssuedKit = (String, usize, Vec<u8>);

/// The "bring your own" panel.
#[function_component(Tools)]
pub fn tools() -> Html {
    let subject = use_state(Vec::new);
    let password = use_state(String::new);
    let inspected = use_state(|| None::<Result<Inspection, String>>);
    let ca_cert = use_state(Vec::new);
    let ca_key = use_state(Vec::new);
    let ca_pass = use_state(String::new);
    let csr = use_state(Vec::new);
    let role = use_state(|| Role::Client);
    let leaf_name = use_state(|| "carol".to_string());
    let issued = use_state(|| None::<Result<IssuedKit, String>>);

    let run_inspect = {
        let (subject, password, inspected) = (subject.clone(), password.clone(), inspected.clone());
        Callback::from(move |_: MouseEvent| {
            let password = (!password.is_empty()).then(|| (*password).clone());
            let (subject, inspected) = (subject.clone(), inspected.clone());
            // The last answer goes while this one is made: what shows is always this press's.
            inspected.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let result = match crate::engine::call(Job::Inspect { password }, &[&subject]).await
                {
                    Ok((JobOutcome::Inspected(i), _)) => Ok(i),
                    Ok((JobOutcome::Failed(why), _)) | Err(why) => Err(why),
                    Ok(_) => Err(OTHER_ANSWER.to_string()),
                };
                inspected.set(Some(result));
            });
        })
    };
    let run_issue = {
        let (ca_cert, ca_key, ca_pass, csr, role, leaf_name, issued) = (
            ca_cert.clone(),
            ca_key.clone(),
            ca_pass.clone(),
            csr.clone(),
            role.clone(),
            leaf_name.clone(),
            issued.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let job = Job::Issue {
                ca_pass: (*ca_pass).clone(),
                role: *role,
                leaf_name: (*leaf_name).clone(),
            };
            let (ca_cert, ca_key, csr, issued) = (
                (*ca_cert).clone(),
                (*ca_key).clone(),
                (*csr).clone(),
                issued.clone(),
            );
            issued.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let result = match crate::engine::call(job, &[&ca_cert, &ca_key, &csr]).await {
                    Ok((JobOutcome::Issued { who, files }, Some(zip))) => Ok((who, files, zip)),
                    Ok((JobOutcome::Failed(why), _)) | Err(why) => Err(why),
                    Ok(_) => Err(OTHER_ANSWER.to_string()),
                };
                issued.set(Some(result));
            });
        })
    };
    let on_role = {
        let role = role.clone();
        Callback::from(move |e: Event| {
            role.set(
                match e
                    .target_unchecked_into::<HtmlSelectElement>()
                    .value()
                    .as_str()
                {
                    "server" => Role::Server,
                    "device" => Role::Device,
                    _ => Role::Client,
                },
            )
        })
    };
    let text_input = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |e: InputEvent| {
            h.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };

    html! {
        <section class="tools" id="tools">
            <h2>{ "Bring your own" }</h2>
            <details>
                <summary>{ "Inspect a certificate, chain, CSR, key or .p12" }</summary>
                <Source label="Certificate, chain, CSR, key or .p12" name="inspect" value={subject.clone()} />
                <label class="field"><span class="label">{ "Password (.p12 or encrypted key)" }</span>
                    <input type="password" name="inspect-password" oninput={text_input(&password)} /></label>
                <button id="inspect" onclick={run_inspect}>{ "Inspect" }</button>
                { match &*inspected {
                    Some(Ok(r)) => show_inspection(r),
                    Some(Err(e)) => html! { <p class="run-error" role="alert">{ e }</p> },
                    None => html! {},
                } }
            </details>
            <details>
                <summary>{ "Issue more under an existing CA, or sign a CSR" }</summary>
                <Source label="CA certificate (leave empty when the key below is a .p12 holding it)" name="ca-cert" value={ca_cert.clone()} />
                <Source label="CA private key, or the CA's .p12/.pfx (certificate and key)" name="ca-key" value={ca_key.clone()} />
                <label class="field"><span class="label">{ "CA key passphrase, or the .p12 password" }</span>
                    <input type="password" name="ca-key-password" oninput={text_input(&ca_pass)} /></label>
                <Source label="CSR to sign (optional; leave empty to make a new key here)" name="csr" value={csr.clone()} />
                <div class="row">
                    <label class="field"><span class="label">{ "What" }</span>
                        <select name="leaf-role" onchange={on_role}>
                            <option value="client" selected={*role == Role::Client}>{ "Client" }</option>
                            <option value="server" selected={*role == Role::Server}>{ "Server" }</option>
                            <option value="device" selected={*role == Role::Device}>{ "Device" }</option>
                        </select></label>
                    <label class="field"><span class="label">{ "Client / device name, or server names (comma-separated)" }</span>
                        <input name="leaf-name" value={(*leaf_name).clone()} oninput={text_input(&leaf_name)} /></label>
                </div>
                <button id="issue" onclick={run_issue}>{ "Issue" }</button>
                { match &*issued {
                    Some(Ok((who, files, zip))) => {
                        let zip = zip.clone();
                        let save_zip = Callback::from(move |_: MouseEvent| download::save("certlab-issued.zip", &zip, "application/zip"));
                        html! { <div id="issued">
                            <p>{ format!("Issued {who}: {files} files (PKCS#12 password: changeit).") }</p>
                            <button class="primary" id="download-issued" onclick={save_zip}>{ "Download (zip)" }</button>
                        </div> }
                    }
                    Some(Err(e)) => html! { <p class="run-error" id="issue-error" role="alert">{ e }</p> },
                    None => html! {},
                } }
            </details>
        </section>
    }
}
