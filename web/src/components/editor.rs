//! The spec editor: CAs, servers, clients, device batches and the advanced settings. Every
//! edit produces a new [`Spec`]; validation and lint run on it live.

use super::device_list::DeviceList;
use super::fields::{
    CheckField, FieldNotes, KeySelect, ListField, NumberField, Problems, TextField,
};
use certlab::Spec;
use certlab::{
    CaSpec, ClientSpec, DeviceBatch, NameConstraints, P12Flavours, ServerSpec, SubjectFields,
};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Props of [`Editor`].
#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// The spec.
    pub spec: Spec,
    /// Its problems.
    pub problems: Problems,
    /// A new spec.
    pub on_change: Callback<Spec>,
    /// The item at an index of a spec list (`servers`, `clients`, `devices`) is about to be
    /// removed (sent before the spec without it).
    pub on_remove: Callback<(&'static str, usize)>,
}

/// Builds a callback that applies `f` to a copy of the spec and emits it.
fn edit<T: 'static>(p: &EditorProps, f: impl Fn(&mut Spec, T) + 'static) -> Callback<T> {
    let spec = p.spec.clone();
    let out = p.on_change.clone();
    Callback::from(move |v: T| {
        let mut s = spec.clone();
        f(&mut s, v);
        out.emit(s);
    })
}

/// A Remove button's callback: says which item of `list` goes (its fields' input errors go
/// with it, and those of the items after it move up), then emits the spec without it.
fn remove(
    p: &EditorProps,
    list: &'static str,
    i: usize,
    f: impl Fn(&mut Spec) + 'static,
) -> Callback<MouseEvent> {
    let removed = p.on_remove.clone();
    let apply = edit(p, move |s, _: MouseEvent| f(s));
    Callback::from(move |e: MouseEvent| {
        removed.emit((list, i));
        apply.emit(e);
    })
}

fn ca_fields(
    p: &EditorProps,
    field: &'static str,
    ca: &CaSpec,
    get: fn(&mut Spec) -> Option<&mut CaSpec>,
) -> Html {
    html! {
        <div class="row">
            <TextField label="Common name" field={format!("{field}.common_name")} value={ca.common_name.clone()} problems={p.problems.clone()}
                on_change={edit(p, move |s, v: String| if let Some(c) = get(s) { c.common_name = v })} />
            <KeySelect field={format!("{field}.key")} value={ca.key} problems={p.problems.clone()}
                on_change={edit(p, move |s, v| if let Some(c) = get(s) { c.key = v })} />
            <NumberField label="Valid for (days)" field={format!("{field}.days")} value={ca.days} problems={p.problems.clone()}
                on_change={edit(p, move |s, v| if let Some(c) = get(s) { c.days = v })} />
        </div>
    }
}

/// The whole editor.
#[function_component(Editor)]
pub fn editor(p: &EditorProps) -> Html {
    html! {
        <div class="editor">
            { cas(p) }
            { servers(p) }
            { clients(p) }
            { devices(p) }
            { advanced(p) }
        </div>
    }
}

/// The editor's CA section: the root, and the optional intermediate and client CA.
fn cas(p: &EditorProps) -> Html {
    let s = &p.spec;
    html! {
    <section>
        <h3>{ "Root CA" }</h3>
        { ca_fields(p, "root", &s.root, |s| Some(&mut s.root)) }
        <CheckField label="Add an intermediate CA (signs the leaves; pathLen 0)" field="intermediate" value={s.intermediate.is_some()}
            on_change={edit(p, |s, on: bool| s.intermediate = on.then(|| CaSpec::intermediate(s.root.key)))} />
        if let Some(ca) = &s.intermediate {
            <h4>{ "Intermediate CA" }</h4>
            { ca_fields(p, "intermediate", ca, |s| s.intermediate.as_mut()) }
        }
        <CheckField label="Sign clients with a separate client CA" field="client_ca" value={s.client_ca.is_some()}
            on_change={edit(p, |s, on: bool| s.client_ca = on.then(|| CaSpec::client_ca(s.root.key)))} />
        if let Some(ca) = &s.client_ca {
            <h4>{ "Client CA" }</h4>
            { ca_fields(p, "client_ca", ca, |s| s.client_ca.as_mut()) }
        }
    </section>
    }
}

