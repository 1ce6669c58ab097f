//! The finished kit: the chain picture, a card per identity (decoded fields, fingerprint,
//! lint), download buttons for every file and the zip, and the openssl equivalents.

use super::chain::ChainPicture;
use super::revoke::{self, Crls};
use crate::download;
use crate::generator::KitView;
use crate::protocol::MAX_CARDS;
use certlab::{ManifestIdentity, Severity};
use std::rc::Rc;
use yew::prelude::*;

/// Props of [`Results`].
#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    /// The kit.
    pub kit: Rc<KitView>,
}

fn save_button(kit: &Rc<KitView>, path: &str, label: &str) -> Html {
    let (k, p) = (kit.clone(), path.to_string());
    let onclick = Callback::from(move |_: MouseEvent| {
        if let Some(b) = k.file(&p) {
            download::save(&p, b, download::mime(&p));
        }
    });
    html! { <button class="download" data-path={path.to_string()} {onclick}>{ label }</button> }
}

/// The download of a CA's CRL: the newest one signed in this page, else the kit's.
fn crl_button(kit: &Rc<KitView>, crls: &UseStateHandle<Crls>, path: &str) -> Html {
    let (k, c, p) = (kit.clone(), crls.clone(), path.to_string());
    let onclick = Callback::from(move |_: MouseEvent| {
        if let Some(b) = c.bytes(&k, &p) {
            download::save(&p, b, download::mime(&p));
        }
    });
    html! { <button class="download" data-path={path.to_string()} {onclick}>{ ".crl (revocation list)" }</button> }
}

/// The Revoke button of a leaf whose CA is in the kit, and what the last press said.
fn revoke_part(kit: &Rc<KitView>, crls: &UseStateHandle<Crls>, i: &ManifestIdentity) -> Html {
    let Some(ca) = revoke::revocable(kit, i) else {
        return html! {};
    };
    let (k, c, id) = (kit.clone(), crls.clone(), i.clone());
    let onclick = Callback::from(move |_: MouseEvent| {
        if c.busy {
            return;
        }
        let mut base = (*c).clone();
        // What the last press said goes while this one is made.
        base.said.remove(&id.name);
        c.set(Crls {
            busy: true,
            ..base.clone()
        });
        let (k, c, id) = (k.clone(), c.clone(), id.clone());
        // An answer that comes after a new kit was made is dropped: this component is only on
        // screen while a kit is (app.rs: `Run::Done`), so Generate unmounts it and `c` then
        // sets a state nothing shows; the new kit's cards start from their own CRLs
        // (tests/web/revoke.test.mjs holds a Revoke until the next kit is on screen).
        wasm_bindgen_futures::spawn_local(async move {
            match revoke::revoke(&k, &base, &id).await {
                Ok(next) => c.set(next),
                Err(why) => {
                    let mut next = base;
                    next.said
                        .insert(id.name.clone(), format!("Not revoked: {why}"));
                    c.set(next);
                }
            }
        });
    });
    let crl = ca.files.crl.clone().unwrap_or_default();
    html! {
        <div class="revoke">
            <button class="revoke" data-revoke={i.name.clone()} disabled={crls.busy} title={format!("{} signs a new {crl} listing this certificate", ca.name)} {onclick}>{ "Revoke" }</button>
            if let Some(said) = crls.said.get(&i.name) {
                <p class="revoked" data-revoked={i.name.clone()}>{ said }</p>
                { crl_button(kit, crls, &crl) }
            }
        </div>
    }
}

