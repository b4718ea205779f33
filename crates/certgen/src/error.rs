//! Typed errors of fixture generation; each names the scenario and the field at fault.

use std::path::PathBuf;

/// Why fixtures could not be generated or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scenario field names a test key that does not exist.
    #[error("scenario `{scenario}`: field `{field}`: no test key `{key}`; available: {available}")]
    UnknownKey {
        /// Scenario id.
        scenario: String,
        /// Dotted field path, e.g. `certs.server.key`.
        field: String,
        /// The unknown key name.
        key: String,
        /// Comma-separated list of the committed test keys.
        available: String,
    },
    /// rcgen refused to build or sign a certificate.
    #[error("scenario `{scenario}`: certificate `{cert}`: {source}")]
    Mint {
        /// Scenario id.
        scenario: String,
        /// Certificate name in the scenario.
        cert: String,
        /// rcgen's error.
        source: rcgen::Error,
    },
    /// A version-1 or SHA-1/MD5 certificate could not be re-encoded and re-signed.
    #[error("scenario `{scenario}`: certificate `{cert}`: {message}")]
    Rewrite {
        /// Scenario id.
        scenario: String,
        /// Certificate name in the scenario.
        cert: String,
        /// What failed, e.g. "Sha1 signatures need an RSA issuer key".
        message: String,
    },
    /// A key file could not be encoded or encrypted.
    #[error("scenario `{scenario}`: file `{file}`: {message}")]
    Key {
        /// Scenario id.
        scenario: String,
        /// File name.
        file: String,
        /// What failed.
        message: String,
    },
    /// A validity offset moved a date outside what X.509 can encode.
    #[error(
        "scenario `{scenario}`: field `certs.{cert}`: validity offset leaves the representable date range"
    )]
    DateRange {
        /// Scenario id.
        scenario: String,
        /// Certificate name in the scenario.
        cert: String,
    },
    /// Writing the fixture directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory being written.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// A file name that is not a plain file name (a path, `..`, a separator, an odd
    /// character) reached a writer; nothing was written outside `dir`. Scenario validation
    /// refuses such names first; this is the writer's own guard.
    #[error("{}: refusing to write `{}`: not a plain file name inside this directory", dir.display(), name.escape_default())]
    UnsafeFileName {
        /// The directory being written.
        dir: PathBuf,
        /// The refused name.
        name: String,
    },
}
