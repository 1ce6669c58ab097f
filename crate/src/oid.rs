//! Every object identifier the engine reads or writes, in one place (as rcgen's `oid.rs`).
//! Parsers compare DER content bytes ([`ObjectIdentifier::as_bytes`]), so an x509-parser OID
//! and one of these match without going through dotted strings.

pub(crate) use der::asn1::ObjectIdentifier;

const fn oid(dotted: &str) -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap(dotted)
}

// Public-key algorithms and curves (RFC 5480, RFC 8410, RFC 8017).
/// id-ecPublicKey.
pub(crate) const EC_PUBLIC_KEY: ObjectIdentifier = oid("1.2.840.10045.2.1");
/// secp256r1 (P-256).
pub(crate) const P256: ObjectIdentifier = oid("1.2.840.10045.3.1.7");
/// secp384r1 (P-384).
pub(crate) const P384: ObjectIdentifier = oid("1.3.132.0.34");
/// secp521r1 (P-521): decoded for display, never made.
pub(crate) const P521: ObjectIdentifier = oid("1.3.132.0.35");
/// id-Ed25519 (key and signature algorithm).
pub(crate) const ED25519: ObjectIdentifier = oid("1.3.101.112");
/// rsaEncryption.
pub(crate) const RSA: ObjectIdentifier = oid("1.2.840.113549.1.1.1");
/// secp256k1: named in refusals, never made.
pub(crate) const SECP256K1: ObjectIdentifier = oid("1.3.132.0.10");
/// id-Ed448: named in refusals, never made.
pub(crate) const ED448: ObjectIdentifier = oid("1.3.101.113");
/// id-dsa: named in refusals, never made.
pub(crate) const DSA: ObjectIdentifier = oid("1.2.840.10040.4.1");

/// A readable name for a key algorithm or curve certlab does not certify (for refusals).
pub(crate) fn unsupported_name(o: ObjectIdentifier) -> String {
    [
        (P521, "P-521"),
        (SECP256K1, "secp256k1"),
        (ED448, "Ed448"),
        (DSA, "DSA"),
    ]
    .iter()
    .find(|(id, _)| *id == o)
    .map(|(_, name)| name.to_string())
    .unwrap_or_else(|| o.to_string())
}

// Signature algorithms (RFC 5758, RFC 8017).
/// ecdsa-with-SHA1.
pub(crate) const ECDSA_SHA1: ObjectIdentifier = oid("1.2.840.10045.4.1");
/// ecdsa-with-SHA256.
pub(crate) const ECDSA_SHA256: ObjectIdentifier = oid("1.2.840.10045.4.3.2");
/// ecdsa-with-SHA384.
pub(crate) const ECDSA_SHA384: ObjectIdentifier = oid("1.2.840.10045.4.3.3");
/// ecdsa-with-SHA512.
pub(crate) const ECDSA_SHA512: ObjectIdentifier = oid("1.2.840.10045.4.3.4");
/// md5WithRSAEncryption.
pub(crate) const RSA_MD5: ObjectIdentifier = oid("1.2.840.113549.1.1.4");
/// sha1WithRSAEncryption.
pub(crate) const RSA_SHA1: ObjectIdentifier = oid("1.2.840.113549.1.1.5");
/// RSASSA-PSS.
pub(crate) const RSA_PSS: ObjectIdentifier = oid("1.2.840.113549.1.1.10");
/// sha256WithRSAEncryption.
pub(crate) const RSA_SHA256: ObjectIdentifier = oid("1.2.840.113549.1.1.11");
/// sha384WithRSAEncryption.
pub(crate) const RSA_SHA384: ObjectIdentifier = oid("1.2.840.113549.1.1.12");
/// sha512WithRSAEncryption.
pub(crate) const RSA_SHA512: ObjectIdentifier = oid("1.2.840.113549.1.1.13");

// Distinguished-name attributes (X.520).
/// commonName.
pub(crate) const CN: ObjectIdentifier = oid("2.5.4.3");
/// countryName.
pub(crate) const C: ObjectIdentifier = oid("2.5.4.6");
/// localityName.
pub(crate) const L: ObjectIdentifier = oid("2.5.4.7");
/// stateOrProvinceName.
pub(crate) const ST: ObjectIdentifier = oid("2.5.4.8");
/// organizationName.
pub(crate) const O: ObjectIdentifier = oid("2.5.4.10");
/// organizationalUnitName.
pub(crate) const OU: ObjectIdentifier = oid("2.5.4.11");

