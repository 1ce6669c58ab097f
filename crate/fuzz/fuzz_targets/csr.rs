//! `certlab::parse_csr` on arbitrary bytes (PEM or DER PKCS#10, self-signature checked).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = certlab::parse_csr(data);
});
