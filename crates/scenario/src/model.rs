//! The scenario data types, as they appear in `scenarios/<group>/<name>.toml`.
//! Unknown fields are errors everywhere (`deny_unknown_fields`).

use crate::{Offset, SslMode};
use serde::{Deserialize, Deserializer, Serialize};
use std::{collections::BTreeMap, fmt, net::IpAddr};

/// One scenario: a TLS setup and the clients that try it. Its id is its path under
/// `scenarios/` without `.toml`, e.g. `basic/expired-server-cert`.
#[derive(Debug, Clone, Deserialize, Serialize)]
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
}

/// One X.509 certificate to mint.
#[derive(Debug, Clone, Deserialize, Serialize)]
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

/// Contents of one fixture file: certificates (in order, e.g. leaf then intermediate) or one key.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// Names of certificates in `certs`, written in this order.
    #[serde(default)]
    pub certs: Vec<String>,
    /// Test key name (e.g. `rsa2048-2`) whose private key this file holds.
    #[serde(default)]
    pub key: Option<String>,
    /// How the file is encoded; default `pem`.
    #[serde(default)]
    pub encoding: Encoding,
}

/// File encoding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// Base64 with `-----BEGIN …-----` armor (RFC 7468); several blocks concatenate.
    #[default]
    Pem,
    /// Raw DER bytes; a certificate list becomes the first certificate only.
    Der,
}

/// Server-side TLS settings, rendered into the server's my.cnf.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSpec {
    /// Fixture file given as `ssl_ca`; default `ca.pem`.
    pub ssl_ca: String,
    /// Fixture file given as `ssl_cert`; default `server-cert.pem`.
    pub ssl_cert: String,
    /// Fixture file given as `ssl_key`; default `server-key.pem`.
    pub ssl_key: String,
}

impl Default for ServerSpec {
    fn default() -> Self {
        ServerSpec {
            ssl_ca: "ca.pem".into(),
            ssl_cert: "server-cert.pem".into(),
            ssl_key: "server-key.pem".into(),
        }
    }
}

/// Client-side settings shared by every client adapter.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClientSpec {
    /// Host name or IP the client dials (and verifies under `VERIFY_IDENTITY`); default `127.0.0.1`.
    pub host: String,
    /// Fixture file the client trusts as its CA bundle (trust anchor); default `ca.pem`.
    pub ca: String,
    /// ssl-modes to try; default all five.
    pub ssl_modes: Vec<SslMode>,
}

impl Default for ClientSpec {
    fn default() -> Self {
        ClientSpec {
            host: "127.0.0.1".into(),
            ca: "ca.pem".into(),
            ssl_modes: SslMode::ALL.to_vec(),
        }
    }
}
