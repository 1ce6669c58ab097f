//! How the CLI talks to the person at the terminal: `--quiet`, colour and progress.
//!
//! - `--quiet` silences every message that is not an error: progress, notes, lint warnings
//!   and the summary of what was written. What a command was asked to print (`--json`,
//!   `inspect`, `lint`, `guide`, `completions`, `man`) still goes to stdout.
//! - Colour only on a terminal and never when `NO_COLOR` is set (<https://no-color.org>):
//!   certlab's own (the severity of a finding) and clap's (help and usage errors) alike.
//! - Progress bars (indicatif) on stderr, drawn only when stderr is a terminal and not
//!   `--quiet`, and only for work that takes over a second ([`takes_a_while`]).
//!
//! The choices are made once in `main` ([`Ui::install`]) and read anywhere with [`ui`].

use certlab::KeyAlgorithm;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Duration;

/// The output choices of this run.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Ui {
    quiet: bool,
    color: bool,
    stderr_tty: bool,
}

static UI: OnceLock<Ui> = OnceLock::new();

/// The choices `main` installed (quiet off, no colour, no bars before that).
pub(crate) fn ui() -> &'static Ui {
    UI.get_or_init(Ui::default)
}

/// True unless `NO_COLOR` is set to a non-empty value.
pub(crate) fn color_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Clap's colour choice: never with `NO_COLOR`, else clap's own terminal detection.
pub(crate) fn clap_color() -> clap::ColorChoice {
    if color_allowed() {
        clap::ColorChoice::Auto
    } else {
        clap::ColorChoice::Never
    }
}

/// Number of identities from which a kit is a "large batch" worth a bar: 100 P-256 devices
/// with both .p12 flavours took 0.8 s on two busy cores (more with RSA or a key password).
const LARGE_BATCH: usize = 100;

/// True when making `total` identities, one of them with `key`, takes over a second:
/// a large batch, or an RSA key of 3072 bits or more (about 1 s and 2 s natively, more on a
/// busy machine).
pub(crate) fn takes_a_while(total: usize, key: KeyAlgorithm) -> bool {
    total >= LARGE_BATCH || key.rsa_bits().is_some_and(|b| b >= 3072)
}

/// How a finding's severity is shown.
#[derive(Clone, Copy)]
pub(crate) enum Tone {
    /// Red: something a client refuses.
    Error,
    /// Yellow: a warning.
    Warning,
    /// Cyan: for information.
    Note,
}

impl Ui {
    /// Reads the terminal and the environment.
    pub(crate) fn detect(quiet: bool) -> Ui {
        let stderr_tty = std::io::stderr().is_terminal();
        Ui {
            quiet,
            color: stderr_tty && color_allowed(),
            stderr_tty,
        }
    }

    /// Makes these the choices [`ui`] returns (the first call wins).
    pub(crate) fn install(self) {
        let _ = UI.set(self);
    }

    /// `--quiet` was given.
    pub(crate) fn quiet(&self) -> bool {
        self.quiet
    }

    /// Bars are drawn: stderr is a terminal and no `--quiet`.
    pub(crate) fn draws_bars(&self) -> bool {
        self.stderr_tty && !self.quiet
    }

    /// `text` in the tone's colour and bold when stderr takes colour, else as it is.
    pub(crate) fn paint(&self, tone: Tone, text: &str) -> String {
        if !self.color {
            return text.to_string();
        }
        let code = match tone {
            Tone::Error => "1;31",
            Tone::Warning => "1;33",
            Tone::Note => "1;36",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    /// A bar of `len` steps headed by `label`, drawn on stderr when it is a terminal and not
    /// `--quiet` (otherwise hidden: every call on it does nothing).
    pub(crate) fn progress(&self, len: u64, label: &str) -> Progress {
        self.bar(
            len,
            label,
            "{spinner} {prefix} [{bar:30}] {pos}/{len} {wide_msg} ({elapsed})",
        )
    }

    /// A spinner with `label` for one long step, under the same rules as [`Ui::progress`].
    pub(crate) fn spinner(&self, label: &str) -> Progress {
        self.bar(1, label, "{spinner} {prefix}… ({elapsed})")
    }

    fn bar(&self, len: u64, label: &str, template: &str) -> Progress {
        let drawn = self.draws_bars();
        let target = if drawn {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(len), target);
        bar.set_style(
            ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(label.to_string());
        if drawn {
            // Drawn now, then kept moving during one long step (an RSA-4096 key) too.
            bar.tick();
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        Progress { bar }
    }
}

/// A progress bar; cleared from the terminal when dropped.
pub(crate) struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// Moves to step `pos` (0-based: steps done) with `msg` beside the bar.
    pub(crate) fn set(&self, pos: u64, msg: &str) {
        self.bar.set_position(pos);
        self.bar
            .set_message(certlab::escape_control(msg).into_owned());
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// The progress of a kit being made, fed by the engine's per-identity callback: a bar when
/// the work [`takes_a_while`] and stderr is a terminal; else, unless `--quiet`, one line per
/// RSA key (the only step that takes long enough to be worth a line in a log).
#[derive(Default)]
pub(crate) struct KitProgress {
    bar: Option<Progress>,
    last: String,
}

impl KitProgress {
    /// The engine is about to make identity `p.index` of `p.total`.
    pub(crate) fn step(&mut self, p: &certlab::Progress) {
        let ui = ui();
        if self.bar.is_none() && ui.draws_bars() && takes_a_while(p.total, p.key) {
            self.bar = Some(ui.progress(p.total as u64, "making the kit"));
        }
        let msg = format!("{} ({})", p.name, p.key);
        if let Some(bar) = &self.bar {
            bar.set(p.index as u64, &msg);
        } else if p.key.is_rsa() && p.name != self.last && !ui.quiet() {
            eprintln!(
                "  making {} ({}, {}/{})…",
                certlab::escape_control(p.name),
                p.key,
                p.index + 1,
                p.total
            );
        }
        self.last = p.name.to_string();
    }
}
