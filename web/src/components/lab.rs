//! The Lab panel: load a gallery's `gallery.json` (made by `certlab gallery`, served by
//! `certlab-echo gallery`), predict each case, run it from this browser, and compare what
//! happened with what was expected and predicted. The state is `lab_state.rs`.

use super::tools::read_blob;
use crate::lab_state::{Browser, LabAction, LabState, Seen};
use crate::socket;
use certlab::{GalleryCase, Outcome};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// How long a case may take to open or fail. Generous: a busy machine and a slow first TLS
/// handshake must not turn into a wrong "reject".
const RUN_TIMEOUT_MS: i32 = 45_000;

fn this_browser() -> Browser {
    // navigator.userAgent through Reflect: the one use of Navigator in the page.
    let get = |o: &wasm_bindgen::JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).ok();
    web_sys::window()
        .and_then(|w| get(&w.into(), "navigator"))
        .and_then(|n| get(&n, "userAgent"))
        .and_then(|ua| ua.as_string())
        .map(|ua| Browser::from_user_agent(&ua))
        .unwrap_or(Browser::Other)
}

fn word(o: Option<Outcome>) -> &'static str {
    match o {
        Some(Outcome::Accept) => "accept",
        Some(Outcome::Reject) => "reject",
        None => "not run",
    }
}

/// Runs case `i` and reports it to the reducer.
async fn run_one(
    dispatch: UseReducerDispatcher<LabState>,
    attempts: Rc<std::cell::Cell<u32>>,
    i: usize,
    case: GalleryCase,
) {
    let n = attempts.get() + 1;
    attempts.set(n);
    dispatch.dispatch(LabAction::Run(i, n));
    let url = case.url.clone();
    if case.client_auth {
        // Chromium offers a client certificate only to an https:// request, never during a
        // wss:// handshake; the certificate it picks there is then used for the WebSocket
        // (the tester does the same). Firefox offers it either way.
        let https = url.replacen("wss://", "https://", 1);
        let _ = socket::reachable(&https, true).await;
    }
    let (o, detail) = match socket::try_open(&url, RUN_TIMEOUT_MS).await {
        Ok(()) => (
            Outcome::Accept,
            "the TLS handshake succeeded and the WebSocket opened".to_string(),
        ),
        Err(e) => (Outcome::Reject, e),
    };
    dispatch.dispatch(LabAction::Observed(i, n, o, detail));
}

#[derive(Properties, PartialEq)]
struct RowProps {
    index: usize,
    case: GalleryCase,
    row: crate::lab_state::Row,
    browser: Browser,
    on_predict: Callback<(usize, Outcome)>,
    on_run: Callback<usize>,
}

