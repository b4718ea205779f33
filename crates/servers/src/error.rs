//! Typed errors of image building and server lifecycle. A server that runs without TLS is
//! not an error (it is data, see [`crate::TlsStatus`]); these are harness faults.

/// A harness fault while building an image or running a server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An image build step failed; `step` names it (e.g. `debootstrap`), `detail` has its output tail.
    #[error("building image {image}: {step} failed: {detail}")]
    ImageBuild {
        /// Image reference being built.
        image: String,
        /// The failing step.
        step: String,
        /// What it printed or why.
        detail: String,
    },
    /// The image is not present locally; the fix is `cargo xtask images`.
    #[error(
        "image {0} is not built; run `cargo xtask images` (or `cargo xtask matrix`, which builds it)"
    )]
    ImageMissing(String),
    /// No Debian mirror could be read from the machine's apt configuration.
    #[error(
        "no Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d/*.sources; set HARNESS_DEBIAN_MIRROR"
    )]
    NoMirror,
    /// Docker (through testcontainers) failed to start or talk to a container.
    #[error("container for {what}: {source}")]
    Container {
        /// Which container, e.g. `mysql-9 server for basic/valid`.
        what: String,
        /// testcontainers' error.
        source: testcontainers::TestcontainersError,
    },
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