/// The editor's servers section.
fn servers(p: &EditorProps) -> Html {
    let s = &p.spec;
    let pr = p.problems.clone();
    html! {
    <section>
        <h3>{ "Servers" }</h3>
        // Its own element around the keyed items: among the section's other children yew
        // re-created every item when one was added or removed (and a field's bad text with it).
        <div class="items">
            { for s.servers.iter().enumerate().map(|(i, srv)| html! {
                <div class="item" key={format!("server-{i}")}>
                    <div class="row">
                        <TextField label="File name" field={format!("servers[{i}].name")} value={srv.name.clone()} problems={pr.clone()}
                            on_change={edit(p, move |s, v: String| if let Some(x) = s.servers.get_mut(i) { x.name = v })} />
                        <ListField label="Names (DNS, *.wildcard, IPv4, IPv6)" field={format!("servers[{i}].names")} value={srv.names.clone()} problems={pr.clone()}
                            on_change={edit(p, move |s, v: Vec<String>| if let Some(x) = s.servers.get_mut(i) { x.names = v })}
                            help="Comma-separated. A name DNS does not know needs a hosts-file line (see the guide)." />
                    </div>
                    <div class="row">
                        <KeySelect field={format!("servers[{i}].key")} value={srv.key} problems={pr.clone()}
                            on_change={edit(p, move |s, v| if let Some(x) = s.servers.get_mut(i) { x.key = v })} />
                        <NumberField label="Valid for (days)" field={format!("servers[{i}].days")} value={srv.days} problems={pr.clone()}
                            on_change={edit(p, move |s, v| if let Some(x) = s.servers.get_mut(i) { x.days = v })} />
                        <button class="remove" onclick={remove(p, "servers", i, move |s| { if i < s.servers.len() { s.servers.remove(i); } })}>{ "Remove server" }</button>
                    </div>
                    <CheckField label="Also a TLS client — for reverse connections, where this server dials out and proves itself with this certificate (ParaQ, certlab-echo dial)" field={format!("servers[{i}].client_auth")} value={srv.client_auth}
                        on_change={edit(p, move |s, v| if let Some(x) = s.servers.get_mut(i) { x.client_auth = v })} />
                    { own_subject(p, format!("servers[{i}].subject"), &srv.subject, |s, i| s.servers.get_mut(i).map(|x| &mut x.subject), i) }
                    <FieldNotes field={format!("servers[{i}]")} problems={pr.clone()} exact=true />
                </div>
            }) }
        </div>
        <button class="add" onclick={edit(p, |s, _: MouseEvent| {
            let n = s.servers.len() + 1;
            s.servers.push(ServerSpec { name: format!("server{n}"), key: s.root.key, ..ServerSpec::default() });
        })}>{ "Add server" }</button>
    </section>
    }
}

