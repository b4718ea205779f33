//! Insecure violations that have been reviewed: a committed file (`violations.toml` beside the
//! snapshots) lists each with a one-line explanation and, where one exists, the upstream
//! report. A violation it does not list is new and fails the matrix until reviewed.

use crate::judge::Broken;
use scenario::SslMode;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// File name of the reviewed list, in the snapshot directory.
pub const REVIEWED_FILE: &str = "violations.toml";

/// One reviewed insecure violation (or family of them).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewedViolation {
    /// Client name, e.g. `node-mysql`.
    pub client: String,
    /// The ssl-mode, as MySQL spells it.
    pub ssl_mode: SslMode,
    /// The promise broken: `plaintext`, `chain`, `name` or `version`.
    pub broken: Broken,
    /// Scenario ids or id prefixes ending in `/` (e.g. `names/`) it covers; empty: every
    /// scenario.
    #[serde(default)]
    pub scenarios: Vec<String>,
    /// Flavors it covers; empty: every flavor.
    #[serde(default)]
    pub flavors: Vec<String>,
    /// Why the client does it, in one line, with the exact options where they matter.
    pub why: String,
    /// The upstream report (issue tracker URL), if one exists.
    #[serde(default)]
    pub upstream: Option<String>,
}

impl ReviewedViolation {
    /// Whether this entry covers the violation of `client` in `mode` breaking `broken` in
    /// `scenario` on `flavor`.
    pub fn covers(
        &self,
        client: &str,
        mode: SslMode,
        broken: Broken,
        scenario: &str,
        flavor: &str,
    ) -> bool {
        self.client == client
            && self.ssl_mode == mode
            && self.broken == broken
            && (self.scenarios.is_empty()
                || self.scenarios.iter().any(|s| {
                    s == scenario || (s.ends_with('/') && scenario.starts_with(s.as_str()))
                }))
            && (self.flavors.is_empty() || self.flavors.iter().any(|f| f == flavor))
    }
}

/// The reviewed list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reviewed {
    /// The entries, in file order.
    #[serde(default)]
    pub violation: Vec<ReviewedViolation>,
}

/// Errors reading the reviewed list.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReviewedError {
    /// The file exists but cannot be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not valid TOML for the list's shape; the message names the field.
    #[error(
        "{path}: {source}\n  each [[violation]] needs client, ssl_mode, broken (plaintext, chain, name or version) and why"
    )]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why.
        source: toml::de::Error,
    },
}

impl Reviewed {
    /// Reads the list at `path`; a missing file is an empty list.
    pub fn load(path: &Path) -> Result<Reviewed, ReviewedError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Reviewed::default()),
            Err(source) => {
                return Err(ReviewedError::Read {
                    path: path.into(),
                    source,
                });
            }
        };
        toml::from_str(&text).map_err(|source| ReviewedError::Parse {
            path: path.into(),
            source,
        })
    }

    /// The entry explaining this violation, if any.
    pub fn explain(
        &self,
        client: &str,
        mode: SslMode,
        broken: Broken,
        scenario: &str,
        flavor: &str,
    ) -> Option<&ReviewedViolation> {
        self.violation
            .iter()
            .find(|v| v.covers(client, mode, broken, scenario, flavor))
    }
}
