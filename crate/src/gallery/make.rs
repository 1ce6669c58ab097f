//! The gallery's certificates: the same profiles as a kit's ([`crate::issue::params`]), with
//! one thing broken on purpose per case.

use crate::error::Error;
use crate::issue::{CLOCK_SKEW, Profile, params};
use crate::keys::{KeyAlgorithm, KeyPair};
use crate::names::{SanName, Subtree};
use crate::rng;
use crate::role::Role;
use crate::spec::SubjectFields;
use rcgen::{CertificateParams, ExtendedKeyUsagePurpose};
use time::{Duration, OffsetDateTime};

/// A CA of the gallery: its certificate, key and the parameters rcgen signs with.
pub(super) struct Ca {
    pub der: Vec<u8>,
    pub key: KeyPair,
    pub params: CertificateParams,
    pub not_after: OffsetDateTime,
}

/// A leaf of the gallery with its key.
pub(super) struct Leaf {
    pub der: Vec<u8>,
    pub key: KeyPair,
    pub serial: Vec<u8>,
}

/// What a leaf looks like; [`LeafDef::server`] and [`LeafDef::client`] are the good ones.
pub(super) struct LeafDef {
    pub cn: String,
    pub sans: Vec<SanName>,
    pub key: KeyAlgorithm,
    pub server_auth: bool,
    pub client_auth: bool,
    /// Validity as (start, end) relative to now.
    pub window: (Duration, Duration),
}

impl LeafDef {
    /// A TLS server for `host` (its CN and only SAN), valid for 90 days.
    pub(super) fn server(host: &str) -> Self {
        LeafDef {
            cn: host.into(),
            sans: vec![SanName::Dns(host.into())],
            key: KeyAlgorithm::EcdsaP256,
            server_auth: true,
            client_auth: false,
            window: (-CLOCK_SKEW, Duration::days(90)),
        }
    }

    /// A TLS client named `name` (an e-mail SAN at `gallery.localhost`), valid for 90 days.
    pub(super) fn client(name: &str) -> Self {
        LeafDef {
            cn: name.into(),
            sans: vec![SanName::Email(format!("{name}@gallery.localhost"))],
            key: KeyAlgorithm::EcdsaP256,
            server_auth: false,
            client_auth: true,
            window: (-CLOCK_SKEW, Duration::days(90)),
        }
    }
}

fn subject() -> SubjectFields {
    SubjectFields {
        organization: Some("certlab gallery".into()),
        ..SubjectFields::default()
    }
}

/// A CA: a root when `issuer` is `None`, else an intermediate under it.
pub(super) fn ca(
    name: &str,
    key: KeyPair,
    issuer: Option<&Ca>,
    constraints: &[Subtree],
    now: OffsetDateTime,
) -> Result<Ca, Error> {
    let serial = rng::serial()?;
    let (not_before, not_after) = (now - CLOCK_SKEW, now + Duration::days(3650));
    let subject = subject();
    let profile = Profile {
        role: if issuer.is_some() {
            Role::IntermediateCa
        } else {
            Role::RootCa
        },
        common_name: name,
        subject: &subject,
        unit: None,
        sans: &[],
        key: key.algorithm(),
        server_auth: false,
        client_auth: false,
        constraints,
        not_before,
        not_after,
        serial: &serial,
        key_id: key.key_id(),
    };
    let p = params(&profile, "gallery")?;
    let cert = match issuer {
        None => p.self_signed(&key)?,
        Some(i) => p.signed_by(&key, &rcgen::Issuer::from_params(&i.params, &i.key))?,
    };
    Ok(Ca {
        der: cert.der().to_vec(),
        key,
        params: p,
        not_after,
    })
}

/// A leaf: signed by `issuer`, or by its own key when `issuer` is `None`.
pub(super) fn leaf(
    def: &LeafDef,
    key: KeyPair,
    issuer: Option<&Ca>,
    now: OffsetDateTime,
) -> Result<Leaf, Error> {
    let serial = rng::serial()?;
    let subject = subject();
    let profile = Profile {
        role: if def.server_auth {
            Role::Server
        } else {
            Role::Client
        },
        common_name: &def.cn,
        subject: &subject,
        unit: None,
        sans: &def.sans,
        key: def.key,
        server_auth: def.server_auth,
        client_auth: def.client_auth,
        constraints: &[],
        not_before: now + def.window.0,
        not_after: now + def.window.1,
        serial: &serial,
        key_id: key.key_id(),
    };
    let mut p = params(&profile, "gallery")?;
    if !def.server_auth && !def.client_auth {
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
    }
    let cert = match issuer {
        None => {
            p.use_authority_key_identifier_extension = false;
            p.self_signed(&key)?
        }
        Some(i) => p.signed_by(&key, &rcgen::Issuer::from_params(&i.params, &i.key))?,
    };
    Ok(Leaf {
        der: cert.der().to_vec(),
        key,
        serial: serial.to_vec(),
    })
}
