//! The outcome model of one cell (client × ssl-mode × server).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Negotiated TLS parameters as the server reports them for the session
/// (`Ssl_version`, `Ssl_cipher` session status).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TlsInfo {
    /// Protocol, e.g. `TLSv1.3`.
    pub version: String,
    /// Cipher suite, e.g. `TLS_AES_256_GCM_SHA384`.
    pub cipher: String,
}

/// Canonical class of a failure, the same across drivers.
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
#[non_exhaustive]
pub enum FailureKind {
    /// The client refused its own configuration (unreadable CA file, bad option) before dialing.
    Config,
    /// TCP-level failure: refused, reset, timeout while connecting (e.g. 2003, 2013).
    Transport,
    /// The client wanted TLS and the server did not offer it ("SSL is required but the server
    /// doesn't support it", error 2026).
    ServerNoTls,
    /// The server refused a plaintext connection (`require_secure_transport`, error 3159).
    ServerRequiresTls,
    /// TLS handshake failed for a reason other than certificate verification (protocol, cipher, alert).
    Handshake,
    /// The server's certificate chain or name did not verify (expired, unknown issuer, SAN mismatch).
    Verification,
    /// The connection was made but login was refused (1045, 2061, …).
    Auth,
    /// Anything else; the raw message says what.
    Other,
}

impl FailureKind {
    /// Kebab-case name used in snapshots, e.g. `verification`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Config => "config",
            FailureKind::Transport => "transport",
            FailureKind::ServerNoTls => "server-no-tls",
            FailureKind::ServerRequiresTls => "server-requires-tls",
            FailureKind::Handshake => "handshake",
            FailureKind::Verification => "verification",
            FailureKind::Auth => "auth",
            FailureKind::Other => "other",
        }
    }
}

/// What happened in one cell. A failure of the client or server under test is an outcome,
/// never a harness error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// Logged in and ran a query; `tls` is `None` for a plaintext session.
    Connected {
        /// Negotiated TLS, if any.
        tls: Option<TlsInfo>,
    },
    /// The attempt failed.
    Failed {
        /// MySQL error number if the client reported one (2026 is `CR_SSL_CONNECTION_ERROR` in
        /// MySQL's include/errmsg.h; 1045 `ER_ACCESS_DENIED_ERROR`; 3159 `ER_SECURE_TRANSPORT_REQUIRED`).
        code: Option<u16>,
        /// SQLSTATE if reported, e.g. `HY000`.
        sqlstate: Option<String>,
        /// The client's message as it surfaced, redacted with [`crate::redact`].
        message: String,
        /// Canonical class.
        kind: FailureKind,
        /// The driver's own error type, e.g. `mysql::Error::TlsError` or `mysql CLI exit 1`.
        raw_type: String,
    },
    /// No verdict within the cell timeout.
    Hang {
        /// The timeout that elapsed, in milliseconds.
        after_ms: u64,
    },
    /// The client has no equivalent of the requested ssl-mode.
    Unsupported {
        /// Why, e.g. "the driver has no PREFERRED: TLS options make TLS mandatory".
        reason: String,
    },
}

impl fmt::Display for Outcome {
    /// One snapshot cell: `connected · TLSv1.3 · TLS_AES_256_GCM_SHA384`,
    /// `failed · verification · 2026 (HY000) · SSL connection error: …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Connected { tls: Some(t) } => {
                write!(f, "connected · {} · {}", t.version, t.cipher)
            }
            Outcome::Connected { tls: None } => write!(f, "connected · no TLS"),
            Outcome::Failed {
                code,
                sqlstate,
                message,
                kind,
                raw_type,
            } => {
                write!(f, "failed · {}", kind.as_str())?;
                match (code, sqlstate) {
                    (Some(c), Some(s)) => write!(f, " · {c} ({s})")?,
                    (Some(c), None) => write!(f, " · {c}")?,
                    _ => write!(f, " · {raw_type}")?,
                }
                write!(f, " · {message}")
            }
            Outcome::Hang { after_ms } => write!(f, "hang · no verdict after {after_ms} ms"),
            Outcome::Unsupported { reason } => write!(f, "unsupported · {reason}"),
        }
    }
}