/// The editor's mutual-TLS clients section.
fn clients(p: &EditorProps) -> Html {
    let s = &p.spec;
    let pr = p.problems.clone();
    html! {
    <section>
        <h3>{ "Clients (mutual TLS)" }</h3>
        // Its own element around the keyed items: among the section's other children yew
        // re-created every item when one was added or removed (and a field's bad text with it).
        <div class="items">
            { for s.clients.iter().enumerate().map(|(i, c)| html! {
                <div class="item" key={format!("client-{i}")}>
                    <div class="row">
                        <TextField label="User name (CN)" field={format!("clients[{i}].common_name")} value={c.common_name.clone()} problems={pr.clone()}
                            on_change={edit(p, move |s, v: String| if let Some(x) = s.clients.get_mut(i) { x.name = v.clone(); x.common_name = v })} />
                        <TextField label="E-mail (optional)" field={format!("clients[{i}].email")} value={c.email.clone().unwrap_or_default()} problems={pr.clone()}
                            on_change={edit(p, move |s, v: String| if let Some(x) = s.clients.get_mut(i) { x.email = (!v.trim().is_empty()).then_some(v) })} />
                    </div>
                    <div class="row">
                        <KeySelect field={format!("clients[{i}].key")} value={c.key} problems={pr.clone()}
                            on_change={edit(p, move |s, v| if let Some(x) = s.clients.get_mut(i) { x.key = v })} />
                        <NumberField label="Valid for (days)" field={format!("clients[{i}].days")} value={c.days} problems={pr.clone()}
                            on_change={edit(p, move |s, v| if let Some(x) = s.clients.get_mut(i) { x.days = v })} />
                        <button class="remove" onclick={remove(p, "clients", i, move |s| { if i < s.clients.len() { s.clients.remove(i); } })}>{ "Remove client" }</button>
                    </div>
                    <CheckField label="Also a TLS server — for reverse connections, where this client listens with its own identity and the server dials it (ParaQ, probe --listen)" field={format!("clients[{i}].server_auth")} value={c.server_auth}
                        on_change={edit(p, move |s, v: bool| if let Some(x) = s.clients.get_mut(i) {
                            x.server_auth = v;
                            if v && x.names.is_empty() { x.names = vec!["localhost".into(), "127.0.0.1".into()]; }
                            if !v { x.names.clear(); }
                        })} />
                    if c.server_auth {
                        <ListField label="Names it is reached at (DNS, IPv4, IPv6)" field={format!("clients[{i}].names")} value={c.names.clone()} problems={pr.clone()}
                            on_change={edit(p, move |s, v: Vec<String>| if let Some(x) = s.clients.get_mut(i) { x.names = v })}
                            help="Comma-separated; the server checks the one it dials." />
                    }
                    { own_subject(p, format!("clients[{i}].subject"), &c.subject, |s, i| s.clients.get_mut(i).map(|x| &mut x.subject), i) }
                    <FieldNotes field={format!("clients[{i}].name")} problems={pr.clone()} />
                </div>
            }) }
        </div>
        <button class="add" onclick={edit(p, |s, _: MouseEvent| {
            let n = s.clients.len() + 1;
            s.clients.push(ClientSpec { name: format!("user{n}"), common_name: format!("user{n}"), key: s.root.key, ..ClientSpec::default() });
        })}>{ "Add client" }</button>
    </section>
    }
}

/// The editor's device batches section.
fn devices(p: &EditorProps) -> Html {
    let s = &p.spec;
    let pr = p.problems.clone();
    html! {
    <section>
        <h3>{ "Devices (IoT)" }</h3>
        // Its own element around the keyed items: among the section's other children yew
        // re-created every item when one was added or removed (and a field's bad text with it).
        <div class="items">
            { for s.devices.iter().enumerate().map(|(i, d)| html! {
                <div class="item" key={format!("devices-{i}")}>
                    { device_names(p, i, d) }
                    <div class="row">
                        <KeySelect field={format!("devices[{i}].key")} value={d.key} problems={pr.clone()}
                            on_change={edit(p, move |s, v| if let Some(x) = s.devices.get_mut(i) { x.key = v })} />
                        <NumberField label="Valid for (days)" field={format!("devices[{i}].days")} value={d.days} problems={pr.clone()}
                            on_change={edit(p, move |s, v| if let Some(x) = s.devices.get_mut(i) { x.days = v })} />
                        <CheckField label="Devices also act as TLS servers" field={format!("devices[{i}].server_auth")} value={d.server_auth}
                            on_change={edit(p, move |s, v| if let Some(x) = s.devices.get_mut(i) { x.server_auth = v })} />
                        <button class="remove" onclick={remove(p, "devices", i, move |s| { if i < s.devices.len() { s.devices.remove(i); } })}>{ "Remove batch" }</button>
                    </div>
                    { own_subject(p, format!("devices[{i}].subject"), &d.subject, |s, i| s.devices.get_mut(i).map(|x| &mut x.subject), i) }
                </div>
            }) }
        </div>
        <button class="add" onclick={edit(p, |s, _: MouseEvent| s.devices.push(DeviceBatch { key: s.root.key, ..DeviceBatch::default() }))}>{ "Add device batch" }</button>
    </section>
    }
}

