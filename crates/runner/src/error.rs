//! Harness faults of a whole run (a scenario run's own faults are results, see
//! [`crate::Results`]).

use std::path::PathBuf;

/// A run could not be made or its reports could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scenario file could not be listed, read or validated (the message names file and
    /// field), or a filter matched none.
    #[error(transparent)]
    Scenario(#[from] scenario::Error),
    /// `--flavor` names no built-in flavor.
    #[error("unknown flavor `{name}`; known: {known}")]
    UnknownFlavor {
        /// The name given.
        name: String,
        /// The built-in flavors.
        known: String,
    },
    /// Setting up the run failed: a scenario names an unknown flavor, a pinned or `--image`
    /// image could not be probed, a client name is unknown, the driver list is invalid.
    #[error(transparent)]
    Harness(#[from] harness::Error),
    /// The `--image` probe failed.
    #[error("detecting the server in image `{image}`: {source}")]
    Image {
        /// The image reference.
        image: String,
        /// Why.
        source: servers::Error,
    },
    /// Docker failed where the run itself needs it (the sweep after a signal or timeout).
    #[error(transparent)]
    Docker(#[from] containers::Error),
    /// The reviewed-violations file (`snapshots/violations.toml`) could not be read or parsed.
    #[error(transparent)]
    Reviewed(::verdict::ReviewedError),
    /// The `--baseline` report could not be read.
    #[error("reading the baseline report {}: {detail}", path.display())]
    Baseline {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// A report file could not be written.
    #[error("writing {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A benchmark path failed (`path` empty: the benchmark's own arguments).
    #[error("bench {path}: {detail}")]
    Bench {
        /// `fast`, `fresh`, `naive`, …
        path: String,
        /// What went wrong, with the log file to read.
        detail: String,
    },
    /// The async runtime could not be started.
    #[error("starting the async runtime: {0}")]
    Runtime(std::io::Error),
}
