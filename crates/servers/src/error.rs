//! Typed errors of the server lifecycle. A server that runs without TLS is
//! not an error (it is data, see [`crate::TlsStatus`]); these are harness faults.

/// A harness fault while building an image or running a server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Docker failed: the image is missing, a container would not start, a copy failed
    /// (see [`containers::Error`]).
    #[error(transparent)]
    Docker(#[from] containers::Error),
    /// The server neither became ready nor exited within the startup timeout.
    #[error("{what}: not ready after {after:?}; last log lines:\n{log_tail}")]
    NotReady {
        /// Which server.
        what: String,
        /// The timeout that elapsed.
        after: std::time::Duration,
        /// The end of its log.
        log_tail: String,
    },
    /// A command run inside the container did not behave as the harness needs.
    #[error("{what}: {detail}")]
    Exec {
        /// What was being done.
        what: String,
        /// Exit code and output.
        detail: String,
    },
}
