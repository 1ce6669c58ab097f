//! `certlab::import_ca` on an arbitrary certificate/key pair. The first two bytes
//! (big-endian u16, modulo the remaining length + 1) give where the certificate ends and the
//! key begins. Seeds are built the same way (see scripts/fuzz-seeds).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let split = u16::from_be_bytes([data[0], data[1]]) as usize;
    let rest = &data[2..];
    let at = split % (rest.len() + 1);
    let (cert, key) = rest.split_at(at);
    let _ = certlab::import_ca(cert, key, Some("pw"), certlab::now_utc());
});
