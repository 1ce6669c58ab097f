//! CA keys as openssl writes them (issue 12 §2): every fixture is made here by the openssl
//! recipe users follow, a CA certificate is made from it with openssl, `certlab issue` signs a
//! client with it, and openssl verifies the result. Wrong and missing passphrases, and the
//! schemes certlab still does not read, get errors naming the format and the conversion.

mod common;

use common::certlab;

use std::path::Path;

/// Makes `NAME.key` by `recipe` (openssl arguments, `{plain}` the unencrypted key of its type)
/// and a CA certificate `NAME.crt` for it.
fn fixture(d: &Path, name: &str, plain: &str, recipe: &[&str]) {
    let key = format!("{name}.key");
    let args: Vec<String> = recipe
        .iter()
        .map(|a| a.replace("{plain}", plain).replace("{out}", &key))
        .collect();
    common::openssl(d, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let subj = format!("/CN={name} CA");
    common::openssl(
        d,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            &key,
            "-passin",
            "pass:secret",
            "-subj",
            &subj,
            "-days",
            "3650",
            "-out",
            &format!("{name}.crt"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
}

fn issue(d: &Path, name: &str, password: Option<&str>, out: &str) -> (i32, String) {
    let (crt, key) = (format!("{name}.crt"), format!("{name}.key"));
    let mut args = vec![
        "issue",
        "--ca-cert",
        &crt,
        "--ca-key",
        &key,
        "--client",
        "carol",
    ];
    if let Some(p) = password {
        args.extend(["--ca-key-password", p]);
    }
    args.extend(["--out", out]);
    certlab(&args, d)
}

#[test]
fn ca_keys_in_every_format_openssl_writes_sign_leaves() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    common::openssl(d, &["genrsa", "-out", "rsa.pem", "2048"]);
    common::openssl(
        d,
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "ec.pem",
        ],
    );
    let pw = "pass:secret";
    let cases: [(&str, &str, Vec<&str>); 9] = [
        // OpenSSL 3's `genrsa -des3` (the Amlen seed's recipe): PKCS#8, PBES2 + DES-EDE3-CBC.
        (
            "genrsa-des3",
            "rsa.pem",
            vec!["genrsa", "-des3", "-passout", pw, "-out", "{out}", "2048"],
        ),
        (
            "pkcs8-des3",
            "rsa.pem",
            vec![
                "pkcs8", "-topk8", "-v2", "des3", "-in", "{plain}", "-passout", pw, "-out", "{out}",
            ],
        ),
        (
            "pkcs8-aes128",
            "ec.pem",
            vec![
                "pkcs8",
                "-topk8",
                "-v2",
                "aes-128-cbc",
                "-in",
                "{plain}",
                "-passout",
                pw,
                "-out",
                "{out}",
            ],
        ),
        // Traditional PEM encryption (OpenSSL 1.x, or 3.x with -traditional).
        (
            "trad-rsa-aes128",
            "rsa.pem",
            vec![
                "rsa",
                "-aes128",
                "-traditional",
                "-in",
                "{plain}",
                "-passout",
                pw,
                "-out",
                "{out}",
            ],
        ),
        (
            "trad-rsa-aes192",
            "rsa.pem",
            vec![
                "rsa",
                "-aes192",
                "-traditional",
                "-in",
                "{plain}",
                "-passout",
                pw,
                "-out",
                "{out}",
            ],
        ),
        (
            "trad-rsa-aes256",
            "rsa.pem",
            vec![
                "genrsa",
                "-aes256",
                "-traditional",
                "-passout",
                pw,
                "-out",
                "{out}",
                "2048",
            ],
        ),
        (
            "trad-rsa-des3",
            "rsa.pem",
            vec![
                "rsa",
                "-des3",
                "-traditional",
                "-in",
                "{plain}",
                "-passout",
                pw,
                "-out",
                "{out}",
            ],
        ),
        (
            "trad-ec-aes256",
            "ec.pem",
            vec![
                "ec", "-aes256", "-in", "{plain}", "-passout", pw, "-out", "{out}",
            ],
        ),
        (
            "trad-ec-des3",
            "ec.pem",
            vec![
                "ec", "-des3", "-in", "{plain}", "-passout", pw, "-out", "{out}",
            ],
        ),
    ];
    for (name, plain, recipe) in &cases {
        fixture(d, name, plain, recipe);
        let out = format!("out-{name}");
        let (code, text) = issue(d, name, Some("secret"), &out);
        assert_eq!(code, 0, "{name}: {text}");
        common::openssl(
            d,
            &[
                "verify",
                "-purpose",
                "sslclient",
                "-CAfile",
                &format!("{name}.crt"),
                &format!("{out}/carol.crt"),
            ],
        );
        // A wrong passphrase and none at all: said so, nothing written.
        let (code, text) = issue(d, name, Some("Secret"), &format!("wrong-{name}"));
        assert_eq!(code, 2, "{name}: {text}");
        assert!(
            text.contains("passphrase does not decrypt"),
            "{name}: {text}"
        );
        let (code, text) = issue(d, name, None, &format!("none-{name}"));
        assert_eq!(code, 2, "{name}: {text}");
        assert!(text.contains("no passphrase was given"), "{name}: {text}");
        assert!(
            !d.join(format!("wrong-{name}")).exists() && !d.join(format!("none-{name}")).exists()
        );
    }
}

#[test]
fn schemes_certlab_does_not_read_are_named_with_the_conversion() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    common::openssl(d, &["genrsa", "-out", "rsa.pem", "2048"]);
    let pw = "pass:secret";
    for (name, recipe, says) in [
        (
            "trad-aria",
            vec![
                "rsa",
                "-aria128",
                "-traditional",
                "-in",
                "{plain}",
                "-passout",
                pw,
                "-out",
                "{out}",
            ],
            "`ARIA-128-CBC`",
        ),
        (
            "pbes1",
            vec![
                "pkcs8",
                "-topk8",
                "-v1",
                "PBE-SHA1-3DES",
                "-in",
                "{plain}",
                "-passout",
                pw,
                "-out",
                "{out}",
            ],
            "PBES1",
        ),
    ] {
        fixture(d, name, "rsa.pem", &recipe);
        let (code, text) = issue(d, name, Some("secret"), name);
        assert_eq!(code, 2, "{name}: {text}");
        assert!(
            text.contains(says) && text.contains("openssl pkcs8 -topk8 -v2 aes-256-cbc"),
            "{name}: {text}"
        );
        assert!(
            !text.contains("truncated"),
            "{name}: a well-formed file is not truncated: {text}"
        );
    }
}

