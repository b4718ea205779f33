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
    /// Every file written at boot, by file name order.
    pub files: Vec<FileEntry>,
    /// Files written over them before a TLS reload (`reload/` in the fixture directory).
    pub reload_files: Vec<FileEntry>,
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
    /// Key type and size, e.g. `RSA-2048`, `P-256`, `Ed25519`.
    pub key_type: String,
    /// X.509 version, 1 or 3.
    pub version: u8,
    /// Signature algorithm, e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `ED25519`.
    pub signature: String,
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
    /// CRL issuer and revoked certificates, if a CRL file.
    pub crl: Option<CrlEntry>,
    /// `pem` or `der`.
    pub encoding: String,
    /// Whether a key is encrypted with a passphrase.
    pub encrypted: bool,
    /// Fault applied (`truncated`, `crlf`, …), if any.
    pub fault: Option<String>,
    /// Permission bits, octal, e.g. `0644`.
    pub mode: String,
    /// False when the fault is `missing` (the file is deliberately absent).
    pub written: bool,
}

/// A CRL file's contents.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CrlEntry {
    /// Signing CA.
    pub issuer: String,
    /// Revoked certificates.
    pub revoked: Vec<String>,
}
