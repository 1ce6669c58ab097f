/** Key algorithms certlab issues. Ed25519 is refused by browsers (see the lint). */
export type KeyAlgorithm = "ecdsa-p256" | "ecdsa-p384" | "ed25519" | "rsa2048" | "rsa3072" | "rsa4096";
/** What an identity is for. */
export type Role = "root-ca" | "intermediate-ca" | "server" | "client" | "device";

/** Subject fields besides the CN (RFC 5280 bounds: O, OU 64; ST, L 128; C two capitals). */
export interface SubjectFields { organization?: string | null; organizational_unit?: string | null; country?: string | null; state?: string | null; locality?: string | null; }
/** A certificate authority to create. */
export interface CaSpec { name?: string; common_name?: string; key?: KeyAlgorithm; days?: number; }
/** A TLS server: DNS names (wildcards as the whole first label), IPv4 and IPv6 addresses. */
export interface ServerSpec { name?: string; names?: string[]; common_name?: string | null; key?: KeyAlgorithm; days?: number; client_auth?: boolean; subject?: SubjectFields; }
/** A mutual-TLS client (a person). */
export interface ClientSpec { name?: string; common_name?: string; email?: string | null; key?: KeyAlgorithm; days?: number;
  /** Also a TLS server for `names` (reverse connections: the client listens, the server dials). */
  server_auth?: boolean; names?: string[]; subject?: SubjectFields; }
/** A batch of devices; `pattern` holds `{n}` or `{n:04}`. */
export interface DeviceBatch { /** One device per line, or CSV with a header `name,names,email,o,ou,c,st,l`; replaces pattern/count/start. */ list?: string | null; pattern?: string; count?: number; start?: number; key?: KeyAlgorithm; days?: number; server_auth?: boolean; subject?: SubjectFields; }
/** PBES2 AES-256-CBC with PBKDF2-SHA256 (iterations ≥ 10000) or scrypt. */
export type KeyEncryption = { pbkdf2: { iterations: number } } | "scrypt";
/** `auto` = exactly the kit's names; `none`; or DNS names / CIDR ranges. */
export type NameConstraints = "auto" | "none" | { permitted: string[] };

/** Everything a kit should contain; omitted fields take the defaults. */
/** "compatible" = NAME.p12 (3DES, SHA-1 MAC: macOS, iOS, Android); "modern" = NAME.modern.p12 (AES-256, SHA-256 MAC). */
export type P12Flavours = "both" | "compatible" | "modern";

export interface Spec {
  organization?: string;
  root?: CaSpec;
  intermediate?: CaSpec | null;
  client_ca?: CaSpec | null;
  servers?: ServerSpec[];
  clients?: ClientSpec[];
  devices?: DeviceBatch[];
  /** Required, non-empty: iOS and macOS refuse a .p12 with an empty password. */
  p12_password?: string;
  /** Which .p12 files each leaf gets (default "both"). */
  p12_flavours?: P12Flavours;
  key_password?: string | null;
  key_encryption?: KeyEncryption;
  name_constraints?: NameConstraints;
  /** Subject fields every identity gets unless it sets its own. */
  subject?: SubjectFields;
  /** Each device gets its own random .p12 password (and key passphrase), listed in devices.csv. */
  per_device_secrets?: boolean;
}

/** One leaf under an imported CA (or the profile for a CSR). */
export interface LeafRequest {
  role?: "server" | "client" | "device";
  name?: string; common_name?: string; names?: string[]; email?: string | null;
  key?: KeyAlgorithm; days?: number; server_auth?: boolean; client_auth?: boolean; subject?: SubjectFields;
  p12_password?: string; key_password?: string | null; key_encryption?: KeyEncryption;
  /** Which .p12 files the leaf gets (default "both"). */
  p12_flavours?: P12Flavours;
}

export interface GenerateOptions {
  /** Keys made elsewhere (e.g. WebCrypto `exportKey('pkcs8')`), PKCS#8 DER by identity name. */
  keys?: Record<string, Uint8Array>;
  /** Issue time, RFC 3339 (default: now). */
  now?: string;
  /** Also return the kit as a zip. */
  zip?: boolean;
}
export interface IssueOptions extends GenerateOptions { caKeyPassword?: string; }

