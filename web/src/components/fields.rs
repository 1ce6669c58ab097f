//! Form fields that show, right beside themselves, the errors and lint findings of the spec
//! field they edit.

use certlab::{FieldError, KeyAlgorithm};
use certlab::{Finding, Severity};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Errors and findings of the current spec, shared by every field.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Problems {
    /// Validation errors.
    pub errors: Rc<Vec<FieldError>>,
    /// Lint findings.
    pub findings: Rc<Vec<Finding>>,
}

fn concerns(path: &str, field: &str) -> bool {
    path == field
        || path.starts_with(&format!("{field}["))
        || path.starts_with(&format!("{field}."))
        || path.starts_with(&format!("{field}:"))
}

/// The messages for `field`, as list items.
#[function_component(FieldNotes)]
pub fn field_notes(p: &NotesProps) -> Html {
    let matches = |path: &str| {
        if p.exact {
            path == p.field.as_str()
        } else {
            concerns(path, &p.field)
        }
    };
    let errors: Vec<&FieldError> = p
        .problems
        .errors
        .iter()
        .filter(|e| matches(&e.field))
        .collect();
    // A lint finding that repeats a field error (a bad wildcard is both) is shown once.
    let findings = p
        .problems
        .findings
        .iter()
        .filter(|f| matches(&f.subject) && !errors.iter().any(|e| e.problem == f.why))
        .collect::<Vec<&Finding>>();
    html! {
        <ul class="notes">
            { for errors.iter().map(|e| html! {
                <li class="field-error" data-field={e.field.clone()}>
                    <strong>{ &e.problem }</strong>{ " — " }{ &e.fix }
                </li>
            }) }
            { for findings.iter().map(|f| {
                let class = match f.severity { Severity::Error => "lint lint-error", Severity::Warning => "lint lint-warning", Severity::Info => "lint lint-info" };
                html! {
                    <li class={class} data-rule={format!("{:?}", f.rule)}>
                        { &f.why }
                        if !f.breaks.is_empty() { <span class="breaks">{ format!(" Breaks: {}.", f.breaks.join(", ")) }</span> }
                        { " Fix: " }{ &f.fix }
                    </li>
                }
            }) }
        </ul>
    }
}

/// Props of [`FieldNotes`].
#[derive(Properties, PartialEq)]
pub struct NotesProps {
    /// Spec path.
    pub field: AttrValue,
    /// Problems.
    pub problems: Problems,
    /// Only messages for exactly this path (not its sub-fields).
    #[prop_or(false)]
    pub exact: bool,
}

/// Props of [`TextField`].
#[derive(Properties, PartialEq)]
pub struct TextProps {
    /// Label.
    pub label: AttrValue,
    /// Spec path, also the input's `name` (tests find fields by it).
    pub field: AttrValue,
    /// Current value.
    pub value: AttrValue,
    /// Problems.
    pub problems: Problems,
    /// New value.
    pub on_change: Callback<String>,
    /// Input type.
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
    /// Help text.
    #[prop_or_default]
    pub help: Option<AttrValue>,
}

/// A labelled text input.
#[function_component(TextField)]
pub fn text_field(p: &TextProps) -> Html {
    let cb = p.on_change.clone();
    let oninput = Callback::from(move |e: InputEvent| {
        cb.emit(e.target_unchecked_into::<HtmlInputElement>().value())
    });
    let invalid = p
        .problems
        .errors
        .iter()
        .any(|e| concerns(&e.field, &p.field));
    html! {
        <div class="field">
            <label>
                <span class="label">{ &p.label }</span>
                <input type={p.kind.clone()} name={p.field.clone()} value={p.value.clone()} {oninput} aria-invalid={invalid.to_string()} />
            </label>
            if let Some(h) = &p.help { <small class="help">{ h }</small> }
            <FieldNotes field={p.field.clone()} problems={p.problems.clone()} />
        </div>
    }
}

/// Text typed in a field that is no value at all (`-1` or `1e3` in a number field): the text
/// and its error, by field. The page keeps them (so a preset clears them) and counts them with
/// the spec's errors, so Generate waits until they are fixed; fields read and report them
/// through this context, provided around the editor.
#[derive(Clone, PartialEq, Default)]
pub struct InputErrors {
    /// What each field holds that is no value.
    pub errors: Rc<std::collections::BTreeMap<String, (String, FieldError)>>,
    /// A field's text is no value (`Some`), or is one again (`None`).
    pub report: Callback<(String, Option<(String, FieldError)>)>,
}

/// Props of [`NumberField`].
#[derive(Properties, PartialEq)]
pub struct NumberProps {
    /// Label.
    pub label: AttrValue,
    /// Spec path.
    pub field: AttrValue,
    /// Current value.
    pub value: u32,
    /// Problems.
    pub problems: Problems,
    /// New value, when the text is a whole number.
    pub on_change: Callback<u32>,
}

/// A whole number as typed in `field`: digits only, at most 4294967295.
pub fn parse_whole(field: &str, text: &str) -> Result<u32, FieldError> {
    let t = text.trim();
    if !t.is_empty()
        && t.bytes().all(|b| b.is_ascii_digit())
        && let Ok(v) = t.parse::<u32>()
    {
        return Ok(v);
    }
    Err(FieldError::new(
        field,
        certlab::ErrorKind::Inconsistent,
        format!("`{t}` is not a whole number from 0 to 4294967295"),
        "type digits only",
    ))
}

