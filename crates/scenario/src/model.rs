//! The scenario data types, as they appear in `scenarios/<group>/<name>.toml`.
//! Unknown fields are errors everywhere (`deny_unknown_fields`).

use crate::{ExtendedKeyUsage, KeyUsage, Offset, SignatureHash, SslMode, X509Version};
use serde::{Deserialize, Deserializer, Serialize};
use std::{collections::BTreeMap, fmt, net::IpAddr};

/// One scenario: a TLS setup and the clients that try it. Its id is its path under
/// `scenarios/` without `.toml`, e.g. `basic/expired-server-cert`.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Path-derived id, e.g. `basic/expired-server-cert`; set by [`crate::load`], not read from the file.
    #[serde(skip)]
    pub id: String,
    /// One line saying what is broken and what a user would see.
    pub description: String,
    /// URL of the bug report this scenario reproduces, if any.
    #[serde(default)]
    pub source: Option<String>,
    /// The error text the reporter saw, verbatim (one line). The matrix looks for it,
    /// normalized, in every cell's outcome (or, with `reported_in = "server-log"`, in the
    /// server's log), and says where it was seen or which cell came closest. An ellipsis
    /// (`...`, `…`) is a gap; a leading `ERROR 2026 (HY000):`, `Error:` or exception type is
    /// separated from the message, its code compared with the cell's.
    #[serde(default)]
    pub reported: Option<String>,
    /// Where the reporter saw `reported`: `client` (default: a client's error) or
    /// `server-log` (a line of the server's error log).
    #[serde(default)]
    pub reported_in: ReportedIn,
    /// The reporter's client: a client name (`mysqlclient`) or a library family (`libmariadb`,
    /// `libmysqlclient`, `openssl-python`, `go`, `java`, `node`, `rustls`, `native-tls`), so
    /// the verdict says whether the reporter's own client reproduces it or only others do.
    #[serde(default)]
    pub reporter: Option<String>,
    /// Free-form notes for reviewers.
    #[serde(default)]
    pub notes: Option<String>,
    /// Certificates to mint, by name (`[certs.ca]`, `[certs.server]`, …).
    pub certs: BTreeMap<String, CertSpec>,
    /// Files of the fixture directory, by file name (`"server-cert.pem"`), each holding
    /// certificates or a key.
    pub files: BTreeMap<String, FileSpec>,
    /// Server-side settings.
    #[serde(default)]
    pub server: ServerSpec,
    /// Client-side settings.
    #[serde(default)]
    pub client: ClientSpec,
    /// A TLS reload after boot (files swapped, then `ALTER INSTANCE RELOAD TLS` / `FLUSH SSL`);
    /// clients run after it.
    #[serde(default)]
    pub reload: Option<ReloadSpec>,
    /// Facts declared by hand where the certificate model cannot derive them, e.g. a server
    /// that serves certificates the scenario did not make; they override the derived ones when
    /// the ssl-mode contract judges each cell.
    #[serde(default)]
    pub facts: Option<FactsSpec>,
    /// An attacker in the middle (`[attack]`): the clients dial the same host and port, and an
    /// interposer there talks to them in the server's place.
    #[serde(default)]
    pub attack: Option<AttackSpec>,
    /// A network fault between client and server (`[fault]`), played by the same interposer.
    #[serde(default)]
    pub fault: Option<FaultSpec>,
}

impl Scenario {
    /// Whether an interposer stands between the clients and the server (`[attack]` or
    /// `[fault]`): the server then listens on [`INTERPOSED_SERVER_PORT`] and the interposer
    /// takes 3306.
    pub fn interposed(&self) -> bool {
        self.attack.is_some() || self.fault.is_some()
    }
}

/// Where a bug report's `reported` text was seen.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ReportedIn {
    /// A client's error (the default).
    #[default]
    Client,
    /// A line of the server's error log.
    ServerLog,
}

/// The port the server listens on inside its network namespace when an interposer takes 3306.
pub const INTERPOSED_SERVER_PORT: u16 = 3307;

/// What the attacker in the middle does to every connection (`[attack]`, `kind = …`).
/// CVE-2015-3152 ("BACKRONYM") is `strip_tls`; CVE-2017-3305 ("Riddle") is `plaintext_error`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AttackSpec {
    /// An honest relay that must change nothing: the same table as without an interposer.
    PassThrough,
    /// Terminates the client's TLS with a chain of the scenario's choice and relays the login
    /// to the real server over its own TLS.
    Impersonate {
        /// Fixture file (in `[files]`) of the chain the attacker sends, leaf first, exactly as
        /// sent (nothing is completed from a CA file).
        cert: String,
        /// Fixture file of the leaf's private key.
        key: String,
    },
    /// Clears CLIENT_SSL in the server's greeting and relays the rest (BACKRONYM).
    StripTls,
    /// Clears CLIENT_SSL in the greeting and answers the client's login with an error the
    /// attacker wrote, in plaintext (Riddle); the server never sees the login.
    PlaintextError {
        /// The error text; default [`ATTACKER_ERROR`].
        #[serde(default = "attacker_error")]
        message: String,
    },
    /// Terminates TLS with the server's own certificate and key (`server.ssl_cert`,
    /// `server.ssl_key`, sent as the file holds them) but offers at most `max_tls_version`.
    Downgrade {
        /// `"TLSv1.2"` (rustls offers nothing older).
        max_tls_version: String,
    },
}

