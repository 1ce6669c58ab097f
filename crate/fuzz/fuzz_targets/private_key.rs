//! `certlab::private_key` on arbitrary bytes (PKCS#8 plain/encrypted, PKCS#1, SEC1,
//! PEM or DER), with and without a passphrase.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = certlab::private_key(data, Some("pw"), "key");
    let _ = certlab::private_key(data, None, "key");
});
