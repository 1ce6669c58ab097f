//! The page's state and its reducer: the spec being edited, the chosen preset, and the run.

use crate::generator::{GenEvent, KitView};
use crate::protocol::KeySource;
use certlab::{FieldError, KeyAlgorithm, Preset, Spec};
use std::rc::Rc;
use yew::Reducible;

/// The preset a user started from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresetChoice {
    /// Root + server for localhost.
    Dev,
    /// + clients.
    Mtls,
    /// Root + intermediate + broker + devices.
    Iot,
    /// Free editing.
    Custom,
}

impl PresetChoice {
    /// Every preset, in menu order.
    pub const ALL: [PresetChoice; 4] = [
        PresetChoice::Dev,
        PresetChoice::Mtls,
        PresetChoice::Iot,
        PresetChoice::Custom,
    ];

    /// Its label in the page.
    pub fn label(self) -> &'static str {
        match self {
            PresetChoice::Dev => "Local HTTPS / WSS",
            PresetChoice::Mtls => "Mutual TLS lab",
            PresetChoice::Iot => "IoT devices",
            PresetChoice::Custom => "Custom",
        }
    }

    /// The spec it starts from.
    pub fn spec(self) -> Spec {
        match self {
            PresetChoice::Dev | PresetChoice::Custom => Preset::Dev.spec(KeyAlgorithm::EcdsaP256),
            PresetChoice::Mtls => Preset::Mtls.spec(KeyAlgorithm::EcdsaP256),
            PresetChoice::Iot => Preset::Iot.spec(KeyAlgorithm::EcdsaP256),
        }
    }
}

/// Where generation stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Run {
    /// Nothing under way.
    Idle,
    /// Under way: what is being made, and how far (0–1).
    Running {
        /// e.g. "making sensor-0042 (12 of 25)".
        label: String,
        /// 0.0–1.0.
        fraction: f64,
    },
    /// Finished.
    Done(Rc<KitView>),
    /// Refused or failed.
    Failed {
        /// Field errors.
        errors: Vec<FieldError>,
        /// Whole message.
        message: String,
    },
    /// Stopped by the user.
    Cancelled,
}

/// The progress line while RSA key `done + 1` of `total` is made.
pub fn rsa_label(name: &str, bits: u32, source: KeySource, done: usize, total: usize) -> String {
    let n = done + 1;
    match source {
        KeySource::WebCrypto => {
            format!("WebCrypto is making the RSA-{bits} key of {name} (RSA key {n} of {total})")
        }
        KeySource::Worker => format!(
            "certlab is making the RSA-{bits} key of {name} in the worker (RSA key {n} of {total}; {} each here, Cancel stops it)",
            crate::rsa_notice::estimate(bits)
        ),
    }
}

/// What the status region says when a kit is made (screen readers announce it).
pub fn ready_text(identities: usize, files: usize) -> String {
    format!("Kit ready: {identities} identities, {files} files. Download them below.")
}

/// The page's state.
#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    /// Chosen preset.
    pub preset: PresetChoice,
    /// The spec being edited.
    pub spec: Spec,
    /// The current or last run.
    pub run: Run,
    /// Text in a field that is no value at all (see `fields::InputErrors`), by field.
    pub input_errors: Rc<std::collections::BTreeMap<String, (String, certlab::FieldError)>>,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            preset: PresetChoice::Dev,
            spec: PresetChoice::Dev.spec(),
            run: Run::Idle,
            input_errors: Default::default(),
        }
    }
}

/// What can happen to the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Start over from a preset.
    Preset(PresetChoice),
    /// The user edited the spec.
    SetSpec(Box<Spec>),
    /// Generation was started.
    Started,
    /// An event from the generator.
    Gen(GenEvent),
    /// The user cancelled.
    Cancelled,
    /// A field's text is no value (`Some`), or is one again (`None`).
    InputError(String, Option<(String, certlab::FieldError)>),
    /// The item at an index of a spec list (`servers`, `clients`, `devices`) is about to be
    /// removed: its fields' input errors go, and those of the items after it move up one place
    /// with them (the page keys each item by its index, so the field that showed item 2's text
    /// now edits item 1).
    ItemRemoved(&'static str, usize),
}

