//! The diagnosis as data: what was observed (server, versions, suites, chain, client files) and
//! which causes of error 2026 apply, each with evidence and a fix. Serialized with serde
//! (snake_case JSON, `cargo xtask diagnose --json`); the JSON Schema is generated from these
//! types. No I/O here.

use serde::Serialize;

/// A cause of MySQL client error 2026 (and relatives) that the doctor can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CauseKind {
    /// A certificate of the chain (or the CA that anchors it) is past its `notAfter`.
    Expired,
    /// A certificate of the chain is before its `notBefore` (clock skew, or issued "tomorrow").
    NotYetValid,
    /// The chain does not lead to a CA of the given CA file: missing intermediate, wrong CA,
    /// self-signed leaf, an issuer without `CA:TRUE`/`keyCertSign`, path length exceeded.
    ChainUntrusted,
    /// The server name is not among the certificate's subjectAltNames (or only in its CN).
    NameMismatch,
    /// The chain leads to the CA but verifiers refuse a certificate in it: wrong extended key
    /// usage, SHA-1/MD5 signature, too small a key, X.509 v1 leaf (rustls).
    CertificateUnacceptable,
    /// The server certificate is listed in the given CRL.
    Revoked,
    /// Server and common clients share no TLS version (only TLS 1.3, or only < 1.2).
    TlsVersionMismatch,
    /// The server accepts none of the cipher suites clients offer.
    NoSharedCipher,
    /// The TLS handshake fails for a reason not classified above (evidence says how).
    HandshakeFailed,
    /// The server's greeting lacks `CLIENT_SSL`: TLS is off, or its key/certificate files are
    /// unusable (MySQL then starts without TLS and says so in its error log).
    ServerOffersNoTls,
    /// The server refused the client certificate given with `--cert`/`--key`.
    ClientCertificateRejected,
    /// A client-side file (`--ca`, `--cert`, `--key`, `--crl`) cannot be used as given: missing,
    /// unreadable, empty, DER instead of PEM, truncated, encrypted, key not matching cert.
    ClientFileUnusable,
}

impl CauseKind {
    /// The snake_case name used in JSON and text (`chain_untrusted`).
    pub fn name(self) -> &'static str {
        match self {
            CauseKind::Expired => "expired",
            CauseKind::NotYetValid => "not_yet_valid",
            CauseKind::ChainUntrusted => "chain_untrusted",
            CauseKind::NameMismatch => "name_mismatch",
            CauseKind::CertificateUnacceptable => "certificate_unacceptable",
            CauseKind::Revoked => "revoked",
            CauseKind::TlsVersionMismatch => "tls_version_mismatch",
            CauseKind::NoSharedCipher => "no_shared_cipher",
            CauseKind::HandshakeFailed => "handshake_failed",
            CauseKind::ServerOffersNoTls => "server_offers_no_tls",
            CauseKind::ClientCertificateRejected => "client_certificate_rejected",
            CauseKind::ClientFileUnusable => "client_file_unusable",
        }
    }
}

/// How sure the failure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Clients with these inputs (CA file, server name) fail when they verify (VERIFY_CA /
    /// VERIFY_IDENTITY) or require TLS.
    Error,
    /// Some clients fail: those limited to TLS 1.2, those without CN fallback (Go, Java,
    /// rustls), rustls-based ones that reject X.509 v1.
    Warning,
}

/// One cause that applies, with what shows it and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Cause {
    /// Which cause.
    pub cause: CauseKind,
    /// Error (clients with these inputs fail) or warning (some clients fail).
    pub severity: Severity,
    /// Observations, one sentence each (dates RFC 3339 UTC, names as in the certificate).
    pub evidence: Vec<String>,
    /// What to change, and where.
    pub fix: String,
}

/// What was dialed and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Target {
    /// Host dialed.
    pub host: String,
    /// TCP port dialed.
    pub port: u16,
    /// Name checked against the certificate (`--server-name`, default the host).
    pub server_name: String,
}

/// One protocol version probe (a connection offering only that version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct VersionProbe {
    /// `TLSv1.2` or `TLSv1.3` (rustls speaks no older version).
    pub version: String,
    /// Whether the handshake completed.
    pub accepted: bool,
    /// Suite negotiated when accepted.
    pub cipher_suite: Option<String>,
    /// How it failed when not accepted.
    pub failure: Option<crate::probe::Failure>,
}

/// One cipher suite probe (a connection offering only that suite, at its version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SuiteProbe {
    /// Suite name as rustls spells it, e.g. `TLS13_AES_128_GCM_SHA256`,
    /// `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`.
    pub suite: String,
    /// `TLSv1.2` or `TLSv1.3`.
    pub version: String,
    /// Whether the handshake completed.
    pub accepted: bool,
    /// Alert received when refused, snake_case, if any.
    pub alert: Option<String>,
}

