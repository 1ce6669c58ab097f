//! The gallery's cases: what each breaks, the lesson, and what each client does with it.
//!
//! The `expect` values are measured, not assumed: `echo/tests/gallery.rs` runs openssl
//! s_client and Python `ssl` against every case and `tests/e2e/gallery.test.mjs` runs Debian's
//! Chromium and Firefox ESR. When a client disagrees, the expectation and the lesson change
//! here, not the tests.

use super::Outcome::{self, Accept, Reject};
use crate::lint::Rule;

/// How a case's certificates are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Make {
    /// A server case: what is wrong with the server's chain.
    Server(ServerFault),
    /// A mutual-TLS case: the server is fine and requires a client certificate.
    Client(ClientFault),
}

/// What is wrong with a server's chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ServerFault {
    None,
    Expired,
    NotYetValid,
    WrongHost,
    CnOnly,
    SelfSigned,
    UnknownCa,
    MissingIntermediate,
    WrongEku,
    NameConstraints,
    Over825Days,
    Rsa1024,
    Ed25519,
    Revoked,
}

/// What is wrong with the client certificate a client presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ClientFault {
    None,
    Missing,
    Stranger,
    Expired,
    Revoked,
    NoClientAuth,
}

/// One case, before its certificates exist.
pub(super) struct Def {
    pub name: &'static str,
    pub title: &'static str,
    pub lesson: &'static str,
    pub why: &'static str,
    pub make: Make,
    /// The lint rules `certlab lint` reports on the served chain (or the client's).
    pub lint: &'static [Rule],
    /// openssl s_client, Python ssl, Chromium, Firefox ESR (`None`: not run there).
    pub expect: [Option<Outcome>; 4],
}

const ALL: [Option<Outcome>; 4] = [Some(Accept); 4];
const NONE: [Option<Outcome>; 4] = [Some(Reject); 4];
/// A refused client. The browsers hold the case's client .p12: Chromium all of them, each
/// picked for its own case's site by policy; Firefox (which picks a client certificate by
/// itself) only that one, in a profile of its own.
const TOOLS_REJECT: [Option<Outcome>; 4] = NONE;

use ClientFault as C;
use ServerFault as S;