/// `list[N]…` → `(N, "…")` for a field path in `list`.
fn item_path<'a>(path: &'a str, list: &str) -> Option<(usize, &'a str)> {
    let (n, rest) = path
        .strip_prefix(list)?
        .strip_prefix('[')?
        .split_once(']')?;
    Some((n.parse().ok()?, rest))
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Preset(p) => {
                s.preset = p;
                s.spec = p.spec();
                s.run = Run::Idle;
                s.input_errors = Rc::default();
            }
            Action::InputError(field, Some(e)) => {
                Rc::make_mut(&mut s.input_errors).insert(field, e);
            }
            Action::ItemRemoved(list, index) => {
                let moved = s.input_errors.iter().filter_map(|(path, (text, e))| {
                    match item_path(path, list) {
                        Some((n, _)) if n == index => None,
                        Some((n, rest)) if n > index => {
                            let path = format!("{list}[{}]{rest}", n - 1);
                            let mut e = e.clone();
                            e.field = path.clone();
                            Some((path, (text.clone(), e)))
                        }
                        _ => Some((path.clone(), (text.clone(), e.clone()))),
                    }
                });
                s.input_errors = Rc::new(moved.collect());
            }
            Action::InputError(field, None) => {
                if !s.input_errors.contains_key(&field) {
                    return self; // nothing changes: no re-render
                }
                Rc::make_mut(&mut s.input_errors).remove(&field);
            }
            Action::SetSpec(spec) => {
                s.spec = *spec;
                if s.preset != PresetChoice::Custom && s.spec != s.preset.spec() {
                    s.preset = PresetChoice::Custom;
                }
            }
            Action::Started => {
                s.run = Run::Running {
                    label: "starting…".into(),
                    fraction: 0.0,
                }
            }
            Action::Cancelled => s.run = Run::Cancelled,
            Action::Gen(ev) => {
                if !matches!(s.run, Run::Running { .. }) {
                    return self; // a late message from a cancelled run
                }
                s.run = match ev {
                    GenEvent::RsaKey {
                        done,
                        total,
                        name,
                        bits,
                        source,
                    } => Run::Running {
                        label: rsa_label(&name, bits, source, done, total),
                        fraction: 0.5 * done as f64 / total.max(1) as f64,
                    },
                    GenEvent::Progress { index, total, name } => Run::Running {
                        label: format!("making {name} ({} of {total})", index + 1),
                        fraction: 0.5 + 0.5 * index as f64 / total.max(1) as f64,
                    },
                    GenEvent::Done(kit) => Run::Done(kit),
                    GenEvent::Failed(errors, message) => Run::Failed { errors, message },
                };
            }
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running() -> Rc<AppState> {
        Rc::new(AppState::default()).reduce(Action::Started)
    }

    #[test]
    fn rsa_progress_names_the_source_size_and_identity() {
        let s = running().reduce(Action::Gen(GenEvent::RsaKey {
            done: 1,
            total: 3,
            name: "server".into(),
            bits: 3072,
            source: KeySource::Worker,
        }));
        let Run::Running { label, fraction } = &s.run else {
            panic!("not running: {:?}", s.run)
        };
        assert!(
            label.starts_with(
                "certlab is making the RSA-3072 key of server in the worker (RSA key 2 of 3;"
            ),
            "{label}"
        );
        assert!(label.contains("Cancel"), "{label}");
        assert!((fraction - 1.0 / 6.0).abs() < 1e-9);
        let s = running().reduce(Action::Gen(GenEvent::RsaKey {
            done: 0,
            total: 1,
            name: "root".into(),
            bits: 2048,
            source: KeySource::WebCrypto,
        }));
        assert!(
            matches!(&s.run, Run::Running { label, .. } if label == "WebCrypto is making the RSA-2048 key of root (RSA key 1 of 1)")
        );
    }

    #[test]
    fn the_finished_kit_is_announced_with_its_size() {
        assert_eq!(
            ready_text(4, 31),
            "Kit ready: 4 identities, 31 files. Download them below."
        );
    }

    #[test]
    fn a_late_rsa_event_after_cancel_is_ignored() {
        let s = running().reduce(Action::Cancelled);
        let s = s.reduce(Action::Gen(GenEvent::RsaKey {
            done: 0,
            total: 1,
            name: "root".into(),
            bits: 4096,
            source: KeySource::Worker,
        }));
        assert_eq!(s.run, Run::Cancelled);
    }

    /// A field's text that is no number is kept until it is one again or a preset starts over.
    #[test]
    fn input_errors_are_kept_until_fixed_or_a_preset() {
        let e = certlab::FieldError::new(
            "devices[0].start",
            certlab::ErrorKind::Inconsistent,
            "p",
            "f",
        );
        let bad = || Action::InputError("devices[0].start".into(), Some(("-1".into(), e.clone())));
        let s = Rc::new(AppState::default()).reduce(bad());
        assert_eq!(s.input_errors.len(), 1);
        let fixed = s
            .clone()
            .reduce(Action::InputError("devices[0].start".into(), None));
        assert!(fixed.input_errors.is_empty());
        let unchanged = fixed.clone().reduce(Action::InputError("x".into(), None));
        assert!(
            Rc::ptr_eq(&fixed, &unchanged),
            "clearing a field with no error changes nothing"
        );
        let s = s.reduce(Action::Preset(PresetChoice::Iot));
        assert!(s.input_errors.is_empty());
    }
    /// Removing an item drops its fields' bad text and moves the later items' up with them;
    /// other lists and paths that only look alike are left alone.
    #[test]
    fn removing_an_item_moves_the_input_errors_after_it() {
        let bad = |path: &str, text: &str| {
            let e = certlab::FieldError::new(path, certlab::ErrorKind::Inconsistent, "p", "f");
            Action::InputError(path.into(), Some((text.into(), e)))
        };
        let s = Rc::new(AppState::default())
            .reduce(bad("devices[0].start", "-1"))
            .reduce(bad("devices[2].days", "1e3"))
            .reduce(bad("devices[12].count", "x"))
            .reduce(bad("servers[2].days", "-5"))
            .reduce(bad("devicesx[2].days", "y"))
            .reduce(Action::ItemRemoved("devices", 0));
        let got: Vec<(&str, &str, &str)> = s
            .input_errors
            .iter()
            .map(|(k, (t, e))| (k.as_str(), t.as_str(), e.field.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("devices[11].count", "x", "devices[11].count"),
                ("devices[1].days", "1e3", "devices[1].days"),
                ("devicesx[2].days", "y", "devicesx[2].days"),
                ("servers[2].days", "-5", "servers[2].days"),
            ]
        );
    }
}