#[test]
fn a_ca_exported_as_a_p12_signs_leaves_without_its_certificate_file() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // A root and an intermediate CA made by openssl; the .p12 holds the intermediate's key,
    // its certificate and the root (as XCA and Windows export a CA with its chain).
    fixture(
        d,
        "root",
        "",
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "{out}",
        ],
    );
    common::openssl(
        d,
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "inter.key",
        ],
    );
    common::openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "inter.key",
            "-subj",
            "/CN=inter CA",
            "-out",
            "inter.csr",
        ],
    );
    std::fs::write(
        d.join("ext.cnf"),
        "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n",
    )
    .unwrap();
    common::openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "inter.csr",
            "-CA",
            "root.crt",
            "-CAkey",
            "root.key",
            "-days",
            "3650",
            "-extfile",
            "ext.cnf",
            "-out",
            "inter.crt",
        ],
    );
    let pw = "pass:secret";
    let export = [
        "pkcs12",
        "-export",
        "-inkey",
        "inter.key",
        "-in",
        "inter.crt",
        "-certfile",
        "root.crt",
        "-passout",
        pw,
    ];
    for (name, extra) in [
        ("default", &[][..]),
        ("legacy", &["-legacy"][..]),
        (
            "compat",
            &[
                "-certpbe",
                "PBE-SHA1-3DES",
                "-keypbe",
                "PBE-SHA1-3DES",
                "-macalg",
                "sha1",
            ][..],
        ),
    ] {
        let p12 = format!("{name}.p12");
        common::openssl(d, &[&export[..], extra, &["-out", &p12]].concat());
        let out = format!("out-{name}");
        let args = [
            "issue",
            "--ca-key",
            &p12,
            "--ca-key-password",
            "secret",
            "--client",
            "carol",
            "--out",
            &out,
        ];
        let (code, text) = certlab(&args, d);
        assert_eq!(code, 0, "{name}: {text}");
        common::openssl(
            d,
            &[
                "verify",
                "-CAfile",
                "root.crt",
                "-untrusted",
                &format!("{out}/carol.chain.pem"),
                &format!("{out}/carol.crt"),
            ],
        );
        let (code, text) = certlab(
            &[
                "issue",
                "--ca-key",
                &p12,
                "--ca-key-password",
                "nope",
                "--client",
                "c",
                "--out",
                "x",
            ],
            d,
        );
        assert_eq!(code, 2, "{name}: {text}");
        assert!(
            text.contains("--ca-key-password") && text.contains("password is wrong"),
            "{name}: {text}"
        );
    }
    // A plain key without the certificate: said what is missing.
    let (code, text) = certlab(
        &[
            "issue",
            "--ca-key",
            "inter.key",
            "--client",
            "c",
            "--out",
            "y",
        ],
        d,
    );
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("--ca-cert") && text.contains("no CA certificate"),
        "{text}"
    );
}

#[test]
fn a_leaf_under_a_ca_near_its_end_ends_with_it_unless_days_are_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    common::openssl(
        d,
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "ca.key",
        ],
    );
    common::openssl(
        d,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "ca.key",
            "-subj",
            "/CN=short CA",
            "-days",
            "30",
            "-out",
            "ca.crt",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    let base = [
        "issue",
        "--ca-cert",
        "ca.crt",
        "--ca-key",
        "ca.key",
        "--client",
        "carol",
    ];
    let (code, text) = certlab(&[&base[..], &["--out", "a"]].concat(), d);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("valid for 29 days, not 397") || text.contains("valid for 30 days, not 397"),
        "{text}"
    );
    // openssl: the leaf verifies now and ends within the CA's 30 days (not 397).
    common::openssl(d, &["verify", "-CAfile", "ca.crt", "a/carol.crt"]);
    let soon = common::openssl_fails(
        d,
        &[
            "x509",
            "-in",
            "a/carol.crt",
            "-noout",
            "-checkend",
            "2678400",
        ],
    );
    assert!(soon.contains("will expire"), "{soon}");
    let (code, text) = certlab(&[&base[..], &["--days", "397", "--out", "b"]].concat(), d);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("--days") && text.contains("outlive"),
        "{text}"
    );
}
