//! RSA keys made by certlab itself, for pages without WebCrypto: a page opened over plain http
//! from another machine (`http://192.168.1.20:8080/`) is not a secure context, and there
//! `crypto.subtle` is undefined. The engine then makes the key in the generation worker with
//! the same pure-Rust code the CLI uses; its randomness is `crypto.getRandomValues`
//! (getrandom's `wasm_js` backend), which browsers offer in insecure contexts too.

use certlab::{KeyAlgorithm, KeyPair};

/// The key algorithm of an RSA modulus size certlab issues with.
pub fn rsa_algorithm(bits: u32) -> Option<KeyAlgorithm> {
    KeyAlgorithm::ALL
        .into_iter()
        .find(|a| a.rsa_bits() == Some(bits as usize))
}

/// Makes an RSA key of `bits` (2048, 3072 or 4096) with certlab's engine and returns its
/// PKCS#8 DER. Blocks for seconds: call it in the worker (or in a benchmark).
pub fn rsa_pkcs8(bits: u32) -> Result<Vec<u8>, String> {
    let alg = rsa_algorithm(bits).ok_or_else(|| {
        format!(
            "certlab makes RSA keys of 2048, 3072 or 4096 bits, not {bits}: choose one of those"
        )
    })?;
    KeyPair::generate(alg)
        .map(|k| k.pkcs8_der().to_vec())
        .map_err(|e| format!("certlab could not make an RSA-{bits} key: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_issued_sizes() {
        assert_eq!(rsa_algorithm(3072), Some(KeyAlgorithm::Rsa3072));
        assert_eq!(rsa_algorithm(1024), None);
        assert!(rsa_pkcs8(1024).unwrap_err().contains("2048, 3072 or 4096"));
    }

    #[test]
    fn a_fallback_key_is_read_back_by_the_engine() {
        let der = rsa_pkcs8(2048).unwrap();
        let k = KeyPair::from_pkcs8_der(&der).unwrap();
        assert_eq!(k.algorithm(), KeyAlgorithm::Rsa2048);
    }
}
