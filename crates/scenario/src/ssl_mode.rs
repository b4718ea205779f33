//! The five client ssl-modes, spelled as MySQL spells them (`--ssl-mode=VERIFY_CA`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A client `--ssl-mode` value, as defined by MySQL's client options
/// (sql-common/client.cc `SSL_MODE_*`). Drivers that spell them differently map
/// these five in their adapters.
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
}

impl SslMode {
    /// All five, weakest first: the default set a scenario runs.
    pub const ALL: [SslMode; 5] = [
        SslMode::Disabled,
        SslMode::Preferred,
        SslMode::Required,
        SslMode::VerifyCa,
        SslMode::VerifyIdentity,
    ];

    /// The value as MySQL spells it, e.g. `VERIFY_IDENTITY`.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disabled => "DISABLED",
            SslMode::Preferred => "PREFERRED",
            SslMode::Required => "REQUIRED",
            SslMode::VerifyCa => "VERIFY_CA",
            SslMode::VerifyIdentity => "VERIFY_IDENTITY",
        }
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
