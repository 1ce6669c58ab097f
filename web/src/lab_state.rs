//! The Lab panel's state and reducer: the gallery loaded from its `gallery.json`, the
//! student's prediction for each case, what this browser did when the case was run, and the
//! summary. Browser calls stay in the component (`components/lab.rs`); this is tested natively.

use certlab::{GalleryCase, GalleryIndex, Outcome};
use std::rc::Rc;
use yew::Reducible;

/// Which browser runs the page: picks the expectation the observation is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    /// Chromium, Chrome, Edge and other Blink browsers.
    Chromium,
    /// Firefox (NSS).
    Firefox,
    /// Another browser (Safari): no measured expectation.
    Other,
}

impl Browser {
    /// From `navigator.userAgent`.
    pub fn from_user_agent(ua: &str) -> Browser {
        if ua.contains("Firefox/") {
            Browser::Firefox
        } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
            Browser::Chromium
        } else {
            Browser::Other
        }
    }

    /// Its name in the table.
    pub fn label(self) -> &'static str {
        match self {
            Browser::Chromium => "Chromium",
            Browser::Firefox => "Firefox",
            Browser::Other => "this browser",
        }
    }

    /// What the gallery says this browser does with `case`.
    pub fn expected(self, case: &GalleryCase) -> Option<Outcome> {
        match self {
            Browser::Chromium => case.expect.chromium,
            Browser::Firefox => case.expect.firefox,
            Browser::Other => None,
        }
    }
}

/// What happened when a case was run from this page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// Not run yet.
    NotRun,
    /// The WebSocket is opening.
    Running,
    /// The outcome, with what the browser let the page see.
    Done(Outcome, String),
}

/// One case's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The student's prediction.
    pub predicted: Option<Outcome>,
    /// What this browser did.
    pub seen: Seen,
    /// Numbers the runs, so a late event of an earlier run is ignored.
    pub attempt: u32,
}

/// The panel.
#[derive(Debug, Clone, PartialEq)]
pub struct LabState {
    /// The browser running the page.
    pub browser: Browser,
    /// The loaded gallery.
    pub gallery: Option<Rc<GalleryIndex>>,
    /// Why the last load failed.
    pub load_error: Option<String>,
    /// One row per case, in the gallery's order.
    pub rows: Vec<Row>,
}

impl LabState {
    /// An empty panel for `browser`.
    pub fn new(browser: Browser) -> Self {
        LabState {
            browser,
            gallery: None,
            load_error: None,
            rows: Vec::new(),
        }
    }

    /// (predictions right, predictions made, observations equal to the expectation, cases
    /// observed with an expectation).
    pub fn summary(&self) -> (usize, usize, usize, usize) {
        let Some(g) = &self.gallery else {
            return (0, 0, 0, 0);
        };
        let (mut right, mut made, mut as_expected, mut compared) = (0, 0, 0, 0);
        for (case, row) in g.cases.iter().zip(&self.rows) {
            let Seen::Done(o, _) = &row.seen else {
                continue;
            };
            if let Some(p) = row.predicted {
                made += 1;
                right += usize::from(p == *o);
            }
            if let Some(e) = self.browser.expected(case) {
                compared += 1;
                as_expected += usize::from(e == *o);
            }
        }
        (right, made, as_expected, compared)
    }

    /// Whether the control case ran and failed: the root is not trusted or the server is
    /// not running, and every other observation means nothing.
    pub fn control_failed(&self) -> bool {
        let Some(g) = &self.gallery else {
            return false;
        };
        g.cases
            .iter()
            .zip(&self.rows)
            .any(|(c, r)| c.name == "good" && matches!(r.seen, Seen::Done(Outcome::Reject, _)))
    }
}

/// Reads `gallery.json` text. The message names the file and the fix, never the parser's words.
pub fn parse_gallery(text: &str) -> Result<GalleryIndex, String> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err("gallery.json is empty: choose the gallery.json that `certlab gallery --out DIR` wrote in DIR, or paste its text".into());
    }
    match serde_json::from_str::<GalleryIndex>(text) {
        Ok(g) if g.cases.is_empty() => Err(
            "gallery.json lists no cases: make a new gallery with `certlab gallery --out DIR`"
                .into(),
        ),
        Ok(g) => Ok(g),
        Err(e) => Err(match e.classify() {
            serde_json::error::Category::Data => format!(
                "this JSON is not a gallery index (line {}: a field is missing or of the wrong kind): choose the gallery.json that `certlab gallery` wrote, not a kit's manifest.json",
                e.line()
            ),
            serde_json::error::Category::Eof => {
                "gallery.json ends too early (is it cut off?): copy the whole file".into()
            }
            _ => format!(
                "gallery.json is not JSON (line {}, column {}): choose the gallery.json that `certlab gallery` wrote",
                e.line(),
                e.column()
            ),
        }),
    }
}

/// The text of `gallery.json` from a chosen file: the file itself, or the entry of that name
/// in a gallery zip (`certlab gallery --zip`).
pub fn gallery_text(bytes: &[u8]) -> Result<String, String> {
    let json =
        if certlab::is_zip(bytes) {
            certlab::zip_entry(bytes, "gallery.json").map_err(|e| {
            format!(
                "the zip: {} — choose the zip `certlab gallery --zip` wrote, or its gallery.json",
                e.field_errors().first().map_or_else(|| e.to_string(), |f| f.problem.clone())
            )
        })?
        } else {
            bytes.to_vec()
        };
    String::from_utf8(json).map_err(|_| {
        "this file is not gallery.json (it is not text): choose the gallery.json or the zip that `certlab gallery` wrote".into()
    })
}

