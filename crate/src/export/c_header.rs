//! Firmware-ready C headers (`devices/NAME.h`): a device's certificate, private key and CA
//! chain as C string literals (PEM, NUL-terminated, as mbedTLS's `mbedtls_x509_crt_parse`,
//! ESP-IDF's esp-mqtt `client_cert_pem` and Arduino's `WiFiClientSecure::setCACert` take them)
//! and as DER byte arrays with their lengths. Names are prefixed with the device's name, and
//! the include guard is too, so a test bench can include several devices' headers at once.

use std::fmt::Write;

/// A C identifier from a device name: letters, digits and `_`, never starting with a digit.
pub(crate) fn c_ident(name: &str) -> String {
    let mut id: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if id.starts_with(|c: char| c.is_ascii_digit()) || id.is_empty() {
        id.insert(0, '_');
    }
    id
}

/// `text` as a C string literal, one source line per text line.
fn string_literal(out: &mut String, text: &str) {
    for line in text.split_inclusive('\n') {
        out.push_str("    \"");
        for c in line.chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
                c => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        let _ = write!(out, "\\{b:03o}");
                    }
                }
            }
        }
        out.push_str("\"\n");
    }
}

/// `bytes` as the body of a C array initialiser, 16 bytes per line.
fn byte_array(out: &mut String, bytes: &[u8]) {
    for chunk in bytes.chunks(16) {
        out.push_str("    ");
        for b in chunk {
            let _ = write!(out, "0x{b:02x}, ");
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
}

/// What one device's header holds.
pub(crate) struct DeviceFiles<'a> {
    /// Device (identity) name.
    pub(crate) name: &'a str,
    /// Its certificate followed by its issuers, PEM: what it presents, so a broker that
    /// trusts only the root accepts it.
    pub(crate) cert_pem: &'a str,
    /// Its certificate, DER.
    pub(crate) cert_der: &'a [u8],
    /// Its private key as the kit's `.key` file holds it (PKCS#8 PEM; encrypted when the kit's
    /// keys are).
    pub(crate) key_pem: &'a str,
    /// Its private key, PKCS#8 DER (plain): `None` when the kit's keys are encrypted.
    pub(crate) key_der: Option<&'a [u8]>,
    /// Its issuers, PEM (nearest first, root last): what the device trusts for its broker.
    pub(crate) chain_pem: &'a str,
    /// The root's DER.
    pub(crate) root_der: &'a [u8],
}

/// The header for one device.
pub(crate) fn device_header(d: &DeviceFiles<'_>) -> String {
    let id = c_ident(d.name);
    let guard = format!(
        "CERTLAB_DEVICE_{}_H",
        id.trim_start_matches('_').to_ascii_uppercase()
    );
    let mut o = String::with_capacity(4 * (d.cert_pem.len() + d.key_pem.len() + d.chain_pem.len()));
    let _ = writeln!(
        o,
        "/* certlab: device {name}: certificate, private key and CA chain for mbedTLS firmware\n \
         * (ESP-IDF esp-mqtt, Arduino WiFiClientSecure/PubSubClient, Zephyr). It holds the\n \
         * device's private key: keep it out of version control. PEM strings include their\n \
         * terminating NUL in sizeof, as mbedtls_x509_crt_parse() and mbedtls_pk_parse_key()\n \
         * want; DER arrays come with their length. */",
        name = d.name.replace("*/", "* /")
    );
    let _ = writeln!(o, "#ifndef {guard}\n#define {guard}\n");
    for (what, pem) in [
        ("ca_pem", d.chain_pem),
        ("cert_pem", d.cert_pem),
        ("key_pem", d.key_pem),
    ] {
        let _ = writeln!(o, "static const char certlab_{id}_{what}[] =");
        string_literal(&mut o, pem);
        o.push_str(";\n\n");
    }
    let mut ders = vec![("root_der", d.root_der), ("cert_der", d.cert_der)];
    if let Some(k) = d.key_der {
        ders.push(("key_der", k));
    }
    for (what, der) in ders {
        let _ = writeln!(o, "static const unsigned char certlab_{id}_{what}[] = {{");
        byte_array(&mut o, der);
        let _ = writeln!(
            o,
            "}};\nstatic const unsigned int certlab_{id}_{what}_len = {};\n",
            der.len()
        );
    }
    let _ = writeln!(o, "#endif /* {guard} */");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_literals_are_valid_c() {
        assert_eq!(c_ident("sensor-0001"), "sensor_0001");
        assert_eq!(c_ident("00:1A:2b"), "_00_1a_2b");
        let mut o = String::new();
        string_literal(&mut o, "a \"b\" \\ é\nline 2\n");
        assert_eq!(
            o,
            "    \"a \\\"b\\\" \\\\ \\303\\251\\n\"\n    \"line 2\\n\"\n"
        );
        let mut o = String::new();
        byte_array(&mut o, &[0x30, 0x82, 1]);
        assert_eq!(o, "    0x30, 0x82, 0x01,\n");
    }
}
