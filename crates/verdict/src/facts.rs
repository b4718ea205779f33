//! The facts of one scenario run: what the server offers, whether the chain it sends verifies
//! against the client's trust anchor (and if not, why), whether the dialled host matches the
//! certificate, what the account and the server demand. Facts never come from a client's
//! outcome: they are derived from the scenario's certificate model ([`crate::derive`]), read
//! from the server's own status (TLS on or off after boot and reload), or declared by hand in
//! the scenario's `[facts]` table.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Everything the verdicts of one scenario run are judged against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Facts {
    /// Whether the server offers TLS (CLIENT_SSL in its greeting): the server's own status
    /// after boot and after the reload, if any.
    pub server_tls: bool,
    /// The chain the server sends, judged against the CA file the client is given.
    pub chain: ChainFact,
    /// The dialled host (`client.host`) against the leaf's SAN, or its CN when it has no SAN.
    pub name: NameFact,
    /// The dialled host, e.g. `127.0.0.1`.
    pub host: String,
    /// Whether a plaintext login is refused by the server (`require_secure_transport=ON` or an
    /// account with any `REQUIRE` but `NONE`).
    pub plaintext_refused: bool,
    /// Whether the account demands a client certificate (`REQUIRE X509`, `ISSUER`, `SUBJECT`).
    pub identity_required: bool,
    /// Whether the client certificate the scenario gives (in the modes that take TLS options)
    /// is one the server accepts for the account: it verifies against the server's CA and
    /// matches the `ISSUER`/`SUBJECT`.
    pub identity_accepted: bool,
    /// Whether the TLS versions the server allows overlap `client.tls_version`, when the
    /// scenario limits the client (modes that take TLS options); `true` when it does not.
    pub common_tls_version: bool,
    /// Refusals a named policy explains (see the contract's `[policy.*]`): a client may refuse
    /// these where the ssl-mode promises a connection.
    pub policies: Vec<Policy>,
    /// What was declared by hand in the scenario's `[facts]`, if anything, and why.
    pub declared: Option<String>,
    /// Who stands between client and server: `None` for an honest network, else the
    /// scenario's `[attack]` or `[fault]` kind, e.g. `attack: impersonate`, `fault: trickle`.
    /// The other facts are then what the client is shown (the attacker's chain, a greeting
    /// without TLS), not what the server offers.
    #[serde(default)]
    pub interposer: Option<String>,
    /// Whether the interposer plays a network fault (a refusal is then no one's promise).
    #[serde(default)]
    pub fault: bool,
    /// Whether the interposer offers fewer TLS versions than the server (`downgrade`); a
    /// connection outside `client.tls_version` is then the client's doing.
    #[serde(default)]
    pub downgraded: bool,
}

/// The server chain as the client's trust anchor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "chain", rename_all = "kebab-case")]
pub enum ChainFact {
    /// A path from the leaf to a certificate of the client's CA file, every link valid.
    Valid {
        /// Certificate names from leaf to trust anchor, as the scenario names them.
        path: Vec<String>,
    },
    /// No valid path; the reasons, each naming the certificate.
    Invalid {
        /// Why, e.g. `expired: server`.
        defects: Vec<ChainDefect>,
    },
}

impl ChainFact {
    /// Whether the chain verifies.
    pub fn is_valid(&self) -> bool {
        matches!(self, ChainFact::Valid { .. })
    }
}

