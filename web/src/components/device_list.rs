//! A device batch named by a list (issue 16 §1): paste it, choose a file or drop one on the
//! text area. The engine reads it (one name per line, or CSV with a header) and its problems
//! come back line by line under the field, like every other field's.

use super::fields::{FieldNotes, Problems};
use super::tools::read_blob;
use web_sys::{DragEvent, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Props of [`DeviceList`].
#[derive(Properties, PartialEq)]
pub struct DeviceListProps {
    /// Spec path, `devices[i].list`.
    pub field: AttrValue,
    /// The list's text.
    pub value: AttrValue,
    /// Problems of the spec.
    pub problems: Problems,
    /// New text.
    pub on_change: Callback<String>,
}

/// The list's text area, file picker and drop target.
#[function_component(DeviceList)]
pub fn device_list(p: &DeviceListProps) -> Html {
    let notice = use_state(|| None::<String>);
    let take = {
        let (cb, n, field) = (p.on_change.clone(), notice.clone(), p.field.to_string());
        Callback::from(move |file: web_sys::File| {
            let (cb, n, field) = (cb.clone(), n.clone(), field.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let text = read_blob(&file)
                    .await
                    .and_then(|b| certlab::device_list_text(&b, &field).map_err(|e| e.to_string()));
                match text {
                    Ok(t) => {
                        n.set(None);
                        cb.emit(t);
                    }
                    Err(sentence) => n.set(Some(sentence)),
                }
            });
        })
    };
    let cb = p.on_change.clone();
    let oninput = Callback::from(move |e: InputEvent| {
        cb.emit(e.target_unchecked_into::<HtmlTextAreaElement>().value())
    });
    let t = take.clone();
    let onchange = Callback::from(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        if let Some(f) = input.files().and_then(|f| f.get(0)) {
            t.emit(f);
        }
        input.set_value("");
    });
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = Callback::from(move |e: DragEvent| {
        e.prevent_default();
        if let Some(f) = e
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            take.emit(f);
        }
    });
    let lines = p.value.lines().filter(|l| !l.trim().is_empty()).count();
    html! {
        <div class="field device-list">
            <label>
                <span class="label">{ "Device list" }</span>
                <textarea name={p.field.clone()} rows="6" value={p.value.clone()} {oninput} {ondragover} {ondrop}
                    placeholder={"One name per line (serial number, MAC address, host name)\n— or CSV with a header: name,names,email,o,ou,c,st,l\n— paste, choose a file below, or drop one here"} />
            </label>
            <input type="file" name={format!("{}-file", p.field)} aria-label="Device list: choose a file" accept=".csv,.txt,text/csv,text/plain" {onchange} />
            <small class="help">{ format!("{lines} non-empty lines. Lines starting with # are comments; `;` works as the separator too; a MAC address's `:` becomes `-` in file names.") }</small>
            if let Some(text) = (*notice).clone() {
                <ul class="notes"><li class="field-error" role="alert" data-field={format!("{}-file", p.field)}>{ text }</li></ul>
            }
            <FieldNotes field={p.field.clone()} problems={p.problems.clone()} />
        </div>
    }
}