/// The error text `plaintext_error` injects unless the scenario gives its own; clients that
/// show it to the user printed a message the attacker wrote.
pub const ATTACKER_ERROR: &str = "Access denied: message written by the attacker in the middle";

fn attacker_error() -> String {
    ATTACKER_ERROR.to_owned()
}

/// A network fault between client and server (`[fault]`, `kind = …`). Each cell records how
/// long the client waited; the interposer gives up after the cell's bound.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultSpec {
    /// Relays the greeting, then nothing.
    StallAfterGreeting,
    /// Relays greeting and SSLRequest, reads the ClientHello, then nothing.
    StallAfterClientHello,
    /// Resets the connection (TCP RST) right after the client's SSLRequest (and the ClientHello
    /// behind it, so every client is reading when the reset arrives).
    ResetAfterSslRequest,
    /// Relays the ClientHello and the server's first TLS flight, then resets the connection.
    ResetMidHandshake,
    /// Relays everything, server-to-client one byte every `gap_ms` milliseconds.
    Trickle {
        /// Milliseconds between two bytes to the client.
        gap_ms: u64,
    },
    /// Sends the greeting, then closes the connection.
    CloseAfterGreeting,
}

/// Facts a scenario declares instead of letting them be derived (`[facts]`).
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactsSpec {
    /// Whether the chain the server sends verifies against the client's CA file.
    #[serde(default)]
    pub chain_valid: Option<bool>,
    /// Whether the dialled host matches the server certificate.
    #[serde(default)]
    pub name_matches: Option<bool>,
    /// Why the facts cannot be derived (one line; shown with the facts).
    pub why: String,
}

/// Certificates renewed (or broken) at runtime: files overwritten in the server's fixture
/// directory, then the flavor's reload statement.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReloadSpec {
    /// Files written over the booted ones (same form as `[files]`); the client side sees them too.
    pub files: BTreeMap<String, FileSpec>,
    /// MySQL: `ALTER INSTANCE RELOAD TLS NO ROLLBACK ON ERROR` (install what loads, even if
    /// that means TLS off). MariaDB's `FLUSH SSL` has no such option and ignores this.
    #[serde(default)]
    pub no_rollback_on_error: bool,
}

/// One X.509 certificate to mint.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CertSpec {
    /// Subject common name (CN).
    pub subject_cn: String,
    /// Name of the issuing certificate in `certs`; absent means self-signed.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Whether to set `basicConstraints CA:TRUE` with `keyCertSign`/`cRLSign` key usage.
    #[serde(default)]
    pub is_ca: bool,
    /// Test key (file stem under `crates/certgen/test-keys/`, e.g. `rsa2048-1`) that this
    /// certificate certifies.
    pub key: String,
    /// subjectAltName entries in OpenSSL notation: `"DNS:localhost"`, `"IP:127.0.0.1"`.
    #[serde(default)]
    pub san: Vec<SubjectAltName>,
    /// `notBefore`, relative to `now`; default `"-1d"`.
    #[serde(default = "default_not_before")]
    pub not_before: Offset,
    /// `notAfter`, relative to `now`; default `"+365d"`.
    #[serde(default = "default_not_after")]
    pub not_after: Offset,
    /// `basicConstraints pathlen` of a CA; absent means unconstrained.
    #[serde(default)]
    pub path_len: Option<u8>,
    /// `keyUsage` bits; absent means the usual ones (CA: keyCertSign, cRLSign,
    /// digitalSignature; leaf: digitalSignature, keyEncipherment); `[]` omits the extension.
    #[serde(default)]
    pub key_usage: Option<Vec<KeyUsage>>,
    /// `extendedKeyUsage` purposes; empty (default) omits the extension.
    #[serde(default)]
    pub eku: Vec<ExtendedKeyUsage>,
    /// X.509 version, `1` or `3` (default). Version 1 certificates carry no extensions.
    #[serde(default)]
    pub version: X509Version,
    /// Hash of the issuer's signature over this certificate; default `sha256`.
    #[serde(default)]
    pub signature: SignatureHash,
    /// Serial number as hex (e.g. `"01"`); default derived from the certificate's name.
    /// Two certificates with the same serial express the duplicate-serial defect.
    #[serde(default)]
    pub serial: Option<String>,
}