/// One reason the server chain does not verify for the client (RFC 5280 §6 path validation;
/// the names follow OpenSSL's `X509_V_ERR_*` where one exists).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ChainDefect {
    /// `notAfter` in the past (`X509_V_ERR_CERT_HAS_EXPIRED`); the certificate's name.
    Expired(String),
    /// `notBefore` in the future (`X509_V_ERR_CERT_NOT_YET_VALID`).
    NotYetValid(String),
    /// No issuer among the sent chain or the trust anchors, and the certificate is not itself
    /// an anchor (`X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY`, self-signed leaf included).
    Untrusted(String),
    /// The issuer exists but the server did not send it (an intermediate the client lacks).
    MissingIntermediate(String),
    /// An issuer without `basicConstraints CA:TRUE` (`X509_V_ERR_INVALID_CA`).
    IssuerNotCa(String),
    /// An issuer whose keyUsage lacks keyCertSign (`X509_V_ERR_KEYUSAGE_NO_CERTSIGN`).
    IssuerWithoutKeyCertSign(String),
    /// A CA's `pathlen` is exceeded (`X509_V_ERR_PATH_LENGTH_EXCEEDED`).
    PathLenExceeded(String),
    /// The leaf's extendedKeyUsage lacks serverAuth (`X509_V_ERR_INVALID_PURPOSE`).
    EkuNotServerAuth(String),
    /// The leaf's keyUsage allows neither digitalSignature nor keyEncipherment.
    KeyUsageUnsuitable(String),
    /// Listed in the CRL the client checks (`X509_V_ERR_CERT_REVOKED`).
    Revoked(String),
    /// The client's CA file cannot be read as certificates (missing, empty, truncated, bad
    /// base64): nothing is trusted. The file name.
    CaFileUnusable(String),
    /// The server's certificate or key file does not load, yet the server offers TLS with
    /// certificates the scenario did not make (e.g. MySQL's auto-generated ones).
    UnknownServerCertificate,
    /// DEFAULT mode: no CA is given, so the trust anchors are the system store, which holds
    /// none of the scenario's CAs.
    SystemTrustStore,
}

impl fmt::Display for ChainDefect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainDefect::Expired(c) => write!(f, "expired: {c}"),
            ChainDefect::NotYetValid(c) => write!(f, "not yet valid: {c}"),
            ChainDefect::Untrusted(c) => write!(f, "untrusted: {c}"),
            ChainDefect::MissingIntermediate(c) => write!(f, "missing intermediate: {c}"),
            ChainDefect::IssuerNotCa(c) => write!(f, "issuer not a CA: {c}"),
            ChainDefect::IssuerWithoutKeyCertSign(c) => write!(f, "issuer lacks keyCertSign: {c}"),
            ChainDefect::PathLenExceeded(c) => write!(f, "path length exceeded: {c}"),
            ChainDefect::EkuNotServerAuth(c) => write!(f, "EKU lacks serverAuth: {c}"),
            ChainDefect::KeyUsageUnsuitable(c) => write!(f, "keyUsage unsuitable: {c}"),
            ChainDefect::Revoked(c) => write!(f, "revoked: {c}"),
            ChainDefect::CaFileUnusable(c) => write!(f, "CA file unusable: {c}"),
            ChainDefect::UnknownServerCertificate => {
                f.write_str("server certificate not the scenario's")
            }
            ChainDefect::SystemTrustStore => f.write_str("no CA given (system trust store)"),
        }
    }
}

/// The dialled host against the leaf certificate (RFC 6125 / RFC 9525 rules: DNS SANs with a
/// left-most `*` matching exactly one label, IP SANs byte for byte; the CN only when the leaf
/// has no SAN at all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "name", rename_all = "kebab-case")]
pub enum NameFact {
    /// A SAN matches, e.g. `DNS:localhost`.
    Matches {
        /// The SAN that matched, in OpenSSL notation.
        san: String,
    },
    /// The leaf has no SAN and its CN equals the host: accepted by RFC 6125 §6.4.4 as a
    /// fallback, deprecated by RFC 9525 §6.3 ([`Policy::CnOnly`]).
    CnOnly,
    /// Nothing matches.
    Mismatch,
}

impl NameFact {
    /// Whether a verifier that accepts the CN fallback accepts the name.
    pub fn matches(&self) -> bool {
        !matches!(self, NameFact::Mismatch)
    }
}

