//! The crate's error type.

/// Everything that can go wrong while framing packets, preparing TLS or relaying a connection.
///
/// Per-connection errors only end that connection; they are never reported on stdout except
/// through the [`Connection`](crate::Connection) fields they leave behind.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O error on a socket or on stdin/stdout.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// A MySQL packet, greeting, TLS record or input line is longer than allowed: `len` bytes
    /// announced (or read) against a limit of `limit` bytes.
    #[error("{what} of {len} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// What was too large, e.g. `"MySQL packet"` or `"TLS record"`.
        what: &'static str,
        /// Length announced by the header (or read so far), in bytes.
        len: usize,
        /// The limit that applied, in bytes.
        limit: usize,
    },
    /// The peer closed the connection cleanly at a packet boundary (EOF before any header byte).
    #[error("connection closed by the peer")]
    Closed,
    /// The peer closed the connection in the middle of a packet or record.
    #[error("connection closed in the middle of a {0}")]
    Truncated(&'static str),
    /// Bytes that do not follow the expected layout (e.g. a greeting that is not HandshakeV10 or
    /// ERR, or a TLS record with an unknown content type).
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// A step did not complete within its bound, in milliseconds.
    #[error("timed out after {0} ms")]
    Timeout(u64),
    /// The TLS configuration could not be built from the play (bad PEM, key mismatch, unknown
    /// TLS version name).
    #[error("TLS configuration: {0}")]
    TlsConfig(String),
    /// A rustls error while building a configuration.
    #[error("TLS: {0}")]
    Tls(#[from] rustls::Error),
    /// The configuration line on stdin is missing or not a valid [`Config`](crate::Config).
    #[error("configuration: {0}")]
    Config(String),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
