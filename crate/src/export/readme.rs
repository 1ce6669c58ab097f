//! The kit's `README.txt`: what every file is, how to import it (the import guide), the openssl
//! commands and the servers' and clients' snippets for this kit.

use crate::export::guide::{self, GuideOptions};
use crate::export::snippets;
use crate::kit::Manifest;
use crate::role::Role;
use std::fmt::Write;

/// Renders README.txt for a whole manifest: its devices past the first
/// [`crate::LISTED_DEVICES`] are counted, not listed.
pub(crate) fn render_whole(m: &Manifest) -> String {
    let mut shown = 0;
    let (listed, more): (Vec<_>, Vec<_>) = m.identities.iter().partition(|i| {
        shown += usize::from(i.role == Role::Device);
        i.role != Role::Device || shown <= crate::LISTED_DEVICES
    });
    let listed = Manifest {
        identities: listed.into_iter().cloned().collect(),
        ..m.clone()
    };
    render(&listed, more.len())
}

/// Renders README.txt for a manifest: one function per section. `more_devices` devices are
/// in the kit (and in manifest.json) besides those `m` lists: README.txt names them by count.
pub(crate) fn render(m: &Manifest, more_devices: usize) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "certlab kit — issued {} by {}\n",
        m.issued_at, m.generator
    );
    o.push_str("Every private key in this kit was made on your machine and never left it.\n");
    o.push_str("Keep *.key and *.p12 files private; share only *.crt files.\n\n");
    if let Some(csv) = &m.device_secrets {
        let _ = writeln!(
            o,
            "{csv} lists each device's files with its own .p12 password (and key passphrase):\n\
             it is a secret. Keep it with the keys, hand each device only its own line, and\n\
             never share it with the certificates.\n"
        );
    }
    files(&mut o, m, more_devices);
    import_it(&mut o, m);
    check_with_openssl(&mut o, m);
    connect_it(&mut o, m);
    revoke(&mut o, m);
    firmware(&mut o, m);
    o
}

/// FILES: every identity, what it is and what each of its files is for.
fn files(o: &mut String, m: &Manifest, more_devices: usize) {
    o.push_str("FILES\n=====\n");
    for i in &m.identities {
        let issuer = if i.issuer == i.name {
            "self-signed".to_string()
        } else {
            format!("issued by {}", i.issuer)
        };
        let _ = writeln!(
            o,
            "\n{} ({}, {}, {})",
            i.name,
            i.role.id(),
            i.key_algorithm,
            issuer
        );
        let _ = writeln!(
            o,
            "  CN={}  valid {} → {}",
            i.common_name, i.not_before, i.not_after
        );
        if !i.sans.is_empty() {
            let _ = writeln!(o, "  names: {}", i.sans.join(", "));
        }
        let _ = writeln!(o, "  SHA-256 fingerprint: {}", i.sha256);
        let f = &i.files;
        let _ = writeln!(o, "  {:<34} certificate (PEM)", f.cert);
        let _ = writeln!(
            o,
            "  {:<34} certificate (DER, for Windows/Android dialogs)",
            f.der
        );
        if let Some(k) = &f.key {
            let enc = if i.key_encrypted {
                "encrypted with your key passphrase"
            } else {
                "unencrypted"
            };
            let _ = writeln!(o, "  {k:<34} private key (PKCS#8 PEM, {enc})");
        }
        if let Some(c) = &f.chain {
            let _ = writeln!(o, "  {c:<34} the issuing CA certificates");
        }
        if let Some(c) = &f.fullchain {
            let _ = writeln!(o, "  {c:<34} certificate + issuers: what a server presents");
        }
        if let Some(p) = &f.p12_compat {
            let _ = writeln!(
                o,
                "  {p:<34} PKCS#12, compatible (3DES/SHA-1): macOS, iOS, Android, Windows"
            );
        }
        if let Some(p) = &f.p12_modern {
            let _ = writeln!(
                o,
                "  {p:<34} PKCS#12, modern (AES-256/SHA-256): OpenSSL 3, Windows 10+, NSS"
            );
        }
        if let Some(h) = &f.c_header {
            let _ = writeln!(
                o,
                "  {h:<34} C header for firmware (mbedTLS): see FIRMWARE below; secret"
            );
        }
        if let Some(c) = &f.crl {
            let _ = writeln!(
                o,
                "  {c:<34} revocation list (CRL, PEM) signed by this CA: see REVOKE below"
            );
        }
    }
    if more_devices > 0 {
        let _ = writeln!(
            o,
            "\n… and {more_devices} more devices in devices/, each with the same files as those above:\n\
             manifest.json lists every one (name, serial, SHA-256, validity, files)."
        );
    }
}

