//! Which file plays which part in a kit: the root that anchors an identity, the chain a
//! server presents, the .p12 a client imports, the CA file a server trusts for clients, and
//! the `openssl verify` command that proves an identity. The one home of those answers:
//! `README.txt`, the page's result cards, its import guide and its tester hints all ask here,
//! so a kit with an intermediate and a separate client CA (whose clients' root is
//! `client-ca.crt`, not `ca.crt`) is described the same way everywhere.

use crate::kit::{Manifest, ManifestIdentity};
use crate::role::Role;

impl Manifest {
    /// The identity named `name`.
    pub fn by_name(&self, name: &str) -> Option<&ManifestIdentity> {
        self.identities.iter().find(|i| i.name == name)
    }

    /// The first identity playing `role`, in kit order.
    pub fn first(&self, role: Role) -> Option<&ManifestIdentity> {
        self.identities.iter().find(|i| i.role == role)
    }

    /// The root that anchors `id`: its issuers walked up to one that names itself (or to the
    /// last one the kit holds, for a leaf issued under an imported intermediate).
    pub fn root_of<'a>(&'a self, id: &'a ManifestIdentity) -> &'a ManifestIdentity {
        let mut cur = id;
        // A chain is at most root → intermediate → leaf; the bound guards a looping manifest.
        for _ in 0..self.identities.len() {
            match self.by_name(&cur.issuer) {
                Some(up) if up.name != cur.name => cur = up,
                _ => break,
            }
        }
        cur
    }

    /// The CA file a server trusts for client certificates: the root of the kit's clients
    /// (the separate client CA when there is one), else of its devices, else of its first
    /// server. `None` for a kit without leaves.
    pub fn client_trust(&self) -> Option<&ManifestIdentity> {
        let leaf = self
            .first(Role::Client)
            .or_else(|| self.first(Role::Device))
            .or_else(|| self.first(Role::Server))?;
        Some(self.root_of(leaf))
    }

    /// The file a server presents: its full chain (leaf and issuers) when it has issuers
    /// beside the root, else its certificate.
    pub fn presented<'a>(&self, server: &'a ManifestIdentity) -> &'a str {
        server
            .files
            .fullchain
            .as_deref()
            .unwrap_or(&server.files.cert)
    }

    /// The `openssl verify` command that proves `id` for what it is for, run in the kit's
    /// folder: its root as `-CAfile`, its issuers as `-untrusted`. `None` for CAs.
    pub fn verify_command(&self, id: &ManifestIdentity) -> Option<String> {
        let purpose = match id.role {
            Role::Server => "sslserver",
            Role::Client | Role::Device => "sslclient",
            Role::RootCa | Role::IntermediateCa => return None,
        };
        let root = self.root_of(id);
        let untrusted = id
            .files
            .chain
            .as_ref()
            .map(|c| format!(" -untrusted {c}"))
            .unwrap_or_default();
        Some(format!(
            "openssl verify -purpose {purpose} -CAfile {}{untrusted} {}",
            root.files.cert, id.files.cert
        ))
    }
}
