//! `certlab::private_key` on encrypted PKCS#8 keys whose KDF parameters come from the fuzzer:
//! PBKDF2 iteration counts and scrypt N, r, p of any size (the bounds in import.rs must
//! refuse the costly and the impossible before deriving; nothing may panic or hang).
#![no_main]

use der::Encode;
use libfuzzer_sys::fuzz_target;
use pkcs5::pbes2::{self, Kdf, Pbkdf2Params, Pbkdf2Prf, Salt, ScryptParams};

fuzz_target!(|data: &[u8]| {
    if data.len() < 15 {
        return;
    }
    let word = |i: usize| u64::from_le_bytes(data[i..i + 8].try_into().unwrap_or([0; 8]));
    let Ok(salt) = Salt::new([1u8; 16]) else { return };
    let kdf = if data[0] & 1 == 0 {
        Kdf::Pbkdf2(Pbkdf2Params {
            salt,
            iteration_count: word(1) as u32,
            key_length: None,
            prf: Pbkdf2Prf::HmacWithSha256,
        })
    } else {
        Kdf::Scrypt(ScryptParams {
            salt,
            cost_parameter: word(1),
            block_size: u16::from_le_bytes([data[9], data[10]]),
            parallelization: u16::from_le_bytes([data[11], data[12]]),
            key_length: Some(32),
        })
    };
    let params = pbes2::Parameters {
        kdf,
        encryption: pbes2::EncryptionScheme::Aes256Cbc { iv: [7; 16] },
    };
    let Ok(octets) = der::asn1::OctetStringRef::new(&data[13..]) else { return };
    let info = pkcs8::EncryptedPrivateKeyInfoRef {
        encryption_algorithm: pkcs5::EncryptionScheme::Pbes2(params),
        encrypted_data: octets,
    };
    if let Ok(der) = info.to_der() {
        let _ = certlab::private_key(&der, Some("pw"), "key");
    }
});
