//! The page's state and its reducer: the spec being edited, the chosen preset, and the run.

use crate::generator::{GenEvent, KitView};
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

/// The page's state.
#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    /// Chosen preset.
    pub preset: PresetChoice,
    /// The spec being edited.
    pub spec: Spec,
    /// The current or last run.
    pub run: Run,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            preset: PresetChoice::Dev,
            spec: PresetChoice::Dev.spec(),
            run: Run::Idle,
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
                    GenEvent::RsaKey { done, total, name } => Run::Running {
                        label: format!(
                            "WebCrypto is making the RSA key of {name} ({} of {total})",
                            done + 1
                        ),
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
