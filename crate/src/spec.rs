//! What to issue: the [`Spec`] the page and the CLI both fill in, and the presets.
//!
//! A spec is plain data (serde). It is checked by [`crate::validate`] before any key is made.

use crate::error::{Error, ErrorKind};
use crate::keys::KeyAlgorithm;
use serde::{Deserialize, Serialize};

/// Default validity of a root CA: 10 years.
pub const DEFAULT_ROOT_DAYS: u32 = 3650;
/// Default validity of an intermediate CA: 5 years.
pub const DEFAULT_INTERMEDIATE_DAYS: u32 = 1825;
/// Default validity of a leaf. 397 days is what public CAs may issue (CA/B Forum) and sits
/// well inside Apple's 825-day limit for TLS server certificates (HT210176), so a leaf made
/// with defaults is accepted by every client we know of.
pub const DEFAULT_LEAF_DAYS: u32 = 397;
/// Default PBKDF2-HMAC-SHA256 iterations for encrypted private keys. 600,000 is OWASP's 2023
/// figure but costs ~1 s per key in wasm; a kit of hundreds of device keys would take minutes.
pub const DEFAULT_KDF_ITERATIONS: u32 = 100_000;

/// Everything a kit should contain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Spec {
    /// Organisation written into the CA subjects (O=), e.g. "certlab lab PKI".
    pub organization: String,
    /// The root CA, which signs the intermediate (if any) or the leaves.
    pub root: CaSpec,
    /// An optional intermediate CA (pathLen 0) under the root; it then signs every server and
    /// device leaf, and the clients unless there is a separate client CA.
    pub intermediate: Option<CaSpec>,
    /// An optional second, separate root that signs only the client certificates, so a
    /// server can trust "clients of this lab" without trusting its own server CA for them.
    pub client_ca: Option<CaSpec>,
    /// TLS servers.
    pub servers: Vec<ServerSpec>,
    /// Mutual-TLS clients (people).
    pub clients: Vec<ClientSpec>,
    /// Batches of IoT devices named from a pattern.
    pub devices: Vec<DeviceBatch>,
    /// Password of every PKCS#12 file. Required and non-empty: iOS and macOS refuse to import
    /// a .p12 with an empty password.
    pub p12_password: String,
    /// Which PKCS#12 flavours to write for every leaf (default: both).
    pub p12_flavours: P12Flavours,
    /// If set, private keys are also written encrypted (`ENCRYPTED PRIVATE KEY`).
    pub key_password: Option<String>,
    /// How encrypted private keys are protected.
    pub key_encryption: KeyEncryption,
    /// Name constraints put on the CAs.
    pub name_constraints: NameConstraints,
    /// Each device gets its own random .p12 password (and key passphrase when keys are
    /// encrypted), listed in `devices.csv`; otherwise every file shares the kit's.
    pub per_device_secrets: bool,
    /// Subject fields every identity gets unless it sets its own (its CN aside). CAs take C,
    /// ST, L and O from here (O defaulting to [`Spec::organization`]) and always carry the
    /// kit's random OU.
    pub subject: SubjectFields,
}

/// Subject fields besides the CN, as lab guides and Cute-server put on every certificate.
/// Empty or absent fields are left out. Bounds are RFC 5280's (appendix A.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SubjectFields {
    /// O, organisation (at most 64 characters).
    pub organization: Option<String>,
    /// OU, organisational unit (at most 64 characters).
    pub organizational_unit: Option<String>,
    /// C, country: two letters (ISO 3166), e.g. `FR`.
    pub country: Option<String>,
    /// ST, state or province (at most 128 characters).
    pub state: Option<String>,
    /// L, locality (at most 128 characters).
    pub locality: Option<String>,
}

impl SubjectFields {
    /// Each field of `self`, else the one of `defaults`; empty ones count as absent.
    pub fn or(&self, defaults: &SubjectFields) -> SubjectFields {
        let pick = |a: &Option<String>, b: &Option<String>| {
            a.as_ref()
                .or(b.as_ref())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        SubjectFields {
            organization: pick(&self.organization, &defaults.organization),
            organizational_unit: pick(&self.organizational_unit, &defaults.organizational_unit),
            country: pick(&self.country, &defaults.country),
            state: pick(&self.state, &defaults.state),
            locality: pick(&self.locality, &defaults.locality),
        }
    }
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            organization: "certlab lab PKI".into(),
            root: CaSpec::named("ca", "certlab Root CA", DEFAULT_ROOT_DAYS),
            intermediate: None,
            client_ca: None,
            servers: Vec::new(),
            clients: Vec::new(),
            devices: Vec::new(),
            p12_password: String::new(),
            p12_flavours: P12Flavours::Both,
            key_password: None,
            key_encryption: KeyEncryption::default(),
            name_constraints: NameConstraints::Auto,
            subject: SubjectFields::default(),
            per_device_secrets: false,
        }
    }
}

