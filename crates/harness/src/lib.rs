//! The matrix harness: for each scenario, generate fixtures, boot the server, drive every
//! client with every ssl-mode, and turn the outcomes into a [`ScenarioReport`] whose rendering
//! is checked against the committed insta snapshot under `snapshots/`.
//!
//! Harness faults are [`Error`]s; everything clients and servers do is report data.

mod bundle;
mod client_rig;
mod disagree;
mod error;
mod interposed;
mod json;
mod modes;
mod pending;
mod project;
mod report;
mod reporters;
mod repro;
mod reproduce;
mod rig;
mod run;
mod scaffold;
mod snapshot;

pub use bundle::{
    BundleCell, BundleCellKind, BundleRun, read_bundle_run, shell_quote, write_bundle,
};
pub use disagree::{Disagreement, disagreements, outcome_class, render_disagreements};
pub use error::Error;
pub use interposed::Seen;
pub use json::{
    Cell, Fault, MatrixReport, REPORT_FORMAT, REPORT_SCHEMA_FILE, ReloadRecord, Reviewed, RunInfo,
    RunRecord, report_json_schema, scorecard,
};
pub use modes::{ModeTable, render_mode_tables, ssl_mode_tables};
pub use pending::{Pending, Review, accept, pending_snapshots, review as review_snapshot};
pub use project::{CONFIG_FILE, Project, project, scenarios_root, use_project};
pub use report::{INFORMATIONAL_TLS_LINES, Row, ScenarioReport, ServerState, notable_lines};
pub use reporters::{
    CellChange, CellMark, STEP_SUMMARY_LIMIT, changes_since, insecure_cells, mark, render_changes,
    render_html, render_junit, render_markdown, render_step_summary,
};
pub use repro::{
    Closest, Reported, Reporter, Reproduction, normalize, reproduced_by, reproduction,
};
pub use reproduce::{Bundled, NewScenario, bundle_scenario, new_scenario};
pub use rig::cell_for;
pub use run::{
    BUILTIN_CLIENTS, FastPath, RunContext, flavors_of, pinned_flavors, removed, reuse_key,
    run_scenario, runs_on,
};
pub use scaffold::{Suggested, error_line, first_url, scaffold, suggest};
pub use snapshot::{
    SnapshotCheck, assert_named_snapshot, assert_snapshot, check_cells, check_snapshot,
    committed_snapshot, quick_check, reviewed_violations, reviewed_violations_path, snapshot_cells,
    snapshot_exists, snapshot_name,
};