// PKCS#7 / PKCS#9 / PKCS#12 (RFC 2315, RFC 2985, RFC 7292) and digests.
/// id-data.
pub(crate) const DATA: ObjectIdentifier = oid("1.2.840.113549.1.7.1");
/// id-encryptedData.
pub(crate) const ENCRYPTED_DATA: ObjectIdentifier = oid("1.2.840.113549.1.7.6");
/// keyBag (a plain PKCS#8 key).
pub(crate) const KEY_BAG: ObjectIdentifier = oid("1.2.840.113549.1.12.10.1.1");
/// pkcs8ShroudedKeyBag.
pub(crate) const SHROUDED_KEY_BAG: ObjectIdentifier = oid("1.2.840.113549.1.12.10.1.2");
/// certBag.
pub(crate) const CERT_BAG: ObjectIdentifier = oid("1.2.840.113549.1.12.10.1.3");
/// safeContentsBag (nested SafeContents).
pub(crate) const SAFE_CONTENTS_BAG: ObjectIdentifier = oid("1.2.840.113549.1.12.10.1.6");
/// x509Certificate (certBag type).
pub(crate) const X509_CERT: ObjectIdentifier = oid("1.2.840.113549.1.9.22.1");
/// friendlyName.
pub(crate) const FRIENDLY_NAME: ObjectIdentifier = oid("1.2.840.113549.1.9.20");
/// localKeyId.
pub(crate) const LOCAL_KEY_ID: ObjectIdentifier = oid("1.2.840.113549.1.9.21");
/// pbeWithSHAAnd3-KeyTripleDES-CBC.
pub(crate) const PBE_SHA1_3DES: ObjectIdentifier = oid("1.2.840.113549.1.12.1.3");
/// pbeWithSHAAnd2-KeyTripleDES-CBC.
pub(crate) const PBE_SHA1_2DES: ObjectIdentifier = oid("1.2.840.113549.1.12.1.4");
/// pbeWithSHAAnd128BitRC2-CBC.
pub(crate) const PBE_SHA1_RC2_128: ObjectIdentifier = oid("1.2.840.113549.1.12.1.5");
/// pbeWithSHAAnd40BitRC2-CBC (OpenSSL's `-legacy`, older Windows).
pub(crate) const PBE_SHA1_RC2_40: ObjectIdentifier = oid("1.2.840.113549.1.12.1.6");
/// pbeWithSHAAnd128BitRC4.
pub(crate) const PBE_SHA1_RC4_128: ObjectIdentifier = oid("1.2.840.113549.1.12.1.1");
/// pbeWithSHAAnd40BitRC4.
pub(crate) const PBE_SHA1_RC4_40: ObjectIdentifier = oid("1.2.840.113549.1.12.1.2");
/// PBMAC1 (RFC 9579), OpenSSL 3.4's `-pbmac1_pbkdf2`.
pub(crate) const PBMAC1: ObjectIdentifier = oid("1.2.840.113549.1.5.14");
/// id-sha1.
pub(crate) const SHA1: ObjectIdentifier = oid("1.3.14.3.2.26");
/// id-sha256.
pub(crate) const SHA256: ObjectIdentifier = oid("2.16.840.1.101.3.4.2.1");
/// id-sha224.
pub(crate) const SHA224: ObjectIdentifier = oid("2.16.840.1.101.3.4.2.4");
/// id-sha384.
pub(crate) const SHA384: ObjectIdentifier = oid("2.16.840.1.101.3.4.2.2");
/// id-sha512.
pub(crate) const SHA512: ObjectIdentifier = oid("2.16.840.1.101.3.4.2.3");

/// Whether an x509-parser OID is `want`.
pub(crate) fn is(o: &x509_parser::der_parser::oid::Oid<'_>, want: ObjectIdentifier) -> bool {
    o.as_bytes() == want.as_bytes()
}