impl Spec {
    /// Reads a spec from JSON text (a `--spec` file): a UTF-8 byte-order mark is skipped, the
    /// top level must be an object, and a mistake is reported with its line and column.
    pub fn from_json(bytes: &[u8], field: &str) -> Result<Spec, Error> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first != Some(&b'{') {
            return Err(Error::field(
                field,
                ErrorKind::Inconsistent,
                "the spec is not a JSON object (it must start with `{`)",
                "write the spec as one object, e.g. {\"servers\": [{\"names\": [\"localhost\"]}]} (see the README for the fields)",
            ));
        }
        // serde_path_to_error names the field a value was wrong for (`servers[0].days`).
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let spec = serde_path_to_error::deserialize::<_, Spec>(&mut de)
            .map_err(|e| (e.path().to_string(), e.into_inner()))
            .and_then(|s| de.end().map(|()| s).map_err(|e| (String::new(), e)));
        spec.map_err(|(path, e)| {
            let at = if path == "." || path.is_empty() {
                String::new()
            } else {
                format!(" (field `{path}`)")
            };
            Error::field(
                field,
                ErrorKind::Inconsistent,
                format!(
                    "the spec JSON is not valid at line {}, column {}{at}: {}",
                    e.line(),
                    e.column(),
                    short(&e.to_string())
                ),
                "fix the JSON there (the README lists the fields)",
            )
        })
    }
}

/// serde_json's message without its trailing " at line L column C" (said once, above).
fn short(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}

/// A certificate authority to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaSpec {
    /// File stem and identity name (`ca`, `inter`, `client-ca`).
    pub name: String,
    /// Subject common name. Always set: iOS hides roots without a CN (mkcert #47).
    pub common_name: String,
    /// Key algorithm.
    pub key: KeyAlgorithm,
    /// Validity in days.
    pub days: u32,
}

impl CaSpec {
    /// A CA with the given name, CN and validity, ECDSA P-256.
    pub fn named(name: &str, cn: &str, days: u32) -> Self {
        CaSpec {
            name: name.into(),
            common_name: cn.into(),
            key: KeyAlgorithm::default(),
            days,
        }
    }

    /// The intermediate a kit gets when one is asked for (`inter`, 5 years), with `key`.
    pub fn intermediate(key: KeyAlgorithm) -> Self {
        CaSpec {
            key,
            ..CaSpec::named(
                "inter",
                "certlab Intermediate CA",
                DEFAULT_INTERMEDIATE_DAYS,
            )
        }
    }

    /// The separate client CA a kit gets when one is asked for (`client-ca`, 10 years).
    pub fn client_ca(key: KeyAlgorithm) -> Self {
        CaSpec {
            key,
            ..CaSpec::named("client-ca", "certlab Client CA", DEFAULT_ROOT_DAYS)
        }
    }
}

impl Default for CaSpec {
    fn default() -> Self {
        CaSpec::named("ca", "certlab Root CA", DEFAULT_ROOT_DAYS)
    }
}

/// A TLS server certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSpec {
    /// File stem and identity name.
    pub name: String,
    /// DNS names (wildcards allowed as the whole left-most label), IPv4 and IPv6 addresses.
    pub names: Vec<String>,
    /// Subject CN; defaults to the first name. Clients ignore it (they read the SAN).
    pub common_name: Option<String>,
    /// Key algorithm.
    pub key: KeyAlgorithm,
    /// Validity in days.
    pub days: u32,
    /// Also a TLS client (EKU clientAuth): for reverse connections, where the server dials out
    /// and proves itself with this certificate (ParaQ's arrangement).
    pub client_auth: bool,
    /// Subject fields of this server (else the kit's, [`Spec::subject`]).
    pub subject: SubjectFields,
}

impl Default for ServerSpec {
    fn default() -> Self {
        ServerSpec {
            name: "server".into(),
            names: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            common_name: None,
            key: KeyAlgorithm::default(),
            days: DEFAULT_LEAF_DAYS,
            client_auth: false,
            subject: SubjectFields::default(),
        }
    }
}

/// A mutual-TLS client certificate for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientSpec {
    /// File stem and identity name; when empty, made from the CN: lower-case, with `-` for
    /// spaces and other characters a file name should not hold (`Alice Smith` → `alice-smith`).
    pub name: String,
    /// Subject CN: the user name the server sees.
    pub common_name: String,
    /// Optional e-mail address, written as an rfc822Name SAN.
    pub email: Option<String>,
    /// Key algorithm.
    pub key: KeyAlgorithm,
    /// Validity in days.
    pub days: u32,
    /// Also a TLS server (EKU serverAuth) for [`ClientSpec::names`]: for reverse connections,
    /// where the client listens with its client identity and the server dials it.
    pub server_auth: bool,
    /// Host names and addresses (DNS/IP SANs) the client is reached at when it also serves.
    pub names: Vec<String>,
    /// Subject fields of this client (else the kit's, [`Spec::subject`]).
    pub subject: SubjectFields,
}

impl Default for ClientSpec {
    fn default() -> Self {
        ClientSpec {
            name: String::new(),
            common_name: "alice".into(),
            email: None,
            key: KeyAlgorithm::default(),
            days: DEFAULT_LEAF_DAYS,
            server_auth: false,
            names: Vec::new(),
            subject: SubjectFields::default(),
        }
    }
}

