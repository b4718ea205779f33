//! Snapshot checking with insta against the top-level `snapshots/` directory, one file per
//! scenario and flavor (`snapshots/<group>__<name>@<flavor>.snap`). Both the test suite and
//! `cargo xtask matrix` go through here, so the snapshot header is the same for both.

use crate::ScenarioReport;
use std::{panic::AssertUnwindSafe, path::PathBuf};

/// Result of comparing a report to its committed snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotCheck {
    /// The rendering equals the committed snapshot.
    Matches,
    /// It differs, or no snapshot exists; insta printed the diff (and, outside CI, wrote a
    /// `.snap.new` for `cargo insta review`).
    Differs,
}

/// Snapshot file stem for a report: `basic/expired-server-cert` on `mysql-9` →
/// `basic__expired-server-cert@mysql-9`.
pub fn snapshot_name(report: &ScenarioReport) -> String {
    format!("{}@{}", report.scenario.replace('/', "__"), report.flavor)
}

fn snapshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../snapshots")
}

/// The committed snapshot file of `scenario` (id) on `flavor` (name), if any, as text.
pub fn committed_snapshot(scenario: &str, flavor: &str) -> Option<String> {
    let name = format!("{}@{flavor}.snap", scenario.replace('/', "__"));
    std::fs::read_to_string(snapshot_dir().join(name)).ok()
}

/// The `(client, ssl-mode, outcome text)` rows of a snapshot's table, in order (cell escapes
/// undone: `\|` is `|`; newlines were rendered as spaces).
pub fn snapshot_cells(text: &str) -> Vec<(String, String, String)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| {
            let mut parts = l.splitn(3, " | ");
            let client = parts.next()?.to_owned();
            let mode = parts.next()?.to_owned();
            let outcome = parts.next()?.strip_suffix(" |")?.replace("\\|", "|");
            (client != "client").then_some((client, mode, outcome))
        })
        .collect()
}

/// The report's cells compared with the committed snapshot's rows, silently: `Matches` when
/// every cell of a client the snapshot has equals its row; `None` when no snapshot is committed
/// or it has none of the report's clients (e.g. a user's own driver). For runs that select
/// clients or ssl-modes (a subset of the snapshot's rows); the header is not compared.
pub fn check_cells(report: &ScenarioReport) -> Option<SnapshotCheck> {
    let committed = snapshot_cells(&committed_snapshot(&report.scenario, report.flavor)?);
    let comparable: Vec<_> = report
        .rows
        .iter()
        .filter(|row| committed.iter().any(|(c, _, _)| *c == row.client))
        .collect();
    if comparable.is_empty() {
        return None;
    }
    let same = comparable.iter().all(|row| {
        let text = row.outcome.to_string().replace('\n', " ");
        committed
            .iter()
            .any(|(c, m, o)| *c == row.client && m == row.ssl_mode.as_str() && *o == text)
    });
    Some(if same {
        SnapshotCheck::Matches
    } else {
        SnapshotCheck::Differs
    })
}

/// The whole rendering compared with the committed snapshot's body, silently (no diff printed,
/// no `.snap.new` written): `None` when no snapshot is committed. For `--fail-fast` decisions;
/// the printed verdict comes from [`check_snapshot`].
pub fn quick_check(report: &ScenarioReport) -> Option<SnapshotCheck> {
    let text = committed_snapshot(&report.scenario, report.flavor)?;
    let body = text.splitn(3, "---\n").nth(2).unwrap_or(&text);
    Some(if body.trim_end() == report.render_snapshot().trim_end() {
        SnapshotCheck::Matches
    } else {
        SnapshotCheck::Differs
    })
}

/// Whether `snapshots/<snapshot_name>.snap` is committed for this report.
pub fn snapshot_exists(report: &ScenarioReport) -> bool {
    snapshot_dir()
        .join(format!("{}.snap", snapshot_name(report)))
        .exists()
}

/// Asserts the report against its snapshot; panics with insta's diff on mismatch (for tests).
pub fn assert_snapshot(report: &ScenarioReport) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(snapshot_dir());
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(format!("{} on {}", report.scenario, report.flavor));
    settings.bind(|| insta::assert_snapshot!(snapshot_name(report), report.render_snapshot()));
}

/// Asserts `body` against `snapshots/<name>.snap` (for snapshots that are not scenario
/// reports, e.g. `drivers__ssl_mode_tables`); panics with insta's diff on mismatch.
pub fn assert_named_snapshot(name: &str, description: &str, body: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(snapshot_dir());
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(description);
    settings.bind(|| insta::assert_snapshot!(name, body));
}

/// Like [`assert_snapshot`] but returns the verdict instead of panicking (for the matrix CLI).
/// insta has already printed the diff when it panics, so the panic message and backtrace are
/// silenced for the duration of the check.
pub fn check_snapshot(report: &ScenarioReport) -> SnapshotCheck {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| assert_snapshot(report)));
    std::panic::set_hook(previous);
    match result {
        Ok(()) => SnapshotCheck::Matches,
        Err(_) => SnapshotCheck::Differs,
    }
}
