//! Typed errors for loading scenario files; every variant names the file.

use std::path::PathBuf;

/// Why a scenario file could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be read (missing, unreadable).
    #[error("{path}: cannot read scenario file: {source}")]
    Io {
        /// The scenario file.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML for the scenario schema (syntax, unknown field, wrong type);
    /// `message` is toml's report, which names the line, column and field.
    #[error("{path}: {message}")]
    Parse {
        /// The scenario file.
        path: PathBuf,
        /// toml's rendered error, with the offending line.
        message: String,
    },
    /// The file parsed but is inconsistent, e.g. a certificate names an issuer that does not exist.
    #[error("{path}: field `{field}`: {message}")]
    Invalid {
        /// The scenario file.
        path: PathBuf,
        /// Dotted path of the offending field, e.g. `certs.server.issuer`.
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A filter matched no scenario file.
    #[error("no scenario matches `{filter}` under {}", root.display())]
    NoMatch {
        /// The filter as given.
        filter: String,
        /// The scenarios directory searched.
        root: PathBuf,
    },
    /// A command about one scenario was given an id that matches several.
    #[error("`{id}` matches {count} scenarios; give one id, e.g. {examples}")]
    Ambiguous {
        /// The id as given.
        id: String,
        /// How many files match.
        count: usize,
        /// Up to three of them, relative to the scenarios directory.
        examples: String,
    },
}