fn default_not_before() -> Offset {
    Offset::days(-1)
}

fn default_not_after() -> Offset {
    Offset::days(365)
}

/// A subjectAltName entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub enum SubjectAltName {
    /// `DNS:<name>`, including wildcards such as `*.db.test`.
    Dns(String),
    /// `IP:<address>`, IPv4 or IPv6.
    Ip(IpAddr),
}

impl fmt::Display for SubjectAltName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubjectAltName::Dns(name) => write!(f, "DNS:{name}"),
            SubjectAltName::Ip(ip) => write!(f, "IP:{ip}"),
        }
    }
}

impl schemars::JsonSchema for SubjectAltName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SubjectAltName".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^(DNS:.+|IP:.+)$",
            "description": "subjectAltName in OpenSSL notation: \"DNS:<name>\" or \"IP:<address>\""
        })
    }
}

impl From<SubjectAltName> for String {
    fn from(san: SubjectAltName) -> String {
        san.to_string()
    }
}

impl<'de> Deserialize<'de> for SubjectAltName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if let Some(name) = s.strip_prefix("DNS:") {
            if !name.is_empty() {
                return Ok(SubjectAltName::Dns(name.to_owned()));
            }
        } else if let Some(ip) = s.strip_prefix("IP:") {
            return ip.parse().map(SubjectAltName::Ip).map_err(|_| {
                serde::de::Error::custom(format!("`{s}`: `{ip}` is not an IPv4 or IPv6 address"))
            });
        }
        Err(serde::de::Error::custom(format!(
            "`{s}`: expected a SAN in OpenSSL notation, \"DNS:<name>\" or \"IP:<address>\""
        )))
    }
}

/// Contents of one fixture file: certificates (in order, e.g. leaf then intermediate), one key,
/// or one CRL; then how it is encoded, damaged and permissioned.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// Names of certificates in `certs`, written in this order.
    #[serde(default)]
    pub certs: Vec<String>,
    /// Test key name (e.g. `rsa2048-2`) whose private key this file holds.
    #[serde(default)]
    pub key: Option<String>,
    /// A certificate revocation list.
    #[serde(default)]
    pub crl: Option<CrlSpec>,
    /// How the file is encoded; default `pem`.
    #[serde(default)]
    pub encoding: Encoding,
    /// Key files only: encrypt the PKCS#8 key with this passphrase (PBES2, AES-256-CBC).
    #[serde(default)]
    pub passphrase: Option<String>,
    /// Damage applied to the encoded bytes.
    #[serde(default)]
    pub fault: Option<FileFault>,
    /// Unix permission bits as octal text, e.g. `"0000"` (unreadable to a non-root server);
    /// default `"0644"`.
    #[serde(default)]
    pub mode: Option<String>,
}

/// A CRL signed by `issuer` listing `revoked` certificates.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CrlSpec {
    /// Name of the signing CA in `certs`.
    pub issuer: String,
    /// Names of revoked certificates in `certs`.
    #[serde(default)]
    pub revoked: Vec<String>,
    /// `thisUpdate`, relative to `now`; default `"-1d"`.
    #[serde(default = "default_not_before")]
    pub this_update: Offset,
    /// `nextUpdate`, relative to `now`; default `"+30d"`.
    #[serde(default = "default_next_update")]
    pub next_update: Offset,
}

fn default_next_update() -> Offset {
    Offset::days(30)
}

/// Byte-level damage to a fixture file, applied after encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FileFault {
    /// Only the first half of the bytes (a PEM loses its END line).
    Truncated,
    /// Line endings converted to CRLF.
    Crlf,
    /// A UTF-8 byte-order mark (EF BB BF) before the content.
    Bom,
    /// One base64 character inside the first PEM block replaced by `!` (invalid base64).
    GarbageBase64,
    /// Human text before the first PEM block (as copied from a web page or e-mail).
    LeadingText,
    /// Zero bytes.
    Empty,
    /// Not written at all (the server or client still points at it).
    Missing,
}

/// File encoding.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// Base64 with `-----BEGIN …-----` armor (RFC 7468); several blocks concatenate.
    #[default]
    Pem,
    /// Raw DER bytes; a certificate list becomes the first certificate only.
    Der,
}