#[function_component(CaseRow)]
fn case_row(p: &RowProps) -> Html {
    let c = &p.case;
    let expected = p.browser.expected(c);
    let predict = |o: Outcome| {
        let (cb, i) = (p.on_predict.clone(), p.index);
        Callback::from(move |_: Event| cb.emit((i, o)))
    };
    let run = {
        let (cb, i) = (p.on_run.clone(), p.index);
        Callback::from(move |_: MouseEvent| cb.emit(i))
    };
    let (observed, detail) = match &p.row.seen {
        Seen::NotRun => (
            html! { <span class="observed">{ "—" }</span> },
            String::new(),
        ),
        Seen::Running => (
            html! { <span class="observed running">{ "running…" }</span> },
            String::new(),
        ),
        Seen::Done(o, d) => (
            html! { <span class={classes!("observed", word(Some(*o)))} data-observed={word(Some(*o))}>{ word(Some(*o)) }</span> },
            d.clone(),
        ),
    };
    let verdict = match (&p.row.seen, expected) {
        (Seen::Done(o, _), Some(e)) if *o == e => {
            html! { <span class="verdict ok">{ "as expected" }</span> }
        }
        (Seen::Done(_, _), Some(_)) => {
            html! { <span class="verdict differs">{ "differs from the gallery's measurement" }</span> }
        }
        _ => html! {},
    };
    let group = format!("predict-{}", c.name);
    let platforms = format!(
        "openssl: {} · Python: {} · Chromium: {} · Firefox: {}",
        word(c.expect.openssl),
        word(c.expect.python),
        word(c.expect.chromium),
        word(c.expect.firefox)
    );
    html! {
        <tr data-case={c.name.clone()}>
            <th scope="row"><span class="case-title">{ &c.title }</span><br /><code>{ &c.url }</code></th>
            <td>
                <fieldset class="predict"><legend class="sr-only">{ format!("Your prediction for {}", c.name) }</legend>
                    <label><input type="radio" name={group.clone()} value="accept" checked={p.row.predicted == Some(Outcome::Accept)} onchange={predict(Outcome::Accept)} />{ " accept" }</label>
                    <label><input type="radio" name={group} value="reject" checked={p.row.predicted == Some(Outcome::Reject)} onchange={predict(Outcome::Reject)} />{ " reject" }</label>
                </fieldset>
            </td>
            <td><button class="lab-run" data-run={c.name.clone()} onclick={run} disabled={p.row.seen == Seen::Running}
                aria-label={format!("Run {}", c.name)}>{ "Run" }</button></td>
            <td aria-live="polite">{ observed }{ " " }{ verdict }</td>
            <td data-expected={word(expected)}>{ word(expected) }</td>
            <td>
                <details>
                    <summary>{ "Why" }</summary>
                    <p class="why">{ &c.why }</p>
                    <p class="lesson">{ &c.lesson }</p>
                    if !c.lint.is_empty() {
                        <p class="lint">{ "certlab lint predicted it: " }{ for c.lint.iter().map(|r| html! { <code>{ r }</code> }) }</p>
                    }
                    <p class="platforms">{ platforms }</p>
                    if !detail.is_empty() { <p class="detail">{ format!("This browser: {detail}") }</p> }
                </details>
            </td>
        </tr>
    }
}

fn loader(dispatch: UseReducerDispatcher<LabState>, pasted: UseStateHandle<String>) -> Html {
    let on_file = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(f) = input.files().and_then(|f| f.get(0)) {
                let dispatch = dispatch.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let text = read_blob(&f)
                        .await
                        .and_then(|b| crate::lab_state::gallery_text(&b));
                    dispatch.dispatch(match text {
                        Ok(t) => LabAction::Load(t),
                        Err(e) => LabAction::Failed(e),
                    });
                });
            }
            input.set_value("");
        })
    };
    let on_input = {
        let pasted = pasted.clone();
        Callback::from(move |e: InputEvent| {
            pasted.set(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        })
    };
    let on_load = {
        let pasted = pasted.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(LabAction::Load((*pasted).clone())))
    };
    html! {
        <div class="lab-load">
            <label class="field"><span class="label">{ "The gallery: its zip (certlab gallery --zip) or its gallery.json" }</span>
                <input type="file" name="lab-file" accept=".zip,.json,application/zip,application/json" onchange={on_file} /></label>
            <label class="field"><span class="label">{ "…or paste its text" }</span>
                <textarea name="lab-json" rows="3" value={(*pasted).clone()} oninput={on_input} /></label>
            <button id="lab-load" onclick={on_load}>{ "Load the pasted gallery" }</button>
        </div>
    }
}

