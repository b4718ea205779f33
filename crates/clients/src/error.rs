//! Harness faults of client adapters (not client failures, which are outcomes).

/// A harness fault while preparing or driving a client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Starting the client container or exec-ing into it failed.
    #[error("{what}: {detail}")]
    Container {
        /// What was being done.
        what: String,
        /// Docker's / testcontainers' error.
        detail: String,
    },
}
