//! Issue 13 §3: whatever bytes come in, what certlab shows of them holds no control
//! character. `inspect`'s explained view (the page's JSON, the CLI's text) and every error
//! message are checked; `escape_control` is checked to be idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// True when `s` holds a character a terminal or a log line would act on.
fn unsafe_text(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && c != '\n')
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let once = certlab::escape_control(&text).into_owned();
    assert!(!once.chars().any(char::is_control), "{once:?}");
    assert_eq!(certlab::escape_control(&once), once);
    assert!(!unsafe_text(&certlab::clip_quoted(&text)));
    match certlab::inspect(data, Some("changeit"), certlab::now_utc()) {
        Ok(items) => {
            // The JSON the page gets: every string in it, decoded.
            let json = serde_json::to_value(&items).expect("serialisable");
            let mut stack = vec![json];
            while let Some(v) = stack.pop() {
                match v {
                    serde_json::Value::String(s) => assert!(!unsafe_text(&s), "{s:?}"),
                    serde_json::Value::Array(a) => stack.extend(a),
                    serde_json::Value::Object(o) => stack.extend(o.into_iter().map(|(_, v)| v)),
                    _ => {}
                }
            }
        }
        Err(e) => assert!(!unsafe_text(&e.to_string()), "{e}"),
    }
});
