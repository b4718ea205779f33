//! Docker labels on every container of a run, and the sweep that finds and removes what an
//! interrupted or killed run left behind.

use crate::Error;
use std::collections::BTreeMap;

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
/// run's [`LABEL_RUN`]); returns how many were removed. Synchronous (the `docker` CLI), so it
/// works when no async runtime is left: after a signal, a timeout or a panic.
///
/// Errors: [`Error::Docker`] when listing or removing fails.
pub fn sweep(run_id: Option<&str>) -> Result<usize, Error> {
    let label = match run_id {
        Some(id) => format!("{LABEL_RUN}={id}"),
        None => LABEL_PROJECT.to_owned(),
    };
    let ids = crate::docker::containers_matching(&format!("label={label}"))?;
    crate::docker::remove_containers(&ids)?;
    Ok(ids.len())
}

/// Times [`sweep_settled`] looks again, and the pause before each look.
const SETTLE_ROUNDS: u32 = 10;
const SETTLE_PAUSE: std::time::Duration = std::time::Duration::from_millis(300);

/// [`sweep`] of run `run_id` until the run has had no container for two looks in a row, at
/// most 10 looks 300 ms apart (about 3 s): a container whose creation Docker was already
/// handling when the run was cancelled appears only after the first sweep. Returns how many
/// were removed in all.
///
/// Errors: [`Error::Docker`] when listing or removing fails.
pub fn sweep_settled(run_id: &str) -> Result<usize, Error> {
    let mut removed = sweep(Some(run_id))?;
    let mut quiet = 0;
    for _ in 0..SETTLE_ROUNDS {
        std::thread::sleep(SETTLE_PAUSE);
        let now = sweep(Some(run_id))?;
        removed += now;
        quiet = if now == 0 { quiet + 1 } else { 0 };
        if quiet == 2 {
            break;
        }
    }
    Ok(removed)
}

/// Ids of the containers, running or not, of run `run_id` (label [`LABEL_RUN`]).
///
/// Errors: [`Error::Docker`] when Docker cannot list them.
pub fn containers_of_run(run_id: &str) -> Result<Vec<String>, Error> {
    crate::docker::containers_matching(&format!("label={LABEL_RUN}={run_id}"))
}