/// How a batch's devices are named: a pattern × a count, or a list.
fn device_names(p: &EditorProps, i: usize, d: &DeviceBatch) -> Html {
    let pr = p.problems.clone();
    let by_list = d.list.is_some();
    let choose = edit(p, move |s, e: Event| {
        let list = e.target_unchecked_into::<HtmlSelectElement>().value() == "list";
        if let Some(x) = s.devices.get_mut(i) {
            x.list = list.then(String::new);
        }
    });
    html! { <>
        <div class="row">
            <label class="field"><span class="label">{ "Devices named by" }</span>
                <select name={format!("devices[{i}].named-by")} onchange={choose}>
                    <option value="pattern" selected={!by_list}>{ "a pattern and a count" }</option>
                    <option value="list" selected={by_list}>{ "a list (names or CSV)" }</option>
                </select>
            </label>
        </div>
        if let Some(list) = &d.list {
            <DeviceList field={format!("devices[{i}].list")} value={list.clone()} problems={pr.clone()}
                on_change={edit(p, move |s, v: String| if let Some(x) = s.devices.get_mut(i) { x.list = Some(v) })} />
        } else {
            <div class="row">
                <TextField label="Name pattern" field={format!("devices[{i}].pattern")} value={d.pattern.clone()} problems={pr.clone()}
                    on_change={edit(p, move |s, v: String| if let Some(x) = s.devices.get_mut(i) { x.pattern = v })}
                    help="{n} is the device number, {n:04} pads it to 4 digits." />
                <NumberField label="How many" field={format!("devices[{i}].count")} value={d.count} problems={pr.clone()}
                    on_change={edit(p, move |s, v| if let Some(x) = s.devices.get_mut(i) { x.count = v })} />
                <NumberField label="First number" field={format!("devices[{i}].start")} value={d.start} problems={pr}
                    on_change={edit(p, move |s, v| if let Some(x) = s.devices.get_mut(i) { x.start = v })} />
            </div>
        }
    </> }
}

/// The editor's advanced settings section.
fn advanced(p: &EditorProps) -> Html {
    let s = &p.spec;
    let pr = p.problems.clone();
    html! {
    <section>
        <h3>{ "Advanced" }</h3>
        <div class="row">
            <TextField label="PKCS#12 password" field="p12_password" value={s.p12_password.clone()} problems={pr.clone()}
                on_change={edit(p, |s, v: String| s.p12_password = v)}
                help="Asked for when a .p12 is imported. iOS and macOS refuse an empty one." />
            <TextField label="Key passphrase (optional)" field="key_password" kind="password" value={s.key_password.clone().unwrap_or_default()} problems={pr.clone()}
                on_change={edit(p, |s, v: String| s.key_password = (!v.is_empty()).then_some(v))}
                help="Encrypts every .key file (PBES2, AES-256). Leave empty for plain keys." />
        </div>
        if !s.devices.is_empty() {
            <CheckField label="Each device gets its own random .p12 password (and key passphrase), listed in devices.csv — a secret file to keep with the keys" field="per_device_secrets" value={s.per_device_secrets}
                on_change={edit(p, |s, v| s.per_device_secrets = v)} />
        }
        { p12_flavours(p) }
        { constraints(p) }
        { subject_fields(p) }
    </section>
    }
}

/// Where a set of subject fields lives in the spec: the kit's, or identity `i`'s.
type SubjectAt = fn(&mut Spec, usize) -> Option<&mut SubjectFields>;

/// Subject fields (C, ST, L, O, OU) at `prefix` (`subject`, `servers[0].subject`, …).
fn subject_rows(p: &EditorProps, prefix: &str, s: &SubjectFields, at: SubjectAt, i: usize) -> Html {
    let field = |label: &'static str,
                 name: &'static str,
                 value: &Option<String>,
                 set: fn(&mut SubjectFields, Option<String>)| {
        html! {
            <TextField label={label} field={format!("{prefix}.{name}")} value={value.clone().unwrap_or_default()} problems={p.problems.clone()}
                on_change={edit(p, move |spec, v: String| if let Some(f) = at(spec, i) { set(f, (!v.trim().is_empty()).then_some(v)) })} />
        }
    };
    html! {
        <>
            <div class="row">
                { field("Country (C, two letters)", "country", &s.country, |f, v| f.country = v) }
                { field("State (ST)", "state", &s.state, |f, v| f.state = v) }
                { field("Locality (L)", "locality", &s.locality, |f, v| f.locality = v) }
            </div>
            <div class="row">
                { field("Organisation (O)", "organization", &s.organization, |f, v| f.organization = v) }
                { field("Unit (OU)", "organizational_unit", &s.organizational_unit, |f, v| f.organizational_unit = v) }
            </div>
        </>
    }
}