/// A batch of device certificates, named from a pattern or from a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeviceBatch {
    /// The devices as a list, one per line: a name (serial number, MAC address, host name)
    /// or CSV under a header line `name,names,email,o,ou,c,st,l` (any of the columns after
    /// `name`). When set, `pattern`, `count` and `start` are not used. Errors name the line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
    /// CN pattern; `{n}` is the device number, `{n:04}` zero-padded to 4 digits.
    pub pattern: String,
    /// Number of devices.
    pub count: u32,
    /// First device number.
    pub start: u32,
    /// Key algorithm.
    pub key: KeyAlgorithm,
    /// Validity in days.
    pub days: u32,
    /// Also allow server use (EKU serverAuth, the CN as a DNS SAN), for devices that listen.
    pub server_auth: bool,
    /// Subject fields of every device of the batch (else the kit's, [`Spec::subject`]).
    pub subject: SubjectFields,
}

impl Default for DeviceBatch {
    fn default() -> Self {
        DeviceBatch {
            list: None,
            pattern: "sensor-{n:04}".into(),
            count: 10,
            start: 1,
            key: KeyAlgorithm::default(),
            days: DEFAULT_LEAF_DAYS,
            server_auth: false,
            subject: SubjectFields::default(),
        }
    }
}

/// Which PKCS#12 files a kit carries per leaf.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum P12Flavours {
    /// `NAME.p12` (compatible) and `NAME.modern.p12`.
    #[default]
    Both,
    /// Only `NAME.p12`: 3DES + SHA-1 MAC, what macOS, iOS, Android and old Windows import.
    Compatible,
    /// Only `NAME.modern.p12`: AES-256 + SHA-256 MAC (OpenSSL 3, Windows 10+, NSS); macOS's
    /// Keychain and iOS refuse it.
    Modern,
}

impl P12Flavours {
    /// Whether the compatible (`.p12`) file is written.
    pub fn compatible(self) -> bool {
        matches!(self, P12Flavours::Both | P12Flavours::Compatible)
    }
    /// Whether the modern (`.modern.p12`) file is written.
    pub fn modern(self) -> bool {
        matches!(self, P12Flavours::Both | P12Flavours::Modern)
    }
}

/// How `ENCRYPTED PRIVATE KEY` files are protected (PBES2, AES-256-CBC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyEncryption {
    /// PBKDF2-HMAC-SHA256 with this many iterations.
    Pbkdf2 {
        /// Iteration count (≥ 10,000).
        iterations: u32,
    },
    /// scrypt N=2^14, r=8, p=1 (the parameters OpenSSL 3 accepts).
    Scrypt,
}

impl Default for KeyEncryption {
    fn default() -> Self {
        KeyEncryption::Pbkdf2 {
            iterations: DEFAULT_KDF_ITERATIONS,
        }
    }
}

/// Name constraints on the CAs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum NameConstraints {
    /// Permit exactly what the kit issues: each single-label name (`localhost`), the private
    /// top-level domain of lab names (`lab` for `mqtt.lab`), other names as written, loopback
    /// ranges (`127.0.0.0/8`, `::1/128`) and other addresses as /32 or /128. A leaked CA key
    /// then cannot impersonate real sites (Chrome enforces this on local roots since 112).
    #[default]
    Auto,
    /// No constraints.
    None,
    /// Exactly these permitted subtrees: DNS names (`lab`, `example.test`) or CIDR ranges
    /// (`10.0.0.0/8`, `fd00::/8`).
    Permitted(Vec<String>),
}

/// The presets the CLI and the page start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// Root + a server for `localhost`, `127.0.0.1`, `::1`.
    Dev,
    /// `Dev` + clients `alice` and `bob`.
    Mtls,
    /// Root + intermediate + an MQTT broker + 10 devices `sensor-0001`….
    Iot,
}

impl Preset {
    /// Builds the preset's spec with `key` for every identity.
    pub fn spec(self, key: KeyAlgorithm) -> Spec {
        let mut spec = Spec {
            p12_password: "changeit".into(),
            ..Spec::default()
        };
        spec.root.key = key;
        let server = ServerSpec {
            key,
            ..ServerSpec::default()
        };
        match self {
            Preset::Dev => spec.servers.push(server),
            Preset::Mtls => {
                spec.servers.push(server);
                for cn in ["alice", "bob"] {
                    spec.clients.push(ClientSpec {
                        name: cn.into(),
                        common_name: cn.into(),
                        key,
                        ..ClientSpec::default()
                    });
                }
            }
            Preset::Iot => {
                spec.intermediate = Some(CaSpec::intermediate(key));
                spec.servers.push(ServerSpec {
                    name: "broker".into(),
                    names: vec![
                        "broker.lab".into(),
                        "localhost".into(),
                        "127.0.0.1".into(),
                        "::1".into(),
                    ],
                    key,
                    ..ServerSpec::default()
                });
                spec.devices.push(DeviceBatch {
                    key,
                    ..DeviceBatch::default()
                });
            }
        }
        spec
    }
}
