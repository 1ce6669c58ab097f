//! Everything certlab prints on stdout goes through here.
//!
//! Rust's `print!` panics when the reader has gone away (`certlab man | head`: `head` exits
//! after ten lines and the next write fails with a broken pipe). A program read by a pipe
//! should just stop, as `cat` does, so a broken pipe ends certlab quietly with status 0
//! (what ripgrep does too; C programs die of SIGPIPE, which Rust ignores). Any other write
//! error (a full disk behind `>`) ends it with a message and status 1. What certlab prints
//! here is a report or a document, written after any kit's files are in place, so stopping
//! mid-way loses nothing.

use std::io::Write;

/// Like `print!`, for stdout; see the module documentation for write errors.
macro_rules! out {
    ($($arg:tt)*) => { $crate::out::write_fmt(format_args!($($arg)*)) };
}

/// Like `println!`, for stdout; see the module documentation for write errors.
macro_rules! outln {
    () => { $crate::out::write_fmt(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::out::write_fmt(format_args!("{}\n", format_args!($($arg)*))) };
}

pub(crate) use {out, outln};

/// Writes formatted text to stdout and flushes it.
pub(crate) fn write_fmt(args: std::fmt::Arguments) {
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_fmt(args).and_then(|()| o.flush()) {
        failed(&e);
    }
}

/// Writes bytes (a man page, a manifest) to stdout and flushes them.
pub(crate) fn bytes(b: &[u8]) {
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_all(b).and_then(|()| o.flush()) {
        failed(&e);
    }
}

fn failed(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("certlab: cannot write to stdout: {e}");
    std::process::exit(1);
}
