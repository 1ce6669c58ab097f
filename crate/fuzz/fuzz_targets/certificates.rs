//! `certlab::certificates` on arbitrary bytes (PEM bundle or one DER certificate).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = certlab::certificates(data, "cert");
});
