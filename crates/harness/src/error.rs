//! Harness faults: anything that stops a scenario from producing a report.

/// Why a scenario produced no report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The scenario file is unusable.
    #[error(transparent)]
    Scenario(#[from] scenario::Error),
    /// Fixture generation or writing failed.
    #[error(transparent)]
    Certgen(#[from] certgen::Error),
    /// Image, container or admin-query fault.
    #[error(transparent)]
    Server(#[from] servers::Error),
    /// A client adapter fault (not a client failure).
    #[error(transparent)]
    Client(#[from] clients::Error),
    /// `server.flavors` names a flavor the harness does not know.
    #[error(
        "scenario `{scenario}`: field `server.flavors`: unknown flavor `{name}`; known: {known}"
    )]
    UnknownFlavor {
        /// Scenario id.
        scenario: String,
        /// The unknown name.
        name: String,
        /// Known flavor names.
        known: String,
    },
    /// `server.image` names an image that cannot be used (not in the local engine, or its
    /// probe boot failed).
    #[error(
        "scenario `{scenario}`: field `server.image`: `{image}`: {source}; `docker pull {image}` (or build it) first, or remove the field to run on the built-in flavors"
    )]
    PinnedImage {
        /// Scenario id.
        scenario: String,
        /// The pinned image reference.
        image: String,
        /// Why detection failed.
        source: Box<servers::Error>,
    },
    /// `reporter` names neither a client nor a library family of this run.
    #[error(
        "scenario `{scenario}`: field `reporter`: `{name}` is neither a client nor a family; known: {known}"
    )]
    UnknownReporter {
        /// Scenario id.
        scenario: String,
        /// The unknown name.
        name: String,
        /// Known clients and families.
        known: String,
    },
    /// `--client` names a client the harness does not know.
    #[error("unknown client `{name}`; known: {known}")]
    UnknownClient {
        /// The unknown name.
        name: String,
        /// Known client names.
        known: String,
    },
    /// Writing or reading a repro bundle failed (the message names the path or field).
    #[error("repro bundle: {0}")]
    Bundle(String),
    /// `repro new` could not write its scenario (bad name, file exists, write failed).
    #[error("{}: {detail}", path.display())]
    NewScenario {
        /// The scenario file it would write.
        path: std::path::PathBuf,
        /// What is wrong and what to do.
        detail: String,
    },
    /// The interposer of an `[attack]` or `[fault]` scenario could not be built, started or
    /// read.
    #[error("scenario `{scenario}`: interposer: {detail}")]
    Interposer {
        /// Scenario id.
        scenario: String,
        /// What failed.
        detail: String,
    },
    /// The project's `harness.toml`, scenarios directory or drivers file is unusable.
    #[error("{}: {detail}", path.display())]
    Project {
        /// The file or directory.
        path: std::path::PathBuf,
        /// What is wrong and which option or field set it.
        detail: String,
    },
    /// A snapshot file could not be written or moved (the path says which).
    #[error("{}: {source}", path.display())]
    SnapshotFile {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Creating the temporary fixture directory failed.
    #[error("temporary fixture directory: {0}")]
    TempDir(std::io::Error),
}
