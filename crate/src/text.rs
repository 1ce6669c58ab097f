//! Text from outside, made safe to print, log or show: the one home of that rule.
//!
//! A certificate's common name, a CSR's subject or a spec's field can hold any character.
//! Printed raw, a newline forges a log line (`… verdict=verified peer="admin"`) and an ESC or
//! OSC sequence rewrites the user's terminal. So every name decoded from outside data, and
//! every error message, passes through [`escape_control`], which writes control characters as
//! `\xNN` (C0, DEL, C1) or `\u{NNNN}` (bidirectional overrides, which reorder what the reader
//! sees), as `openssl x509 -nameopt esc_ctrl` does. Backslashes are left alone, so escaping
//! twice changes nothing.
//!
//! Error messages quote the user's input; a 1 MB common name must not come back whole.
//! [`clip_quoted`] shortens every `` `quoted` `` span of a message to [`MAX_QUOTED_CHARS`].

use std::borrow::Cow;
use std::fmt::Write;

/// The longest quoted value an error message repeats back; longer ones are cut with a count.
pub const MAX_QUOTED_CHARS: usize = 80;

/// True for characters that must not reach a terminal, a log line or the page raw.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// `s` with control and bidirectional-override characters written as escapes; borrowed when
/// there is nothing to escape.
pub fn escape_control(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_unsafe(c) {
            out.push(c);
        } else if (c as u32) < 0x100 {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(out, "\\u{{{:04x}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

/// `s` cut to `max` characters, with how much was left out; borrowed when short enough.
pub fn clip(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((cut, _)) => Cow::Owned(format!(
            "{}… ({} characters in all)",
            &s[..cut],
            s.chars().count()
        )),
    }
}

/// `msg` with control characters escaped and every `` `quoted` `` span longer than
/// [`MAX_QUOTED_CHARS`] cut (see the module documentation).
pub fn clip_quoted(msg: &str) -> String {
    let msg = escape_control(msg);
    let mut out = String::with_capacity(msg.len().min(4096));
    for (i, part) in msg.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        // Odd parts lie between a pair of backticks (an unpaired last one is clipped too).
        if i % 2 == 1 {
            out.push_str(&clip(part, MAX_QUOTED_CHARS));
        } else {
            out.push_str(&clip(part, 4 * MAX_QUOTED_CHARS));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_forges_lines_and_terminals() {
        assert_eq!(escape_control("alice"), Cow::Borrowed("alice"));
        assert_eq!(
            escape_control("x\"\nverdict=verified peer=\"admin"),
            "x\"\\x0averdict=verified peer=\"admin"
        );
        assert_eq!(escape_control("\u{1b}]0;owned\u{7}"), "\\x1b]0;owned\\x07");
        assert_eq!(escape_control("\u{9b}31m"), "\\x9b31m");
        assert_eq!(
            escape_control("evil\u{202e}txt.exe"),
            "evil\\u{202e}txt.exe"
        );
        assert_eq!(escape_control("tab\there"), "tab\\x09here");
        // Already escaped text stays as it is.
        let once = escape_control("a\u{1b}b").into_owned();
        assert_eq!(escape_control(&once), once);
        // Ordinary non-ASCII text is kept.
        assert_eq!(escape_control("Zoë's Café 東京"), "Zoë's Café 東京");
    }

    #[test]
    fn clips_long_quoted_input_with_a_count() {
        let long = "a".repeat(1_000_000);
        let msg = clip_quoted(&format!("`{long}` is not a valid DNS name"));
        assert!(msg.len() < 200, "{msg}");
        assert!(msg.contains("(1000000 characters in all)"), "{msg}");
        assert!(msg.ends_with("` is not a valid DNS name"), "{msg}");
        assert_eq!(clip_quoted("`short` is fine"), "`short` is fine");
        assert_eq!(clip("héllo", 3), "hél… (5 characters in all)");
    }
}