/// One identity's own subject fields, folded away: empty ones take the kit's.
fn own_subject(
    p: &EditorProps,
    prefix: String,
    s: &SubjectFields,
    at: SubjectAt,
    i: usize,
) -> Html {
    html! {
        <details class="subject">
            <summary>{ "Subject fields of this one (else the kit's, under Advanced)" }</summary>
            { subject_rows(p, &prefix, s, at, i) }
        </details>
    }
}

/// The kit-wide subject fields (every identity that sets none of its own).
fn subject_fields(p: &EditorProps) -> Html {
    html! {
        <div class="field">
            <span class="label">{ "Subject fields on every certificate (optional)" }</span>
            { subject_rows(p, "subject", &p.spec.subject, |s, _| Some(&mut s.subject), 0) }
            <small class="help">{ "As lab guides put them on every certificate; each server, client and device batch can set its own. The CAs keep a random OU of their own, so each kit's root is told apart." }</small>
        </div>
    }
}

fn p12_flavours(p: &EditorProps) -> Html {
    let current = p.spec.p12_flavours;
    let onchange = edit(p, |s, e: Event| {
        s.p12_flavours = match e
            .target_unchecked_into::<HtmlSelectElement>()
            .value()
            .as_str()
        {
            "compatible" => P12Flavours::Compatible,
            "modern" => P12Flavours::Modern,
            _ => P12Flavours::Both,
        }
    });
    html! {
        <div class="field">
            <label>
                <span class="label">{ "PKCS#12 flavour" }</span>
                <select name="p12_flavours" {onchange}>
                    <option value="both" selected={current == P12Flavours::Both}>{ "Both: NAME.p12 and NAME.modern.p12 (recommended)" }</option>
                    <option value="compatible" selected={current == P12Flavours::Compatible}>{ "Compatible only (NAME.p12: 3DES, SHA-1 MAC)" }</option>
                    <option value="modern" selected={current == P12Flavours::Modern}>{ "Modern only (NAME.modern.p12: AES-256, SHA-256 MAC)" }</option>
                </select>
            </label>
            // The AES/SHA-256 PKCS#12 is refused by macOS 12–13's Keychain, iOS 17 and Android
            // 12–13, and by Windows before 10 1709; 3DES/SHA-1 imports everywhere (platform-rules.md).
            <small class="help">{ "Compatible imports everywhere. Modern uses current ciphers, but macOS 12–13, iOS 17, Android 12–13 and Windows before 10 1709 refuse it." }</small>
            <FieldNotes field="p12_flavours" problems={p.problems.clone()} />
        </div>
    }
}

fn constraints(p: &EditorProps) -> Html {
    let mode = match &p.spec.name_constraints {
        NameConstraints::Auto => "auto",
        NameConstraints::None => "none",
        NameConstraints::Permitted(_) => "list",
    };
    let onchange = edit(p, |s, e: Event| {
        s.name_constraints = match e
            .target_unchecked_into::<HtmlSelectElement>()
            .value()
            .as_str()
        {
            "none" => NameConstraints::None,
            "list" => NameConstraints::Permitted(vec![
                "lab".into(),
                "localhost".into(),
                "127.0.0.0/8".into(),
            ]),
            _ => NameConstraints::Auto,
        }
    });
    html! {
        <div class="field">
            <label>
                <span class="label">{ "Name constraints on the CAs" }</span>
                <select name="name_constraints" {onchange}>
                    <option value="auto" selected={mode == "auto"}>{ "Automatic: exactly this kit's names (recommended)" }</option>
                    <option value="list" selected={mode == "list"}>{ "Only these names and ranges" }</option>
                    <option value="none" selected={mode == "none"}>{ "None (the CA can sign any name)" }</option>
                </select>
            </label>
            <small class="help">{ "A constrained CA cannot be abused to impersonate real websites if its key leaks. Chrome enforces this on local roots since version 112." }</small>
            if let NameConstraints::Permitted(list) = &p.spec.name_constraints {
                <ListField label="Permitted DNS names and IP ranges" field="name_constraints.permitted" value={list.clone()} problems={p.problems.clone()}
                    on_change={edit(p, |s, v: Vec<String>| s.name_constraints = NameConstraints::Permitted(v))} />
            }
            <FieldNotes field="name_constraints" problems={p.problems.clone()} />
        </div>
    }
}