fn card(kit: &Rc<KitView>, crls: &UseStateHandle<Crls>, i: &ManifestIdentity) -> Html {
    let info = kit.card(&i.name);
    let findings = info.map(|c| c.findings.as_slice()).unwrap_or_default();
    let f = &i.files;

    html! {
        <article class="card" data-identity={i.name.clone()}>
            <h3>{ &i.name }<span class="role">{ i.role.id() }</span></h3>
            <dl>
                <dt>{ "Subject CN" }</dt><dd>{ &i.common_name }</dd>
                if !i.sans.is_empty() { <dt title="Subject Alternative Names: the only names clients accept it for">{ "Names (SAN)" }</dt><dd>{ i.sans.join(", ") }</dd> }
                <dt>{ "Issuer" }</dt><dd>{ if i.issuer == i.name { "self-signed (a root)".to_string() } else { i.issuer.clone() } }</dd>
                <dt>{ "Key" }</dt><dd>{ &i.key_algorithm }</dd>
                if let Some(s) = kit.key_sources.get(&i.name) {
                    <dt>{ "Key made by" }</dt><dd class="key-source" data-key-source={s.id()}>{ s.label() }</dd>
                }
                <dt>{ "Valid" }</dt><dd>{ format!("{} → {}", i.not_before, i.not_after) }</dd>
                if let Some(c) = info {
                    if !c.usage.is_empty() { <dt title="Extended key usage: what the certificate may be used for">{ "Usage" }</dt><dd>{ c.usage.join(", ") }</dd> }
                    if !c.constraints.is_empty() { <dt>{ "Name constraints" }</dt><dd>{ c.constraints.join(", ") }</dd> }
                }
                <dt>{ "Serial" }</dt><dd class="mono">{ &i.serial }</dd>
                <dt>{ "SHA-256" }</dt><dd class="mono fingerprint">{ &i.sha256 }</dd>
            </dl>
            if !findings.is_empty() {
                <ul class="notes">
                    { for findings.iter().map(|x| html! {
                        <li class={if x.severity == Severity::Error { "lint lint-error" } else { "lint lint-warning" }}>{ &x.why }{ " Fix: " }{ &x.fix }</li>
                    }) }
                </ul>
            }
            <div class="downloads">
                { save_button(kit, &f.cert, ".crt") }
                { save_button(kit, &f.der, ".der") }
                if let Some(k) = &f.key { { save_button(kit, k, ".key") } }
                if let Some(c) = &f.chain { { save_button(kit, c, "chain") } }
                if let Some(c) = &f.fullchain { { save_button(kit, c, "fullchain") } }
                if let Some(c) = &f.p12_compat { { save_button(kit, c, ".p12 (compatible)") } }
                if let Some(c) = &f.p12_modern { { save_button(kit, c, ".p12 (modern)") } }
                if let Some(c) = &f.crl { { crl_button(kit, crls, c) } }
            </div>
            { revoke_part(kit, crls, i) }
            <details class="learn">
                <summary>{ "The same with openssl" }</summary>
                <pre tabindex="0">{ format!("openssl x509 -in {} -noout -text", f.cert) }
                if let Some(cmd) = kit.manifest.verify_command(i) { { format!("\n{cmd}") } }
                if let Some(p12) = f.p12() { { format!("\nopenssl pkcs12 -in {p12} -info -noout") } }
                </pre>
            </details>
        </article>
    }
}

/// The results panel.
#[function_component(Results)]
pub fn results(p: &ResultsProps) -> Html {
    let kit = &p.kit;
    let ids = &kit.manifest.identities;
    let zip = {
        let z = kit.zip.clone();
        Callback::from(move |_: MouseEvent| download::save_blob("certlab-kit.zip", &z))
    };
    let hidden = ids.len().saturating_sub(MAX_CARDS);
    let crls = use_state(Crls::default);
    {
        // A new kit (its own root) starts from its own CRLs.
        let crls = crls.clone();
        let root = ids.first().map(|i| i.sha256.clone());
        use_effect_with(root, move |_| crls.set(Crls::default()));
    }
    html! {
        <section class="results" id="results">
            <h2>{ "Your kit" }</h2>
            <p class="summary" data-worker-wasm-bytes={kit.wasm_bytes.to_string()}>{ format!("{} identities, {} files, made in {:.0} ms on this machine. The keys never left this page.", ids.len(), kit.files.len(), kit.millis) }</p>
            if let Some(note) = &kit.key_note { <p class="notice" id="key-note">{ note }</p> }
            <button class="primary" id="download-zip" onclick={zip}>{ "Download the whole kit (zip)" }</button>
            { save_button(kit, "README.txt", "README.txt") }
            { save_button(kit, "manifest.json", "manifest.json") }
            <ChainPicture identities={ids.clone()} />
            <div class="cards">
                { for ids.iter().take(MAX_CARDS).map(|i| card(kit, &crls, i)) }
            </div>
            if hidden > 0 { <p>{ format!("…and {hidden} more identities: they are all in the zip.") }</p> }
        </section>
    }
}