/// FIRMWARE: what a device's C header holds and which mbedTLS calls take it.
fn firmware(o: &mut String, m: &Manifest) {
    let Some(d) = m.identities.iter().find(|i| i.files.c_header.is_some()) else {
        return;
    };
    let (h, id) = (
        d.files.c_header.as_deref().unwrap_or_default(),
        crate::export::c_header::c_ident(&d.name),
    );
    o.push_str("\nFIRMWARE\n========\n");
    let _ = writeln!(
        o,
        "Each device has a C header ({h} for {name}) holding, under names prefixed\n\
         certlab_{id}_: ca_pem (the CA chain the device trusts for its broker), cert_pem (its\n\
         certificate and issuers, what it presents), key_pem (PEM strings; sizeof includes the\n\
         NUL), and root_der, cert_der, key_der (when keys are not encrypted) with\n\
         their _len. mbedTLS takes them as they are:\n\
         \x20 mbedtls_x509_crt_parse(&ca, (const unsigned char *)certlab_{id}_ca_pem, sizeof certlab_{id}_ca_pem);\n\
         \x20 mbedtls_x509_crt_parse(&crt, (const unsigned char *)certlab_{id}_cert_pem, sizeof certlab_{id}_cert_pem);\n\
         \x20 mbedtls_pk_parse_key(&key, (const unsigned char *)certlab_{id}_key_pem, sizeof certlab_{id}_key_pem, NULL, 0);\n\
         The header holds the device's private key: keep it out of version control.",
        name = d.name
    );
    o.push_str("ESP-IDF's esp-mqtt and Arduino's WiFiClientSecure take the same strings: see CONNECT IT.\n");
}

/// IMPORT IT: the import guide ([`crate::export::guide`], the page's tabs say the same).
fn import_it(o: &mut String, m: &Manifest) {
    o.push_str("\nIMPORT IT\n=========\n");
    o.push_str("Trust the root on each device that connects, and for mutual TLS import a client\n");
    o.push_str(
        "identity (.p12, with the PKCS#12 password you chose). Run the commands in this folder.\n",
    );
    o.push_str(&guide::guide(m, &GuideOptions::default()).text(&[]));
}

/// CHECK IT WITH OPENSSL: `openssl verify` of every leaf against its own root.
fn check_with_openssl(o: &mut String, m: &Manifest) {
    o.push_str("\nCHECK IT WITH OPENSSL\n=====================\n");
    for cmd in m.identities.iter().filter_map(|i| m.verify_command(i)) {
        let _ = writeln!(o, "{cmd}");
    }
    if let Some((i, p12)) = m.identities.iter().find_map(|i| Some((i, i.files.p12()?))) {
        let _ = writeln!(o, "openssl x509 -in {} -noout -text", i.files.cert);
        let _ = writeln!(
            o,
            "openssl pkcs12 -in {p12} -info -noout -passin pass:YOUR_P12_PASSWORD"
        );
    }
}

/// CONNECT IT: the kit's snippets ([`crate::export::snippets`], the page's tab shows the same),
/// each under its title, indented.
fn connect_it(o: &mut String, m: &Manifest) {
    let all = snippets::snippets(m, &snippets::Endpoint::of(m));
    if all.is_empty() {
        return;
    }
    o.push_str("\nCONNECT IT: SERVERS AND CLIENTS\n===============================\n");
    o.push_str(
        "Run these in this folder. Servers listen on 127.0.0.1 (https/wss 8443, MQTT 8883 and\n",
    );
    o.push_str(
        "8884 for MQTT over WebSockets); every client checks the server against the kit's root.\n",
    );
    for s in &all {
        let _ = writeln!(o, "\n{} — {}", s.title, s.file);
        for line in s.text.lines() {
            match line {
                "" => o.push('\n'),
                l => {
                    let _ = writeln!(o, "    {l}");
                }
            }
        }
    }
}

/// REVOKE: each CA's CRL, how long it is valid, and how to revoke a leaf and check it.
fn revoke(o: &mut String, m: &Manifest) {
    let Some(crl) = m.identities.iter().find_map(|i| i.files.crl.as_ref()) else {
        return;
    };
    o.push_str("\nREVOKE\n======\n");
    let _ = writeln!(
        o,
        "Each CA has a revocation list (CRL), empty and signed by that CA, valid {days} days\n\
         from the kit's issue (or to the CA's end if sooner): a verifier that checks CRLs\n\
         refuses an expired one, so revoke again (or make a new kit) within {days} days.\n\
         To revoke a leaf, sign a new CRL with its CA (the entries already listed are kept):",
        days = crate::crl::CRL_DAYS
    );
    let leaf = m
        .first(Role::Client)
        .or_else(|| m.first(Role::Device))
        .or_else(|| m.first(Role::Server));
    let (ca, leaf_cert) = match leaf.and_then(|l| Some((m.by_name(&l.issuer)?, l))) {
        Some((ca, l)) => (ca, l.files.cert.as_str()),
        None => match m
            .identities
            .iter()
            .find(|i| i.files.crl.as_ref() == Some(crl))
        {
            Some(ca) => (ca, "LEAF.crt"),
            None => return,
        },
    };
    let ca_crl = ca.files.crl.as_deref().unwrap_or(crl);
    let _ = writeln!(
        o,
        "certlab revoke --ca-cert {} --ca-key {} --cert {leaf_cert} --reason keyCompromise --crl {ca_crl} --out {ca_crl}",
        ca.files.cert,
        ca.files.key.as_deref().unwrap_or("CA.key")
    );
    if let Some(cmd) = leaf.and_then(|l| m.verify_command(l)) {
        let cmd = cmd.replacen(
            "openssl verify",
            &format!("openssl verify -crl_check -CRLfile {ca_crl}"),
            1,
        );
        let _ = writeln!(o, "{cmd}   # then: certificate revoked");
    }
    let _ = writeln!(
        o,
        "certlab-echo serve … --crl {ca_crl} refuses a revoked client; nginx: ssl_crl {ca_crl};\n\
         mosquitto: crlfile {ca_crl}; Python ssl: load_verify_locations({ca_crl:?}) and\n\
         verify_flags |= VERIFY_CRL_CHECK_LEAF."
    );
}
