//! The client ssl-modes: MySQL's five, spelled as MySQL spells them (`--ssl-mode=VERIFY_CA`),
//! and `DEFAULT`, the library with no TLS option at all.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A client `--ssl-mode` value, as defined by MySQL's client options
/// (sql-common/client.cc `SSL_MODE_*`), plus `DEFAULT`. Drivers that spell them differently
/// map them in their adapters.
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
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SslMode {
    /// No TLS: plaintext TCP.
    Disabled,
    /// TLS if the server offers it, plaintext otherwise; no certificate verification.
    Preferred,
    /// TLS or fail; no certificate verification.
    Required,
    /// TLS, and the server chain must lead to the given CA (trust anchor); host name not checked.
    VerifyCa,
    /// As `VERIFY_CA`, and the dialed host must match the certificate's SAN (or CN).
    VerifyIdentity,
    /// No TLS option of any kind (no mode, CA, certificate, version or CRL, and no option file
    /// or environment variable that sets one): what the library does out of the box, which
    /// differs between libraries and releases (the MySQL CLI means PREFERRED, MariaDB's 11.4+
    /// client verifies, several drivers stay in plaintext).
    Default,
}

impl SslMode {
    /// All six: MySQL's five weakest first, then `DEFAULT`; the set a scenario runs unless it
    /// lists its own.
    pub const ALL: [SslMode; 6] = [
        SslMode::Disabled,
        SslMode::Preferred,
        SslMode::Required,
        SslMode::VerifyCa,
        SslMode::VerifyIdentity,
        SslMode::Default,
    ];

    /// Whether a client in this mode is given the scenario's TLS files and options (CA, client
    /// certificate and key, CRL, TLS version): every mode but DISABLED (no TLS) and DEFAULT
    /// (no TLS option of any kind).
    pub fn takes_tls_options(self) -> bool {
        !matches!(self, SslMode::Disabled | SslMode::Default)
    }

    /// The value as MySQL spells it, e.g. `VERIFY_IDENTITY`.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disabled => "DISABLED",
            SslMode::Preferred => "PREFERRED",
            SslMode::Required => "REQUIRED",
            SslMode::VerifyCa => "VERIFY_CA",
            SslMode::VerifyIdentity => "VERIFY_IDENTITY",
            SslMode::Default => "DEFAULT",
        }
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
