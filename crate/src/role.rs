//! The part an identity plays: root, intermediate, server, client or device. The spec, the
//! plan, the manifest and every view speak of identities by it.

use serde::{Deserialize, Serialize};

/// What an identity is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[derive(Default)]
pub enum Role {
    /// Self-signed root CA.
    RootCa,
    /// Intermediate CA (pathLen 0).
    IntermediateCa,
    /// TLS server leaf.
    Server,
    /// TLS client leaf for a person.
    #[default]
    Client,
    /// IoT device leaf.
    Device,
}

impl Role {
    /// True for root and intermediate CAs.
    pub fn is_ca(self) -> bool {
        matches!(self, Role::RootCa | Role::IntermediateCa)
    }

    /// The manifest's spelling (`root-ca`, `server`, …).
    pub fn id(self) -> &'static str {
        match self {
            Role::RootCa => "root-ca",
            Role::IntermediateCa => "intermediate-ca",
            Role::Server => "server",
            Role::Client => "client",
            Role::Device => "device",
        }
    }
}