/// Every case, in the order the gallery lists them (and the order of their ports).
pub(super) const CASES: &[Def] = &[
    Def {
        name: "good",
        title: "A good certificate (the control)",
        make: Make::Server(S::None),
        lint: &[],
        expect: ALL,
        lesson: "Issued by the gallery root for the exact host name, in its validity window, for serverAuth, with the chain the client needs. Every client accepts it once the root is trusted.",
        why: "nothing is wrong: if this fails, the gallery root is not trusted on this machine",
    },
    Def {
        name: "expired",
        title: "Expired",
        make: Make::Server(S::Expired),
        lint: &[Rule::Expired],
        expect: NONE,
        lesson: "Every certificate has a notAfter date; after it, clients refuse it whatever else is right. Certificates are renewed before they expire, which is why short lifetimes need automation.",
        why: "notAfter is 30 days in the past",
    },
    Def {
        name: "not-yet-valid",
        title: "Not yet valid",
        make: Make::Server(S::NotYetValid),
        lint: &[Rule::NotYetValid],
        expect: NONE,
        lesson: "notBefore is in the future. In real life this means a wrong clock (on the CA or, more often, on the client: a device without RTC after boot), which is why certlab back-dates by one hour.",
        why: "notBefore is 30 days in the future",
    },
    Def {
        name: "wrong-host",
        title: "Wrong host name",
        make: Make::Server(S::WrongHost),
        lint: &[Rule::WrongHost],
        expect: NONE,
        lesson: "A certificate names the hosts it is for (subjectAltName). A trusted certificate for another name proves nothing about this one: that is what stops a man in the middle with his own valid certificate.",
        why: "the certificate is for elsewhere.localhost; the client dialled wrong-host.localhost",
    },
    Def {
        name: "cn-only",
        title: "Host in the CN only, no subjectAltName",
        make: Make::Server(S::CnOnly),
        lint: &[Rule::MissingSan],
        expect: [Some(Accept), Some(Accept), Some(Reject), Some(Reject)],
        lesson: "Old certificates put the host name in the subject's CN. Browsers (Chrome 58+, Firefox 48+) read only the subjectAltName; OpenSSL's host check still falls back to the CN when there is no SAN, and so does Python (ssl.SSLContext.hostname_checks_common_name is true by default): the tools accept what every browser refuses.",
        why: "no subjectAltName; CN=cn-only.localhost",
    },
    Def {
        name: "self-signed",
        title: "A self-signed leaf",
        make: Make::Server(S::SelfSigned),
        lint: &[Rule::SelfSignedLeaf],
        expect: NONE,
        lesson: "A certificate signed by its own key is vouched for by nobody. Trusting a root once is what lets a client check every certificate it signs; a self-signed leaf would have to be trusted one by one.",
        why: "the server certificate signs itself and is not a CA",
    },
    Def {
        name: "unknown-ca",
        title: "Issued by a CA the client does not trust",
        make: Make::Server(S::UnknownCa),
        lint: &[Rule::UnknownIssuer],
        expect: NONE,
        lesson: "The chain is complete and correct, but it ends at a root this client never imported (the gallery's stranger root). Trust is local: what counts is which roots are in the client's store.",
        why: "the chain ends at \"Stranger root\", which is not in the client's trust store",
    },
    Def {
        name: "missing-intermediate",
        title: "Missing intermediate",
        make: Make::Server(S::MissingIntermediate),
        lint: &[Rule::IncompleteChain],
        expect: NONE,
        lesson: "The server sends only its own certificate, not the intermediate CA that signed it, so the client cannot build a path to the root. Serve the full chain (fullchain.pem). Browsers sometimes hide this bug by fetching or caching intermediates of public CAs; a private CA gets no such help.",
        why: "the server sends its leaf without the intermediate that signed it",
    },
    Def {
        name: "wrong-eku",
        title: "Wrong purpose: a client certificate used by a server",
        make: Make::Server(S::WrongEku),
        lint: &[Rule::WrongPurpose],
        expect: NONE,
        lesson: "extendedKeyUsage limits what a key may do. This certificate allows clientAuth only, so clients refuse it as a server certificate, even though everything else is right.",
        why: "extendedKeyUsage is clientAuth only (no serverAuth)",
    },
    Def {
        name: "name-constraints",
        title: "A name outside the CA's name constraints",
        make: Make::Server(S::NameConstraints),
        lint: &[Rule::OutsideNameConstraints],
        expect: NONE,
        lesson: "A CA can be limited to a namespace (nameConstraints). This intermediate may issue only under permitted.localhost; a certificate it signs for another name is refused even though the signature is valid. This is what makes a constrained lab root safe to trust.",
        why: "the issuing CA is constrained to permitted.localhost; the certificate is for name-constraints.localhost",
    },
    Def {
        name: "over-825-days",
        title: "Valid for 1000 days (over Apple's 825)",
        make: Make::Server(S::Over825Days),
        lint: &[Rule::AppleValidity825],
        expect: ALL,
        lesson: "Apple's platforms refuse TLS server certificates valid for more than 825 days, even under a root the user installed. OpenSSL, Python, Chromium and Firefox accept it from a private root (their 398-day limits apply to public CAs only): the failure shows up only on iPhones and Macs.",
        why: "valid for 1000 days; only Apple's clients refuse it",
    },
    Def {
        name: "rsa-1024",
        title: "A 1024-bit RSA key in the chain",
        make: Make::Server(S::Rsa1024),
        lint: &[Rule::RsaTooSmall],
        expect: [Some(Reject), Some(Reject), Some(Accept), Some(Accept)],
        lesson: "RSA keys under 2048 bits are breakable with enough computing power. OpenSSL on Debian (security level 2) refuses them, and so does Python. The key here is the issuing CA's: rustls, like most current TLS servers, will not even sign with an RSA key under 2048 bits.",
        why: "the intermediate CA that signed the server has a 1024-bit RSA key",
    },
    Def {
        name: "ed25519",
        title: "An Ed25519 server certificate",
        make: Make::Server(S::Ed25519),
        lint: &[Rule::Ed25519NotForBrowsers],
        expect: [Some(Accept), Some(Accept), Some(Reject), Some(Reject)],
        lesson: "Ed25519 is a fine signature algorithm and OpenSSL and Python accept it, but browsers offer no Ed25519 signature scheme in TLS, so the handshake fails there. Choose ECDSA P-256 for anything a browser touches.",
        why: "the server's key is Ed25519",
    },
    Def {
        name: "revoked",
        title: "A revoked server certificate",
        make: Make::Server(S::Revoked),
        lint: &[Rule::Revoked],
        expect: [Some(Reject), Some(Reject), Some(Accept), Some(Accept)],
        lesson: "The CA revoked this certificate (it is in ca.crl), but a client refuses it only if it checks the CRL. openssl -crl_check and Python's VERIFY_CRL_CHECK_LEAF do when given the CRL; Chromium and Firefox do not download CRLs for a private CA (Chromium uses CRLSets for public CAs, Firefox CRLite/OCSP): revocation is a server-side or tool-side defence in a lab.",
        why: "the serial is listed in ca.crl",
    },
    Def {
        name: "mtls-good",
        title: "Mutual TLS: a good client certificate (the control)",
        make: Make::Client(C::None),
        lint: &[],
        expect: [Some(Accept), Some(Accept), None, None],
        lesson: "The server asks for a client certificate issued by the gallery root and checks it as a client checks a server: chain, dates, purpose (clientAuth) and the CRL.",
        why: "nothing is wrong: the client presents clients/mtls-good.pem",
    },
    Def {
        name: "mtls-missing",
        title: "Mutual TLS: no client certificate",
        make: Make::Client(C::Missing),
        lint: &[],
        expect: NONE,
        lesson: "The server requires a client certificate and the client has none to offer, so the server ends the handshake. In TLS 1.3 the client learns it only after its own side finished, when the server's alert arrives.",
        why: "the client presents no certificate (nothing to lint: the fault is the missing certificate)",
    },
    Def {
        name: "mtls-stranger",
        title: "Mutual TLS: a client from another CA",
        make: Make::Client(C::Stranger),
        lint: &[Rule::UnknownIssuer],
        expect: TOOLS_REJECT,
        lesson: "A client certificate is checked against the CAs the server trusts for clients. One from another CA, however valid, is refused: a server's client CA is its list of who may connect.",
        why: "the client certificate comes from the stranger root",
    },
    Def {
        name: "mtls-expired",
        title: "Mutual TLS: an expired client certificate",
        make: Make::Client(C::Expired),
        lint: &[Rule::Expired],
        expect: TOOLS_REJECT,
        lesson: "Servers check a client certificate's dates too: devices in the field stop connecting the day their certificates expire.",
        why: "the client certificate expired 30 days ago",
    },
    Def {
        name: "mtls-revoked",
        title: "Mutual TLS: a revoked client certificate",
        make: Make::Client(C::Revoked),
        lint: &[Rule::Revoked],
        expect: TOOLS_REJECT,
        lesson: "Revocation is most useful on the server: this server loads ca.crl (certlab-echo --crl) and refuses a client whose serial is listed, the way a broker shuts out a stolen device.",
        why: "the client certificate's serial is listed in ca.crl, which the server checks",
    },
    Def {
        name: "mtls-no-clientauth",
        title: "Mutual TLS: a certificate without clientAuth",
        make: Make::Client(C::NoClientAuth),
        lint: &[Rule::WrongPurpose],
        expect: TOOLS_REJECT,
        lesson: "A server certificate (extendedKeyUsage serverAuth only) used as a client certificate is refused, the mirror image of wrong-eku.",
        why: "the client certificate's extendedKeyUsage is serverAuth only",
    },
];