/// The panel.
#[function_component(Lab)]
pub fn lab() -> Html {
    let state = use_reducer(|| LabState::new(this_browser()));
    let counter = use_memo((), |_| Rc::new(std::cell::Cell::new(0u32)));
    let pasted = use_state(String::new);
    let on_predict = {
        let d = state.dispatcher();
        Callback::from(move |(i, o)| d.dispatch(LabAction::Predict(i, o)))
    };
    let on_run = {
        let (d, g, counter) = (
            state.dispatcher(),
            state.gallery.clone(),
            (*counter).clone(),
        );
        Callback::from(move |i: usize| {
            if let Some(c) = g.as_ref().and_then(|g| g.cases.get(i)) {
                wasm_bindgen_futures::spawn_local(run_one(
                    d.clone(),
                    counter.clone(),
                    i,
                    c.clone(),
                ));
            }
        })
    };
    let run_all = {
        let (d, g, counter) = (
            state.dispatcher(),
            state.gallery.clone(),
            (*counter).clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Some(g) = g.clone() else { return };
            let (d, counter) = (d.clone(), counter.clone());
            // One case after another: each connection is alone, as when a student runs it.
            wasm_bindgen_futures::spawn_local(async move {
                for (i, c) in g.cases.iter().enumerate() {
                    run_one(d.clone(), counter.clone(), i, c.clone()).await;
                }
            });
        })
    };
    let (right, made, as_expected, compared) = state.summary();
    let browser = state.browser;
    html! {
        <section class="lab" id="lab" aria-labelledby="lab-title">
            <h2 id="lab-title">{ "Lab: why connections fail" }</h2>
            <p class="help">{ "Make a gallery of broken certificates with " }<code>{ "certlab gallery --out gallery" }</code>
                { ", trust its ca.crt in this browser, serve it with " }<code>{ "certlab-echo gallery gallery" }</code>
                { ", then load its gallery.json here. For each case, predict whether this browser accepts the connection, press Run, and read why." }</p>
            { loader(state.dispatcher(), pasted) }
            if let Some(e) = &state.load_error { <p class="run-error" id="lab-error" role="alert">{ e }</p> }
            if let Some(g) = &state.gallery {
                <p><button id="lab-run-all" class="primary" onclick={run_all}>{ "Run every case" }</button>
                    { format!(" {} cases; this browser: {}.", g.cases.len(), browser.label()) }</p>
                if state.control_failed() {
                    <p class="run-error" id="lab-control" role="alert">{ "The control case (good) was refused: trust the gallery's ca.crt in this browser and check that certlab-echo gallery runs, then run again. Until then the other results mean nothing." }</p>
                }
                <div class="lab-scroll"><table id="lab-cases">
                    <thead><tr><th scope="col">{ "Case" }</th><th scope="col">{ "Your prediction" }</th><th scope="col">{ "Run" }</th>
                        <th scope="col">{ "Observed here" }</th><th scope="col">{ format!("Expected in {}", browser.label()) }</th><th scope="col">{ "Lesson" }</th></tr></thead>
                    <tbody>
                        { for g.cases.iter().zip(&state.rows).enumerate().map(|(i, (c, r))| html! {
                            <CaseRow index={i} case={c.clone()} row={r.clone()} {browser} on_predict={on_predict.clone()} on_run={on_run.clone()} />
                        }) }
                    </tbody>
                </table></div>
                <table id="lab-summary-table" class="lab-summary">
                    <caption>{ "Summary" }</caption>
                    <tbody>
                        <tr><th scope="row">{ "Cases run here" }</th><td>{ format!("{} of {}", state.rows.iter().filter(|r| matches!(r.seen, Seen::Done(..))).count(), g.cases.len()) }</td></tr>
                        <tr><th scope="row">{ "Your predictions right" }</th><td>{ format!("{right} of {made}") }</td></tr>
                        <tr><th scope="row">{ format!("Observed as the gallery expects in {}", browser.label()) }</th><td>{ format!("{as_expected} of {compared}") }</td></tr>
                    </tbody>
                </table>
                <p id="lab-summary" role="status" data-as-expected={as_expected.to_string()} data-compared={compared.to_string()}>
                    { format!("Predictions right: {right} of {made}. Observed as the gallery expects in {}: {as_expected} of {compared}.", browser.label()) }
                </p>
                if !g.not_made.is_empty() {
                    <p class="help">{ for g.not_made.iter().map(|n| html! { <>{ format!("Not in this gallery: {} — {}", n.name, n.why) }<br /></> }) }</p>
                }
            }
        </section>
    }
}
