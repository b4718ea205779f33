//! `manifest.json`: what every fixture file holds, so a reviewer (or a bug report) can read the
//! setup without openssl. Dates are RFC 3339 UTC; fingerprints are SHA-256 of the DER, hex.

use serde::Serialize;

/// The whole manifest of one fixture directory.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Manifest {
    /// Scenario id, e.g. `basic/expired-server-cert`.
    pub scenario: String,
    /// The `now` validity offsets were resolved against (RFC 3339).
    pub now: String,
    /// Every minted certificate, by scenario name order.
    pub certs: Vec<CertEntry>,
    /// Every file written, by file name order.
    pub files: Vec<FileEntry>,
}

/// One minted certificate.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CertEntry {
    /// Name in the scenario (`[certs.<name>]`).
    pub name: String,
    /// Subject DN, e.g. `CN=MySQL TLS Harness Test CA`.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// `notBefore`, RFC 3339.
    pub not_before: String,
    /// `notAfter`, RFC 3339.
    pub not_after: String,
    /// SANs in OpenSSL notation.
    pub san: Vec<String>,
    /// Whether `basicConstraints CA:TRUE` is set.
    pub is_ca: bool,
    /// Test key certified.
    pub key: String,
    /// SHA-256 of the DER encoding, lowercase hex.
    pub sha256: String,
}

/// One written file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FileEntry {
    /// File name in the fixture directory.
    pub name: String,
    /// Certificates it holds, in order.
    pub certs: Vec<String>,
    /// Test key it holds, if a key file.
    pub key: Option<String>,
    /// `pem` or `der`.
    pub encoding: String,
}
