//! Text from outside, made safe to log and print: what a peer sent (the request line, a path,
//! a header, a close reason, a greeting, an echo), the names of its certificate, and error
//! messages that quote any of these.
//!
//! The rule itself has one home, the engine's [`certlab::escape_control`] (control characters
//! as `\xNN`, bidirectional overrides as `\u{NNNN}`, as `openssl -nameopt esc_ctrl` does) and
//! [`certlab::clip`]; this module only composes them. Two choke points apply it:
//! [`shown`] for each value at the place it is logged or printed, and [`SafeStderr`], the
//! log's writer, which escapes every event once more so that no event, whatever it quotes,
//! can span two lines or reach the terminal's control sequences.

use certlab::{clip, escape_control};
use std::borrow::Cow;
use std::io::{self, Write};

/// The most characters of one outside value that are logged or printed; the rest is cut with
/// a count (`… (N characters in all)`).
pub const MAX_SHOWN_CHARS: usize = 256;

/// The most characters of a message that quotes outside text (an error, a refusal).
pub const MAX_MESSAGE_CHARS: usize = 2048;

/// `s` with control characters escaped, cut to [`MAX_SHOWN_CHARS`].
pub fn shown(s: &str) -> Cow<'_, str> {
    shown_max(s, MAX_SHOWN_CHARS)
}

/// `s` with control characters escaped, cut to `max` characters.
pub fn shown_max(s: &str, max: usize) -> Cow<'_, str> {
    match clip(s, max) {
        Cow::Borrowed(b) => escape_control(b),
        Cow::Owned(o) => Cow::Owned(escape_control(&o).into_owned()),
    }
}

/// The log's writer (standard error): each event the formatter hands over is written as one
/// line, with every control character inside it escaped, so a newline or an ESC sequence a
/// peer managed to get into a message cannot forge a line or drive the terminal.
#[derive(Debug, Default, Clone, Copy)]
pub struct SafeStderr;

/// One formatted event as one line: every control character escaped but the final newline.
pub fn one_line(event: &[u8]) -> String {
    let text = String::from_utf8_lossy(event);
    let (body, end) = match text.strip_suffix('\n') {
        Some(body) => (body, "\n"),
        None => (&*text, ""),
    };
    let mut line = escape_control(body).into_owned();
    line.push_str(end);
    line
}

impl Write for SafeStderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        io::stderr().lock().write_all(one_line(buf).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_stays_one_line() {
        assert_eq!(
            one_line(b"INFO peer=x\nverdict=verified \x1b]0;t\x07\n"),
            "INFO peer=x\\x0averdict=verified \\x1b]0;t\\x07\n"
        );
        assert_eq!(one_line("a\u{202e}b".as_bytes()), "a\\u{202e}b");
    }

    #[test]
    fn shown_escapes_and_clips() {
        assert_eq!(shown("GET"), "GET");
        assert_eq!(shown("/a\nverdict=x"), "/a\\x0averdict=x");
        assert_eq!(shown("\u{1b}]0;owned\u{7}"), "\\x1b]0;owned\\x07");
        let long = "\n".repeat(10_000);
        let s = shown(&long);
        assert!(!s.contains('\n'));
        assert!(s.ends_with("(10000 characters in all)"), "{s}");
        assert!(s.len() < 5 * MAX_SHOWN_CHARS, "{}", s.len());
    }
}