export type ArtifactKind = "cert" | "der" | "key" | "encrypted-key" | "chain" | "fullchain" | "p12-compat" | "p12-modern" | "c-header" | "crl" | "device-secrets" | "readme" | "manifest";
export interface KitFile { path: string; kind: ArtifactKind; identity: string; secret: boolean; bytes: Uint8Array; }
export interface ManifestFiles { cert: string; key?: string; der: string; chain?: string; fullchain?: string; p12_compat?: string; p12_modern?: string; c_header?: string; crl?: string; }
export interface ManifestIdentity {
  name: string; role: Role; issuer: string; common_name: string; subject: string; sans: string[];
  key_algorithm: KeyAlgorithm; serial: string; not_before: string; not_after: string; sha256: string;
  key_encrypted: boolean; files: ManifestFiles;
}
export interface Manifest { generator: string; issued_at: string; identities: ManifestIdentity[]; device_secrets?: string; }
/** A generated kit: every file with its bytes, the manifest, and the zip when asked for. */
export interface Kit { manifest: Manifest; files: KitFile[]; zip?: Uint8Array; }

export type ErrorKind = "missing" | "too-long" | "invalid-dns-name" | "invalid-ip" | "bad-wildcard" | "invalid-email" | "invalid-validity" | "outlives-issuer" | "weak-key" | "unsupported-algorithm" | "empty-password" | "wrong-password" | "key-mismatch" | "not-a-ca" | "expired" | "bad-pem" | "bad-der" | "bad-signature" | "outside-constraints" | "duplicate-name" | "bad-file-name" | "bad-pattern" | "bad-count" | "bad-list" | "inconsistent";
/** One thing wrong with the input, tied to its field (`servers[0].names[2]`). */
export interface FieldError { field: string; kind: ErrorKind; problem: string; fix: string; }
/** What every function throws: a JS Error with the first problem's field, kind and fix. */
export interface CertlabError extends Error { field: string; kind: ErrorKind | null; fix: string; errors: FieldError[]; }

export type LintRule = "apple-validity825" | "missing-san" | "missing-eku" | "rsa-too-small" | "sha1-signature" | "root-without-cn" | "bad-wildcard" | "ip-as-dns-name" | "outside-name-constraints" | "empty-p12-password" | "ed25519-not-for-browsers" | "ca-as-leaf" | "expired" | "not-yet-valid" | "unconstrained-ca" | "cn-not-in-san" | "client-without-san" | "constraints-vs-mbedtls" | "self-signed-leaf" | "wrong-host" | "unknown-issuer" | "incomplete-chain" | "wrong-purpose" | "revoked" | "client-ca-signs-nothing" | "encrypted-key-vs-firmware";
export interface Finding { rule: LintRule; severity: "error" | "warning" | "info"; subject: string; breaks: string[]; why: string; fix: string; }

export interface CertInfo {
  subject: string; common_name: string | null; issuer: string; serial: string;
  not_before: string; not_after: string; validity_days: number;
  key_algorithm: string; rsa_bits: number | null; signature_algorithm: string;
  is_ca: boolean; path_len: number | null; key_usage: string[]; extended_key_usage: string[];
  sans: string[]; name_constraints: string[]; subject_key_id: string | null; authority_key_id: string | null;
  sha256: string; self_signed: boolean; explained: string[];
}
export interface CsrInfo { common_name: string | null; sans: string[]; key_algorithm: string; signature_algorithm: string; requests_ca: boolean; signature_valid: boolean; }
export interface KeyInfo { key_algorithm: string; key_id: string; }
export type InspectItem = ({ type: "certificate" } & CertInfo) | ({ type: "csr" } & CsrInfo) | ({ type: "private-key" } & KeyInfo);
export interface Inspection { format: "PEM" | "DER" | "PKCS#12"; items: InspectItem[]; findings: Finding[]; }