/// What can happen to the panel.
#[derive(Debug, Clone, PartialEq)]
pub enum LabAction {
    /// Text of a gallery.json, from a file or pasted.
    Load(String),
    /// A chosen file could not be read as a gallery (the sentence says why).
    Failed(String),
    /// The student predicts a case's outcome.
    Predict(usize, Outcome),
    /// A case's run starts (attempt number).
    Run(usize, u32),
    /// A case's run ended.
    Observed(usize, u32, Outcome, String),
}

impl Reducible for LabState {
    type Action = LabAction;

    fn reduce(self: Rc<Self>, action: LabAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            LabAction::Load(text) => match parse_gallery(&text) {
                Ok(g) => {
                    s.rows = vec![
                        Row {
                            predicted: None,
                            seen: Seen::NotRun,
                            attempt: 0,
                        };
                        g.cases.len()
                    ];
                    s.gallery = Some(Rc::new(g));
                    s.load_error = None;
                }
                Err(e) => s.load_error = Some(e),
            },
            LabAction::Failed(e) => s.load_error = Some(e),
            LabAction::Predict(i, o) => {
                if let Some(r) = s.rows.get_mut(i) {
                    r.predicted = Some(o);
                }
            }
            LabAction::Run(i, attempt) => {
                if let Some(r) = s.rows.get_mut(i) {
                    r.seen = Seen::Running;
                    r.attempt = attempt;
                }
            }
            LabAction::Observed(i, attempt, o, detail) => match s.rows.get_mut(i) {
                Some(r) if r.attempt == attempt && r.seen == Seen::Running => {
                    r.seen = Seen::Done(o, detail)
                }
                _ => return self,
            },
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_gallery() -> String {
        let g = certlab::gallery(&certlab::GalleryOptions::default()).expect("gallery");
        serde_json::to_string(&g.index).expect("json")
    }

    #[test]
    fn loads_predicts_runs_and_sums_up() {
        let s = Rc::new(LabState::new(Browser::Chromium));
        let s = s.reduce(LabAction::Load(sample_gallery()));
        let g = s.gallery.clone().expect("loaded");
        let good = g.cases.iter().position(|c| c.name == "good").unwrap();
        let expired = g.cases.iter().position(|c| c.name == "expired").unwrap();
        let s = s.reduce(LabAction::Predict(good, Outcome::Accept));
        let s = s.reduce(LabAction::Predict(expired, Outcome::Accept));
        let s = s.reduce(LabAction::Run(good, 1));
        let s = s.reduce(LabAction::Run(expired, 2));
        assert_eq!(s.rows[good].seen, Seen::Running);
        let s = s.reduce(LabAction::Observed(good, 1, Outcome::Accept, "open".into()));
        // A late event of an older attempt changes nothing.
        let s = s.reduce(LabAction::Observed(
            expired,
            1,
            Outcome::Accept,
            "late".into(),
        ));
        assert_eq!(s.rows[expired].seen, Seen::Running);
        let s = s.reduce(LabAction::Observed(
            expired,
            2,
            Outcome::Reject,
            "refused".into(),
        ));
        assert_eq!(s.summary(), (1, 2, 2, 2));
        assert!(!s.control_failed());
        let s = s.reduce(LabAction::Run(good, 3));
        let s = s.reduce(LabAction::Observed(
            good,
            3,
            Outcome::Reject,
            "refused".into(),
        ));
        assert!(s.control_failed());
    }

    #[test]
    fn bad_files_are_named_with_the_fix_and_keep_what_was_loaded() {
        let s = Rc::new(LabState::new(Browser::Firefox)).reduce(LabAction::Load(sample_gallery()));
        for (text, says) in [
            ("", "empty"),
            ("{\"ca\": \"ca.crt\"", "ends too early"),
            ("not json", "not JSON"),
            ("{\"identities\": []}", "not a gallery index"),
        ] {
            let t = s.clone().reduce(LabAction::Load(text.into()));
            let e = t.load_error.clone().expect("an error");
            assert!(e.contains(says), "{text:?}: {e}");
            assert!(e.contains("gallery"), "{e}");
            assert!(t.gallery.is_some(), "the loaded gallery is kept");
        }
    }

    #[test]
    fn a_gallery_zip_opens_and_other_files_are_named() {
        let g = certlab::gallery(&certlab::GalleryOptions::default()).expect("gallery");
        let text = gallery_text(&g.zip().expect("zip")).expect("gallery.json from the zip");
        assert_eq!(parse_gallery(&text).expect("parses"), g.index);
        let e = gallery_text(&[0x50, 0x4b, 3, 4, 0, 0]).unwrap_err();
        assert!(
            e.starts_with("the zip: ") && e.contains("certlab gallery --zip"),
            "{e}"
        );
        let e = gallery_text(&[0xff, 0xfe, 0x00]).unwrap_err();
        assert!(e.contains("not text"), "{e}");
    }

    #[test]
    fn the_browser_is_told_from_its_user_agent() {
        let chromium = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36";
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
        assert_eq!(Browser::from_user_agent(chromium), Browser::Chromium);
        assert_eq!(Browser::from_user_agent(firefox), Browser::Firefox);
        assert_eq!(Browser::from_user_agent("Safari/605"), Browser::Other);
    }
}
