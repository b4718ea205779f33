//! Typed errors of everything that talks to Docker. A server or client that misbehaves inside
//! a container is not an error here (the callers turn that into data); these are harness faults.

/// A harness fault while building an image or handling a container.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A `docker` CLI invocation could not start or exited non-zero; `command` is what was run
    /// (e.g. `docker cp`), `detail` its exit status and output tail.
    #[error("`{command}` failed: {detail}")]
    Docker {
        /// The invocation, e.g. `docker cp /tmp/x/. 3f2a…:/etc/mysql/tls/`.
        command: String,
        /// Exit status and the tail of its output, or why it could not start.
        detail: String,
    },
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
    /// Docker (through testcontainers/bollard) failed to start or talk to a container.
    #[error("container for {what}: {source}")]
    Container {
        /// Which container, e.g. `mysql-9 server for basic/valid`.
        what: String,
        /// testcontainers' error.
        source: Box<testcontainers::TestcontainersError>,
    },
    /// Staging files on the host for a copy into a container failed.
    #[error("staging files for {what}: {source}")]
    Staging {
        /// What the files were for.
        what: String,
        /// The temporary directory or file write that failed.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A fixture file name that is not a plain file name would have been copied into a
    /// container outside its directory; nothing was started.
    #[error("{what}: refusing to copy `{}`: not a plain file name", name.escape_default())]
    UnsafeFileName {
        /// Which container.
        what: String,
        /// The refused name.
        name: String,
    },
}
