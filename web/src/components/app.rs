//! The page: presets, the editor with live validation and lint, Generate (in a worker, with
//! progress and cancel), the results and the import guide.

use super::editor::Editor;
use super::fields::{InputErrors, Problems};
use super::guide::Guide;
use super::lab::Lab;
use super::results::Results;
use super::tester::Tester;
use super::tools::Tools;
use crate::generator::{self, Running};
use crate::state::{Action, AppState, PresetChoice, Run, ready_text};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The spare generation worker, loaded in advance: generating then makes no request at all.
type Spare = Rc<RefCell<Option<generator::WorkerHandle>>>;

/// How many times in a row a spare worker that failed while it waited is replaced (a worker
/// whose script itself cannot load would otherwise be replaced forever).
const SPARE_RETRIES: u32 = 2;

/// Starts a spare worker unless there is one.
fn fill_spare(spare: Spare, retries: u32) {
    if spare.borrow().is_some() {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(h) = generator::spawn(replace_failed(spare.clone(), retries)).await {
            spare.borrow_mut().get_or_insert(h);
        }
    });
}

/// What a worker does when it fails while no run is attached (its engine did not load): if it
/// is the spare, the page drops it and starts another (which gets the engine fetched again),
/// so the page still gets ready without waiting for Generate.
fn replace_failed(spare: Spare, retries: u32) -> Callback<()> {
    Callback::from(move |()| {
        // Called from the failed worker's own error handler, which its handle owns: drop the
        // handle after that handler has returned, not while it runs.
        let spare = spare.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let failed = spare.borrow().as_ref().is_some_and(|h| h.failed());
            if failed {
                spare.borrow_mut().take();
                if retries > 0 {
                    fill_spare(spare, retries - 1);
                }
            }
        });
    })
}

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    let running = use_mut_ref(|| Option::<Running>::None);
    // A worker loaded in advance: generating then makes no request at all.
    let spare = use_mut_ref(|| Option::<generator::WorkerHandle>::None);
    {
        let (spare, running) = (spare.clone(), running.clone());
        let idle = !matches!(state.run, Run::Running { .. });
        use_effect_with(idle, move |idle| {
            if *idle {
                // A finished run hands its loaded worker back; a cancelled one was terminated,
                // and a failed one is not handed back.
                if let Some(h) = running.borrow_mut().take().and_then(Running::finish) {
                    *spare.borrow_mut() = Some(h);
                }
                fill_spare(spare, SPARE_RETRIES);
            }
        });
    }

    let problems = {
        let spec = state.spec.clone();
        use_memo(spec, |spec| Problems {
            errors: Rc::new(
                certlab::plan(spec)
                    .err()
                    .map(|e| e.field_errors().to_vec())
                    .unwrap_or_default(),
            ),
            findings: Rc::new(certlab::lint_spec(spec)),
        })
    };

    let on_change = {
        let state = state.clone();
        Callback::from(move |spec| state.dispatch(Action::SetSpec(Box::new(spec))))
    };
    let generate = {
        let (state, running, spare) = (state.clone(), running.clone(), spare.clone());
        Callback::from(move |_: MouseEvent| {
            let spare = spare.clone();
            let dispatcher = state.dispatcher();
            let events = Callback::from(move |ev| dispatcher.dispatch(Action::Gen(ev)));
            // A spare worker that failed while it waited (its engine did not load) is
            // replaced by a new one here.
            let handle = spare.borrow_mut().take().filter(|h| !h.failed());
            let (spec, running) = (state.spec.clone(), running.clone());
            state.dispatch(Action::Started);
            wasm_bindgen_futures::spawn_local(async move {
                let handle = match handle {
                    Some(h) => Ok(h),
                    None => generator::spawn(replace_failed(spare, SPARE_RETRIES)).await,
                };
                match handle {
                    Ok(h) => *running.borrow_mut() = generator::start(spec, events, h).ok(),
                    Err(e) => events.emit(generator::GenEvent::Failed(Vec::new(), e)),
                }
            });
        })
    };
    let cancel = {
        let (state, running) = (state.clone(), running.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(r) = running.borrow_mut().take() {
                r.cancel();
            }
            state.dispatch(Action::Cancelled);
        })
    };
    // Asked of the browser once; the notice itself is pure text from the spec.
    let context = use_memo((), |_| {
        (
            crate::webcrypto::available(),
            crate::webcrypto::secure_context(),
        )
    });
    let rsa_notice = {
        let (webcrypto, secure) = *context;
        use_memo((state.spec.clone(), webcrypto, secure), |(spec, w, s)| {
            crate::rsa_notice::notice(spec, *w, *s)
        })
    };
    let busy = matches!(state.run, Run::Running { .. });
    let blocking = problems.errors.len() + state.input_errors.len();
    let input_errors = {
        let state = state.clone();
        InputErrors {
            errors: state.input_errors.clone(),
            report: Callback::from(move |(field, e)| state.dispatch(Action::InputError(field, e))),
        }
    };
    let on_remove = {
        let state = state.clone();
        Callback::from(move |(list, i)| state.dispatch(Action::ItemRemoved(list, i)))
    };
    let kit = match &state.run {
        Run::Done(k) => Some(k.clone()),
        _ => None,
    };

    html! {
        <>
        <header>
            <h1>{ "certlab" }</h1>
            <p class="tagline">{ "A private certificate authority that runs entirely in this page. Keys are made on your machine and never leave it; this page makes no network request (except the connection test, when you press Connect)." }</p>
        </header>
        <main>
            <h2 id="make-title">{ "Make a kit" }</h2>
            <nav class="presets" aria-label="presets">
                { for PresetChoice::ALL.iter().map(|p| {
                    let (s, p) = (state.clone(), *p);
                    html! { <button class={classes!("preset", (state.preset == p).then_some("active"))} data-preset={format!("{p:?}").to_ascii_lowercase()}
                        aria-pressed={(state.preset == p).to_string()} onclick={Callback::from(move |_: MouseEvent| s.dispatch(Action::Preset(p)))}>{ p.label() }</button> }
                }) }
            </nav>
            <ContextProvider<InputErrors> context={input_errors}>
                <Editor spec={state.spec.clone()} problems={(*problems).clone()} {on_change} {on_remove} />
            </ContextProvider<InputErrors>>
            if let Some(text) = (*rsa_notice).clone() { <p class="notice" id="rsa-notice" role="note">{ text }</p> }
            <div class="generate-bar">
                <button class="primary" id="generate" onclick={generate} disabled={busy || blocking > 0}>{ "Generate" }</button>
                if busy { <button id="cancel" onclick={cancel}>{ "Cancel" }</button> }
                if blocking > 0 { <span class="blocked" id="blocked">{ format!("{blocking} problem{} to fix first (shown beside the fields)", if blocking == 1 { "" } else { "s" }) }</span> }
                { run_status(&state.run) }
            </div>
            if let Some(k) = kit.clone() { <Results kit={k} /> }
            <Guide kit={kit.clone()} />
            <Tester {kit} />
            <Lab />
            <Tools />
        </main>
        <footer><p>{ "certlab — the engine is the same Rust code as the certlab command line, compiled to WebAssembly." }</p></footer>
        </>
    }
}

/// The run's state in a live region that is there before the run starts, so screen readers
/// announce its progress, the finished kit, a cancel or a failure.
fn run_status(run: &Run) -> Html {
    html! {
        <div class="run-status" id="run-status" role="status" aria-live="polite">
        { match run {
            Run::Running { label, fraction } => html! { <span class="progress" id="progress"><progress max="1" value={fraction.to_string()} aria-label="Generating" />{ " " }{ label }</span> },
            Run::Failed { message, .. } => html! { <p class="run-error" id="run-error" role="alert">{ message }</p> },
            Run::Cancelled => html! { <span id="cancelled">{ "Cancelled: nothing was kept." }</span> },
            Run::Done(k) => html! { <span id="ready">{ ready_text(k.manifest.identities.len(), k.files.len()) }</span> },
            Run::Idle => html! {},
        } }
        </div>
    }
}