/// A named, sound policy that explains a refusal the ssl-mode itself does not demand; its
/// sources are in the contract's `[policy.*]` tables.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// A SHA-1 or MD5 signature on a certificate of the chain (not the anchor's self-signature).
    WeakSignature,
    /// An RSA key under 2048 bits in the chain.
    WeakKey,
    /// An X.509 version 1 certificate in the chain.
    X509V1,
    /// The trust anchor's own certificate is out of its validity window, lacks `CA:TRUE` or
    /// keyCertSign, or its `pathlen` is exceeded, or it is not a root and its issuer is not in
    /// the CA file: RFC 5280 §6.1.1(d) takes an anchor as a name and a key and checks none of
    /// these; OpenSSL checks them all (and wants a self-signed root without partial chains).
    TrustAnchorChecks,
    /// The name matches only through the CN (no SAN).
    CnOnly,
    /// The server allows only TLS versions below 1.2 (RFC 8996).
    LegacyTlsVersion,
    /// The server restricts its cipher suites (`ssl_cipher`, `tls_ciphersuites`).
    SuiteRestriction,
    /// A file the client is given (CA, certificate, key, CRL) is not plain PEM as the manual
    /// asks: DER, a byte-order mark, CRLF line ends, text before the PEM block.
    ClientFileFormat,
    /// A file the client is given cannot be read at all (missing, empty, truncated, bad base64).
    ClientFileUnusable,
}

impl Policy {
    /// The kebab-case name used in snapshots and the contract file.
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::WeakSignature => "weak-signature",
            Policy::WeakKey => "weak-key",
            Policy::X509V1 => "x509-v1",
            Policy::TrustAnchorChecks => "trust-anchor-checks",
            Policy::CnOnly => "cn-only",
            Policy::LegacyTlsVersion => "legacy-tls-version",
            Policy::SuiteRestriction => "suite-restriction",
            Policy::ClientFileFormat => "client-file-format",
            Policy::ClientFileUnusable => "client-file-unusable",
        }
    }

    /// Every policy, in the order of the contract file.
    pub const ALL: [Policy; 9] = [
        Policy::WeakSignature,
        Policy::WeakKey,
        Policy::X509V1,
        Policy::TrustAnchorChecks,
        Policy::CnOnly,
        Policy::LegacyTlsVersion,
        Policy::SuiteRestriction,
        Policy::ClientFileFormat,
        Policy::ClientFileUnusable,
    ];
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Facts {
    /// One snapshot line: `TLS offered · chain valid · localhost matches DNS:localhost · …`;
    /// without TLS only `TLS NOT offered` and what the server demands.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(interposer) = &self.interposer {
            write!(f, "{interposer} · ")?;
        }
        if !self.server_tls {
            // No chain is sent and no name checked: only what the server demands matters.
            f.write_str("TLS NOT offered")?;
            if self.plaintext_refused {
                f.write_str(" · plaintext refused by the server")?;
            }
            if self.declared.is_some() {
                f.write_str(" · declared")?;
            }
            return Ok(());
        }
        f.write_str("TLS offered")?;
        match &self.chain {
            ChainFact::Valid { .. } => f.write_str(" · chain valid")?,
            ChainFact::Invalid { defects } => {
                let d: Vec<String> = defects.iter().map(ToString::to_string).collect();
                write!(f, " · chain INVALID ({})", d.join(", "))?
            }
        }
        match &self.name {
            NameFact::Matches { san } => write!(f, " · {} matches {san}", self.host)?,
            NameFact::CnOnly => write!(f, " · {} matches the CN only", self.host)?,
            NameFact::Mismatch => write!(f, " · {} does NOT match", self.host)?,
        }
        if self.plaintext_refused {
            f.write_str(" · plaintext refused by the server")?;
        }
        if self.identity_required {
            f.write_str(if self.identity_accepted {
                " · client certificate required and accepted"
            } else {
                " · client certificate required, the given one REFUSED"
            })?;
        }
        if !self.common_tls_version {
            f.write_str(" · no common TLS version")?;
        }
        if !self.policies.is_empty() {
            let p: Vec<&str> = self.policies.iter().map(|p| p.as_str()).collect();
            write!(f, " · policies: {}", p.join(", "))?;
        }
        if self.declared.is_some() {
            f.write_str(" · declared")?;
        }
        Ok(())
    }
}