/// Server-side TLS settings, rendered into the server's my.cnf.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSpec {
    /// Flavors to run on (`mysql-9`, `mariadb-10.11`, `mariadb-11.8`); empty (default) = all.
    pub flavors: Vec<String>,
    /// Server image this scenario is pinned to instead of the built-in flavors, as
    /// `NAME:TAG` (e.g. `mysql:8.0.28`, the version a customer runs). The image must be in the
    /// local Docker engine (`docker pull` it first); family and version are read from the
    /// running server, and the snapshot is `<scenario>@<family>-<version>.snap`. Exclusive
    /// with `flavors`. `cargo xtask matrix --image` overrides it; `--flavor` skips the scenario.
    pub image: Option<String>,
    /// Whether TLS is configured at all; `false` renders MySQL `tls_version=''` / MariaDB
    /// `skip-ssl` and no `ssl_*` files. Default `true`.
    pub tls: bool,
    /// Fixture file given as `ssl_ca`; default `ca.pem`.
    pub ssl_ca: String,
    /// Fixture file given as `ssl_cert`; default `server-cert.pem`.
    pub ssl_cert: String,
    /// Fixture file given as `ssl_key`; default `server-key.pem`.
    pub ssl_key: String,
    /// Fixture file given as `ssl_crl`, if any (the server checks client certificates against it).
    pub ssl_crl: Option<String>,
    /// `tls_version`, e.g. `"TLSv1.3"` or `"TLSv1.2"`.
    pub tls_version: Option<String>,
    /// `ssl_cipher` (TLS ≤ 1.2 cipher list, OpenSSL syntax).
    pub ssl_cipher: Option<String>,
    /// `tls_ciphersuites` (TLS 1.3 suites; MySQL only, ignored by MariaDB via `loose-`).
    pub tls_ciphersuites: Option<String>,
    /// `require_secure_transport=ON`: plaintext logins refused (error 3159 on MySQL).
    pub require_secure_transport: bool,
    /// The account clients log in as, if not the default `harness` (no REQUIRE clause).
    pub account: Option<AccountSpec>,
}

/// An account created at boot for the clients to log in as, with a `REQUIRE` clause.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountSpec {
    /// The `REQUIRE` clause: `SSL`, `X509`, or an issuer/subject DN.
    pub require: Require,
}

/// `CREATE USER … REQUIRE …` (MySQL/MariaDB account TLS requirements).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Require {
    /// `REQUIRE NONE`.
    None,
    /// `REQUIRE SSL`: any TLS connection.
    Ssl,
    /// `REQUIRE X509`: TLS with a client certificate that verifies against the server's CA.
    X509,
    /// `REQUIRE ISSUER '<dn>'`: client certificate issued by this DN, e.g. `/CN=Test CA`.
    Issuer(String),
    /// `REQUIRE SUBJECT '<dn>'`: client certificate with this subject DN.
    Subject(String),
}

impl Default for ServerSpec {
    fn default() -> Self {
        ServerSpec {
            flavors: Vec::new(),
            image: None,
            tls: true,
            ssl_ca: "ca.pem".into(),
            ssl_cert: "server-cert.pem".into(),
            ssl_key: "server-key.pem".into(),
            ssl_crl: None,
            tls_version: None,
            ssl_cipher: None,
            tls_ciphersuites: None,
            require_secure_transport: false,
            account: None,
        }
    }
}

/// Client-side settings shared by every client adapter.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ClientSpec {
    /// Host name or IP the client dials (and verifies under `VERIFY_IDENTITY`); default
    /// `127.0.0.1`. A loopback IP, `localhost`, or a DNS name such as `db.example.test` that the
    /// harness maps to 127.0.0.1 for every client ([`crate::DialedHost`]).
    pub host: String,
    /// Fixture file the client trusts as its CA bundle (trust anchor); default `ca.pem`.
    pub ca: String,
    /// ssl-modes to try; default all six ([`SslMode::ALL`]).
    pub ssl_modes: Vec<SslMode>,
    /// Fixture file holding a CRL the client checks (`--ssl-crl`), if any.
    pub crl: Option<String>,
    /// Fixture files of the client certificate and key to present, if any.
    pub cert: Option<String>,
    /// Key of `cert`.
    pub key: Option<String>,
    /// `--tls-version` the client allows, e.g. `"TLSv1.2"`.
    pub tls_version: Option<String>,
    /// Connect timeout in milliseconds every client is given, and the cell's bound (the
    /// harness answers `hang` 3 s after it); default the run's cell timeout (10 s). Fault
    /// scenarios set it short, e.g. 1000.
    pub timeout_ms: Option<u64>,
}

impl ClientSpec {
    /// The DNS name the harness must map to 127.0.0.1 for the clients, if `host` is one
    /// (not an IP literal, not `localhost`).
    pub fn mapped_host(&self) -> Option<&str> {
        crate::DialedHost::parse(&self.host)
            .ok()
            .and_then(crate::DialedHost::mapped_name)
    }
}

impl Default for ClientSpec {
    fn default() -> Self {
        ClientSpec {
            host: "127.0.0.1".into(),
            ca: "ca.pem".into(),
            ssl_modes: SslMode::ALL.to_vec(),
            crl: None,
            cert: None,
            key: None,
            tls_version: None,
            timeout_ms: None,
        }
    }
}
