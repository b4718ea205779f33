//! The matrix harness: for each scenario, generate fixtures, boot the server, drive every
//! client with every ssl-mode, and turn the outcomes into a [`ScenarioReport`] whose rendering
//! is checked against the committed insta snapshot under `snapshots/`.
//!
//! Harness faults are [`Error`]s; everything clients and servers do is report data.

mod error;
mod report;
mod run;
mod snapshot;

pub use error::Error;
pub use report::{Row, ScenarioReport, ServerState};
pub use run::{RunContext, flavors_of, run_scenario, scenarios_root};
pub use snapshot::{SnapshotCheck, assert_snapshot, check_snapshot, snapshot_name};
