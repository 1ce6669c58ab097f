//! `certlab issue` under a CA made elsewhere, refusing what it cannot do: a CA subject certlab
//! cannot write again as an issuer (checked with an openssl-made CA), and the names of a CSR
//! outside the CA's constraints, blamed on the CSR.

mod common;

use common::openssl;

/// An openssl CA whose subject carries an attribute type with an arc past 64 bits (made with
/// an `oid_section`): certlab cannot write that subject again as a leaf's issuer. It is
/// refused under --ca-cert, not a panic in the encoder; nothing is written.
#[test]
fn a_ca_subject_certlab_cannot_reencode_is_refused_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(
        d.join("o.cnf"),
        "oid_section = new_oids\n[new_oids]\noddattr = 1.2.123456789012345678901234567890\n\
         [req]\ndistinguished_name = dn\n[dn]\n",
    )
    .unwrap();
    openssl(
        d,
        &[
            "req",
            "-config",
            "o.cnf",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "30",
            "-subj",
            "/CN=Odd CA/oddattr=x",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    let subject = openssl(d, &["x509", "-in", "ca.crt", "-noout", "-subject"]);
    assert!(
        subject.contains("1.2.123456789012345678901234567890"),
        "{subject}"
    );
    let (code, out) = common::certlab(
        &[
            "issue",
            "--ca-cert",
            "ca.crt",
            "--ca-key",
            "ca.key",
            "--server",
            "localhost",
            "--out",
            "o",
        ],
        d,
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("--ca-cert: the CA subject has an attribute type")
            && !out.contains("panicked"),
        "{out}"
    );
    assert!(!d.join("o").exists());
}

/// `issue --csr` alone: what is wrong with the names or the CN the CSR asks for is said of
/// --csr, not of --server or --client the user never typed.
#[test]
fn csr_names_outside_the_constraints_are_blamed_on_the_csr() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let (code, out) = common::certlab(&["-q", "kit", "--out", "k", "--preset", "dev"], d);
    assert_eq!(code, 0, "{out}");
    openssl(
        d,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "n.key",
            "-out",
            "n.csr",
            "-subj",
            "/CN=nas.home.arpa",
            "-addext",
            "subjectAltName=DNS:nas.home.arpa",
        ],
    );
    let (code, out) = common::certlab(
        &[
            "issue",
            "--ca-cert",
            "k/ca.crt",
            "--ca-key",
            "k/ca.key",
            "--csr",
            "n.csr",
            "--out",
            "k",
        ],
        d,
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("--csr (its names): DNS:nas.home.arpa is outside the name constraints"),
        "{out}"
    );
    assert!(!out.contains("--server"), "{out}");
}
