//! `certlab::inspect` on arbitrary bytes (PEM, DER certificate/CSR, PKCS#12).
//! The first byte picks the password: odd → `changeit` (the seed .p12 files' password), even → none.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let password = if sel & 1 == 1 { Some("changeit") } else { None };
    let _ = certlab::inspect(rest, password, certlab::now_utc());
});
