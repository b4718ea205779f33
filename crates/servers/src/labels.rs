//! Docker labels on every container of a run, and the sweep that finds and removes what an
//! interrupted or killed run left behind.

use crate::Error;
use std::{collections::BTreeMap, process::Command};

/// Label set to `"1"` on every container this project starts.
pub const LABEL_PROJECT: &str = "io.github.mysql-tls-harness";
/// Label carrying the run id (`<unix-seconds>-<pid>`, or `HARNESS_RUN_ID` when set so a parent
/// such as `cargo xtask test` can sweep what its test processes left).
pub const LABEL_RUN: &str = "io.github.mysql-tls-harness.run";

/// The labels of one run.
#[derive(Debug, Clone)]
pub struct RunLabels {
    /// Run id, `<unix-seconds>-<pid>`.
    pub run_id: String,
}

impl RunLabels {
    /// Labels for the current process: run id from `HARNESS_RUN_ID` if set, else
    /// `<unix-seconds>-<pid>`.
    pub fn for_this_process() -> Self {
        if let Ok(run_id) = std::env::var("HARNESS_RUN_ID")
            && !run_id.is_empty()
        {
            return RunLabels { run_id };
        }
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

/// Force-removes every container carrying [`LABEL_PROJECT`] (and, when `run_id` is given, that
/// run's [`LABEL_RUN`]); returns how many were removed. Uses the `docker` CLI so it works even
/// when no async runtime is left (after Ctrl-C). Errors: [`Error::Exec`] when docker fails.
pub fn sweep(run_id: Option<&str>) -> Result<usize, Error> {
    let filter = match run_id {
        Some(id) => format!("label={LABEL_RUN}={id}"),
        None => format!("label={LABEL_PROJECT}"),
    };
    let fail = |detail: String| Error::Exec {
        what: format!("sweeping containers ({filter})"),
        detail,
    };
    let out = Command::new("docker")
        .args(["ps", "-aq", "--filter", &filter])
        .output()
        .map_err(|e| fail(e.to_string()))?;
    if !out.status.success() {
        return Err(fail(String::from_utf8_lossy(&out.stderr).into_owned()));
    }
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if ids.is_empty() {
        return Ok(0);
    }
    let rm = Command::new("docker")
        .args(["rm", "-f", "-v"])
        .args(&ids)
        .output()
        .map_err(|e| fail(e.to_string()))?;
    if !rm.status.success() {
        return Err(fail(String::from_utf8_lossy(&rm.stderr).into_owned()));
    }
    Ok(ids.len())
}
