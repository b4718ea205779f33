//! Errors of the doctor: only what stops a diagnosis (no MySQL server to talk to, bad
//! arguments). Everything the server does wrong is a [`crate::Cause`], not an error.

/// Why no diagnosis could be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// TCP connect or the greeting exchange failed (refused, unreachable, timed out).
    #[error("cannot reach a MySQL server at {target}: {detail}")]
    Connect {
        /// `host:port` dialed.
        target: String,
        /// What went wrong.
        detail: String,
    },
    /// The server answered with a MySQL error packet instead of a handshake
    /// (e.g. 1129 host blocked, 1040 too many connections).
    #[error("the server refused the connection: error {code}: {message}")]
    ServerError {
        /// MySQL error code.
        code: u16,
        /// The server's message.
        message: String,
    },
    /// Whatever answered is not a MySQL server speaking protocol v10.
    #[error("not a MySQL server (protocol v10 handshake expected): {0}")]
    NotMysql(String),
    /// `--server-name` is neither a DNS name nor an IP address.
    #[error("--server-name {0:?} is neither a DNS name nor an IP address")]
    BadServerName(String),
    /// rustls refused a configuration (a bug, or a provider without the needed suites).
    #[error("TLS configuration: {0}")]
    Tls(String),
}
