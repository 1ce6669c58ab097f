//! Long work on the page's thread, cut into short tasks so the page stays responsive: the
//! finished kit of a fleet (tens of thousands of files) is read in slices.

/// Parses each line of `lines` as JSON, in `slice`s; `None` if one fails.
pub async fn parse_each<T: serde::de::DeserializeOwned>(
    lines: &str,
    slice: &mut Slice,
) -> Option<Vec<T>> {
    let mut out = Vec::new();
    for line in lines.lines() {
        slice.tick().await;
        out.push(serde_json::from_str(line).ok()?);
    }
    Some(out)
}

/// Long work on the page's thread cut into slices of [`Slice::MS`]: between slices the browser
/// runs its other tasks (input, rendering), so no task blocks the page for long, however slow
/// the machine — the cut follows the clock, not a count of items.
pub struct Slice {
    started: f64,
}

/// A slice starting now.
impl Default for Slice {
    fn default() -> Self {
        Slice { started: now() }
    }
}

impl Slice {
    /// Work per slice: well under the 50 ms the browser calls a long task.
    const MS: f64 = 12.0;

    /// Gives the browser its thread back if this slice has run its time.
    pub async fn tick(&mut self) {
        if now() - self.started > Self::MS {
            self.end().await;
        }
    }

    /// Ends this slice: gives the browser its thread back, then starts the next.
    pub async fn end(&mut self) {
        yield_to_browser().await;
        self.started = now();
    }
}

/// The page's clock in ms (`performance.now()`; 0 where there is none).
fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Lets the browser run its other tasks (input, rendering) before going on.
async fn yield_to_browser() {
    let wait = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(wait).await;
}
