//! Docker labels on every container of a run, so a sweep can find what a killed run left.

use std::collections::BTreeMap;

/// Label set to `"1"` on every container this project starts.
pub const LABEL_PROJECT: &str = "io.github.mysql-tls-harness";
/// Label carrying the run id (`<unix-seconds>-<pid>`), unique per process.
pub const LABEL_RUN: &str = "io.github.mysql-tls-harness.run";

/// The labels of one run.
#[derive(Debug, Clone)]
pub struct RunLabels {
    /// Run id, `<unix-seconds>-<pid>`.
    pub run_id: String,
}

impl RunLabels {
    /// Labels for the current process.
    pub fn for_this_process() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        RunLabels {
            run_id: format!("{secs}-{}", std::process::id()),
        }
    }

    /// The label map to put on a container.
    pub fn as_map(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (LABEL_PROJECT.to_owned(), "1".to_owned()),
            (LABEL_RUN.to_owned(), self.run_id.clone()),
        ])
    }
}
