//! How to import the root and a client identity on each platform — the engine's import
//! guide ([`certlab::guide`], the same steps README.txt and `certlab guide` print) — and ready
//! the engine's snippets for servers and clients ([`certlab::snippets`]), filled in with this
//! kit's file names.

use crate::download;
use crate::generator::KitView;
use certlab::{Platform, Role, Step};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Props of [`Guide`].
#[derive(Properties, PartialEq)]
pub struct GuideProps {
    /// The kit, once made (file names come from it).
    pub kit: Option<Rc<KitView>>,
}

/// A tab: one platform of the engine's guide, or the client snippets.
#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Import(Platform),
    Snippets,
}

fn tabs() -> impl Iterator<Item = (Tab, &'static str)> {
    Platform::ALL
        .into_iter()
        .map(|p| (Tab::Import(p), p.title()))
        .chain([(Tab::Snippets, "curl, Python, Node, nginx, Qt…")])
}

/// The tab an arrow, Home or End key moves to from tab `at` of `len` (the arrows wrap), as
/// the WAI-ARIA tabs pattern has it; `None` for any other key.
fn moved(key: &str, at: usize, len: usize) -> Option<usize> {
    match key {
        _ if len == 0 => None,
        "ArrowRight" | "ArrowDown" => Some((at + 1) % len),
        "ArrowLeft" | "ArrowUp" => Some((at + len - 1) % len),
        "Home" => Some(0),
        "End" => Some(len - 1),
        _ => None,
    }
}

/// Moves the keyboard focus to the element with this id, if it is there.
fn focus(id: &str) {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = el {
        let _ = el.focus();
    }
}

/// The root the iOS profile installs: its DER file and its CN.
struct Names {
    root_der: String,
    root_cn: String,
}

fn names(kit: Option<&Rc<KitView>>) -> Names {
    let m = kit.map(|k| &k.manifest);
    // The root clients trust for the server (the kit's first root when it has no server).
    let root = m.and_then(|m| {
        m.first(Role::Server)
            .map(|s| m.root_of(s))
            .or_else(|| m.first(Role::RootCa))
    });
    Names {
        root_der: root
            .map(|r| r.files.der.clone())
            .unwrap_or_else(|| "ca.der".into()),
        root_cn: root
            .map(|r| r.common_name.clone())
            .unwrap_or_else(|| "certlab Root CA".into()),
    }
}

/// The import guide.
#[function_component(Guide)]
pub fn guide(p: &GuideProps) -> Html {
    let tab = use_state(|| Tab::Import(Platform::Linux));
    let n = names(p.kit.as_ref());
    let guide = match &p.kit {
        Some(k) => certlab::guide(&k.manifest, &certlab::GuideOptions::default()),
        None => certlab::guide_without_kit(),
    };
    let profile = p.kit.clone().map(|k| {
        let (der, cn) = (n.root_der.clone(), n.root_cn.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(d) = k.file(&der) {
                let profile = certlab::mobileconfig(d, &cn);
                download::save(
                    "certlab-root.mobileconfig",
                    profile.as_bytes(),
                    "application/x-apple-aspen-config",
                );
            }
        })
    });
    let all: Rc<Vec<(Tab, &'static str)>> = Rc::new(tabs().collect());
    let current = all.iter().position(|(t, _)| *t == *tab).unwrap_or(0);
    let body = match *tab {
        Tab::Import(platform) => html! { <ol data-platform={platform.id()}>
            { for guide.section(platform).into_iter().flat_map(|s| s.steps.iter()).map(|s| step(s, profile.as_ref())) }
        </ol> },
        Tab::Snippets => snippets(p.kit.as_ref()),
    };
    html! {
        <section class="guide" id="guide">
            <h2>{ "Import it" }</h2>
            // One tab stop: the selected tab; arrows, Home and End choose another.
            <div class="tabs" role="tablist" aria-label="Where to import it">
                { for all.iter().enumerate().map(|(i, &(t, label))| {
                    let s = tab.clone();
                    let onclick = Callback::from(move |_: MouseEvent| s.set(t));
                    let (s, all) = (tab.clone(), all.clone());
                    let onkeydown = Callback::from(move |e: KeyboardEvent| {
                        if let Some(j) = moved(&e.key(), i, all.len()) {
                            e.prevent_default();
                            s.set(all[j].0);
                            focus(&format!("guide-tab-{j}"));
                        }
                    });
                    let selected = *tab == t;
                    html! { <button role="tab" id={format!("guide-tab-{i}")} aria-selected={selected.to_string()} aria-controls="guide-panel"
                        tabindex={if selected { "0" } else { "-1" }} {onclick} {onkeydown}>{ label }</button> }
                }) }
            </div>
            <div class="tab-body" role="tabpanel" id="guide-panel" tabindex="0" aria-labelledby={format!("guide-tab-{current}")}>{ body }</div>
        </section>
    }
}

/// One step of the engine's guide; `profile` downloads the `.mobileconfig` (once a kit exists).
fn step(s: &Step, profile: Option<&Callback<MouseEvent>>) -> Html {
    match s {
        Step::Say(t) => html! { <li>{ t }</li> },
        Step::Warn(t) => html! { <li class="warn">{ format!("Warning: {t}") }</li> },
        Step::Run { say, lines } => html! {
            <li>{ say }<pre class="commands" tabindex="0"><code>{ lines.join("\n") }</code></pre></li>
        },
        Step::File { say, name, content } => html! {
            <li>{ say }<pre class="file" tabindex="0" data-file={name.clone()}><code>{ content }</code></pre></li>
        },
        Step::Profile(t) => html! { <li>{ t }
            if let Some(cb) = profile.cloned() { <p><button class="download" id="mobileconfig" onclick={cb}>{ "Download certlab-root.mobileconfig" }</button></p> }
        </li> },
    }
}

/// The engine's snippets for the kit ([`certlab::snippets`], README.txt's CONNECT IT section),
/// each under its title.
fn snippets(kit: Option<&Rc<KitView>>) -> Html {
    let Some(m) = kit.map(|k| &k.manifest) else {
        return html! { <p>{ "Generate a kit: its snippets name its own files." }</p> };
    };
    let all = certlab::snippets(m, &certlab::Endpoint::of(m));
    if all.is_empty() {
        return html! { <p>{ "This kit has no server: the snippets are servers and their clients." }</p> };
    }
    html! { <div class="snippets">
        { for all.iter().map(|s| html! {
            <section class="snippet" data-snippet={s.id}>
                <h3>{ format!("{} — {}", s.title, s.file) }</h3>
                <pre data-language={s.language} tabindex="0"><code>{ &s.text }</code></pre>
            </section>
        }) }
    </div> }
}

#[cfg(test)]
mod tests {
    use super::moved;

    #[test]
    fn arrows_wrap_home_and_end_jump_other_keys_do_nothing() {
        assert_eq!(moved("ArrowRight", 5, 6), Some(0));
        assert_eq!(moved("ArrowLeft", 0, 6), Some(5));
        assert_eq!(moved("ArrowDown", 2, 6), Some(3));
        assert_eq!(moved("Home", 4, 6), Some(0));
        assert_eq!(moved("End", 1, 6), Some(5));
        assert_eq!(moved("Enter", 1, 6), None);
        assert_eq!(moved("ArrowRight", 0, 0), None);
    }
}