/// A labelled whole-number input. Text that is not a whole number stays in the box with its
/// error beside it; the spec keeps its last number, and Generate waits ([`InputErrors`]).
#[function_component(NumberField)]
pub fn number_field(p: &NumberProps) -> Html {
    let ctx = use_context::<InputErrors>().unwrap_or_default();
    {
        // A field that goes away (its batch removed, a device list chosen instead) or now
        // edits another path takes its report with it: Generate never waits on a field that
        // is not on screen.
        let (report, field) = (ctx.report.clone(), p.field.to_string());
        use_effect_with(p.field.clone(), move |_| move || report.emit((field, None)));
    }
    let on_change = {
        let (cb, field, report) = (p.on_change.clone(), p.field.to_string(), ctx.report.clone());
        Callback::from(move |s: String| match parse_whole(&field, &s) {
            Ok(v) => {
                report.emit((field.clone(), None));
                cb.emit(v);
            }
            Err(e) => report.emit((field.clone(), Some((s, e)))),
        })
    };
    let (value, problems) = match ctx.errors.get(p.field.as_str()) {
        Some((text, e)) => {
            let mut errors = (*p.problems.errors).clone();
            errors.push(e.clone());
            let problems = Problems {
                errors: Rc::new(errors),
                findings: p.problems.findings.clone(),
            };
            (AttrValue::from(text.clone()), problems)
        }
        None => (AttrValue::from(p.value.to_string()), p.problems.clone()),
    };
    html! { <TextField label={p.label.clone()} field={p.field.clone()} {value} {problems} {on_change} kind="number" /> }
}

/// Props of [`KeySelect`].
#[derive(Properties, PartialEq)]
pub struct KeyProps {
    /// Spec path.
    pub field: AttrValue,
    /// Current algorithm.
    pub value: KeyAlgorithm,
    /// Problems.
    pub problems: Problems,
    /// New algorithm.
    pub on_change: Callback<KeyAlgorithm>,
}

/// The key-type menu.
#[function_component(KeySelect)]
pub fn key_select(p: &KeyProps) -> Html {
    let cb = p.on_change.clone();
    let onchange = Callback::from(move |e: Event| {
        let v = e.target_unchecked_into::<HtmlSelectElement>().value();
        if let Some(a) = KeyAlgorithm::from_id(&v) {
            cb.emit(a);
        }
    });
    let label = |a: KeyAlgorithm| match a {
        KeyAlgorithm::EcdsaP256 => "ECDSA P-256 (recommended)",
        KeyAlgorithm::EcdsaP384 => "ECDSA P-384",
        KeyAlgorithm::Ed25519 => "Ed25519 (not for browsers)",
        KeyAlgorithm::Rsa2048 => "RSA 2048",
        KeyAlgorithm::Rsa3072 => "RSA 3072",
        KeyAlgorithm::Rsa4096 => "RSA 4096",
    };
    html! {
        <div class="field">
            <label>
                <span class="label">{ "Key type" }</span>
                <select name={p.field.clone()} {onchange}>
                    { for KeyAlgorithm::ALL.iter().map(|a| html! { <option value={a.id()} selected={*a == p.value}>{ label(*a) }</option> }) }
                </select>
            </label>
            <FieldNotes field={p.field.clone()} problems={p.problems.clone()} />
        </div>
    }
}

/// Props of [`CheckField`].
#[derive(Properties, PartialEq)]
pub struct CheckProps {
    /// Label.
    pub label: AttrValue,
    /// Input name.
    pub field: AttrValue,
    /// Checked.
    pub value: bool,
    /// New state.
    pub on_change: Callback<bool>,
}

/// A labelled checkbox.
#[function_component(CheckField)]
pub fn check_field(p: &CheckProps) -> Html {
    let cb = p.on_change.clone();
    let onchange = Callback::from(move |e: Event| {
        cb.emit(e.target_unchecked_into::<HtmlInputElement>().checked())
    });
    html! {
        <label class="check"><input type="checkbox" name={p.field.clone()} checked={p.value} {onchange} />{ " " }{ &p.label }</label>
    }
}

/// Props of [`ListField`].
#[derive(Properties, PartialEq)]
pub struct ListProps {
    /// Label.
    pub label: AttrValue,
    /// Spec path.
    pub field: AttrValue,
    /// Current entries.
    pub value: Vec<String>,
    /// Problems.
    pub problems: Problems,
    /// New entries.
    pub on_change: Callback<Vec<String>>,
    /// Help text.
    #[prop_or_default]
    pub help: Option<AttrValue>,
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

/// A comma-separated list. Keeps the raw text while typing (a trailing comma stays) and
/// emits the parsed entries.
#[function_component(ListField)]
pub fn list_field(p: &ListProps) -> Html {
    let text = use_state(|| p.value.join(", "));
    // Follow outside changes (a preset, an added row) without fighting the user's typing.
    if split_list(&text) != p.value {
        text.set(p.value.join(", "));
    }
    let cb = p.on_change.clone();
    let t = text.clone();
    let on_change = Callback::from(move |s: String| {
        t.set(s.clone());
        cb.emit(split_list(&s));
    });
    html! { <TextField label={p.label.clone()} field={p.field.clone()} value={(*text).clone()} problems={p.problems.clone()} {on_change} help={p.help.clone()} /> }
}

#[cfg(test)]
mod tests {
    use super::parse_whole;

    #[test]
    fn whole_numbers_only() {
        assert_eq!(parse_whole("f", " 397 ").unwrap(), 397);
        assert_eq!(parse_whole("f", "0").unwrap(), 0);
        for bad in ["-1", "1e3", "1.5", "", "5000000000", "+3"] {
            let e = parse_whole("devices[0].start", bad).unwrap_err();
            assert_eq!(e.field, "devices[0].start");
            assert!(e.problem.contains(bad.trim()), "{bad}: {}", e.problem);
        }
    }
}