/// One certificate, as parsed from DER (x509-parser).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CertInfo {
    /// Subject DN in RFC 4514 form, e.g. `CN=mysql-server`.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number, hex with colons.
    pub serial: String,
    /// `notBefore`, RFC 3339 UTC.
    pub not_before: String,
    /// `notAfter`, RFC 3339 UTC.
    pub not_after: String,
    /// subjectAltName entries in OpenSSL notation (`DNS:localhost`, `IP:127.0.0.1`); `None`
    /// when the certificate has no subjectAltName extension.
    pub san: Option<Vec<String>>,
    /// `basicConstraints` CA flag; `None` when the extension is absent.
    pub is_ca: Option<bool>,
    /// `basicConstraints` pathLenConstraint, if any.
    pub path_len: Option<u32>,
    /// keyUsage bits (`keyCertSign`, `digitalSignature`, …); `None` when absent.
    pub key_usage: Option<Vec<String>>,
    /// extendedKeyUsage purposes (`serverAuth`, `clientAuth`, `any`, OIDs); `None` when absent.
    pub eku: Option<Vec<String>>,
    /// X.509 version: 1 or 3.
    pub version: u32,
    /// Signature algorithm, e.g. `sha256WithRSAEncryption`.
    pub signature_algorithm: String,
    /// Public key, e.g. `RSA-2048`, `EC-256`, `Ed25519`.
    pub key: String,
    /// SHA-256 of the DER, lowercase hex.
    pub sha256: String,
}

/// A client-side file as checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FileCheck {
    /// `ca`, `cert`, `key` or `crl` (the option it came from).
    pub role: String,
    /// Path as given.
    pub path: String,
    /// What it holds: `PEM, 2 certificates`, `DER certificate`, `PEM private key (PKCS#8)`, …
    pub holds: String,
    /// Whether MySQL clients can use it as given.
    pub usable: bool,
    /// Remarks (tolerated oddities such as a byte-order mark, or why it is unusable).
    pub notes: Vec<String>,
}

/// The doctor's answer for one server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Diagnosis {
    /// What was dialed.
    pub target: Target,
    /// The instant dates were checked against, RFC 3339 UTC.
    pub checked_at: String,
    /// Server version from the greeting, e.g. `9.4.0`.
    pub server_version: String,
    /// Capability flags of the greeting.
    pub capabilities: u32,
    /// Whether the greeting offers TLS (`CLIENT_SSL`).
    pub offers_tls: bool,
    /// The connection a client would make (both versions, all suites, `--cert`/`--key` if given):
    /// `TLSv1.3 TLS13_AES_128_GCM_SHA256`, or how it failed.
    pub handshake: Option<String>,
    /// Per version: accepted or how it failed. Empty when TLS is not offered.
    pub tls_versions: Vec<VersionProbe>,
    /// Per suite rustls knows: accepted or not. Empty when not probed.
    pub cipher_suites: Vec<SuiteProbe>,
    /// The server's chain as sent, leaf first.
    pub chain: Vec<CertInfo>,
    /// The certificates of the `--ca` file.
    pub ca: Vec<CertInfo>,
    /// The client-side files given.
    pub files: Vec<FileCheck>,
    /// The causes that apply, errors first; empty when none was found.
    pub causes: Vec<Cause>,
}

impl Diagnosis {
    /// The cause kinds found, sorted and deduplicated.
    pub fn cause_kinds(&self) -> Vec<CauseKind> {
        let mut kinds: Vec<CauseKind> = self.causes.iter().map(|c| c.cause).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }
}

/// JSON Schema of [`Diagnosis`] (`cargo xtask diagnose --json` output), pretty-printed.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Diagnosis);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Where the committed schema lives, relative to the repository root.
pub const SCHEMA_FILE: &str = "crates/doctor/diagnosis.schema.json";

/// Accumulates causes, one per kind, merging evidence.
#[derive(Default)]
pub(crate) struct Causes(pub(crate) Vec<Cause>);

impl Causes {
    pub(crate) fn add(&mut self, kind: CauseKind, severity: Severity, evidence: String, fix: &str) {
        if let Some(c) = self.0.iter_mut().find(|c| c.cause == kind) {
            if !c.evidence.contains(&evidence) {
                c.evidence.push(evidence);
            }
            if severity == Severity::Error {
                c.severity = Severity::Error;
            }
            return;
        }
        self.0.push(Cause {
            cause: kind,
            severity,
            evidence: vec![evidence],
            fix: fix.to_owned(),
        });
    }

    pub(crate) fn has(&self, kind: CauseKind) -> bool {
        self.0.iter().any(|c| c.cause == kind)
    }
}
