//! `--baseline FILE`: what changed since an earlier JSON report (a driver or server upgrade's
//! effect), as a Markdown table ready to paste into a PR. Only scenario runs present in both
//! reports and clients present in both are compared, so a filtered run (`--client`, a shard)
//! does not show everything else as removed.

use super::markdown::escape;
use crate::MatrixReport;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// One cell whose outcome text differs between the baseline and the current report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellChange {
    /// Scenario id.
    pub scenario: String,
    /// Flavor name.
    pub flavor: String,
    /// Client name.
    pub client: String,
    /// ssl-mode as MySQL spells it.
    pub ssl_mode: String,
    /// The baseline's outcome text (`None`: the cell is new, e.g. a mode added to the scenario).
    pub before: Option<String>,
    /// The current outcome text (`None`: the cell is gone).
    pub after: Option<String>,
}

type Key = (String, String, String, String);

/// The cells that differ, in the current report's order (gone cells last). Server versions
/// are compared too: a run whose server version changed yields no extra row but its cells'
/// differences are what a server upgrade did.
pub fn changes_since(baseline: &MatrixReport, current: &MatrixReport) -> Vec<CellChange> {
    let runs_of = |r: &MatrixReport| -> BTreeSet<(String, String)> {
        r.runs
            .iter()
            .map(|run| (run.scenario.clone(), run.flavor.clone()))
            .collect()
    };
    let clients_of = |r: &MatrixReport| -> BTreeSet<String> {
        r.cells().map(|(_, c)| c.client.clone()).collect()
    };
    let common_runs: BTreeSet<_> = runs_of(baseline)
        .intersection(&runs_of(current))
        .cloned()
        .collect();
    let common_clients: BTreeSet<_> = clients_of(baseline)
        .intersection(&clients_of(current))
        .cloned()
        .collect();
    let cells = |r: &MatrixReport| -> Vec<(Key, String)> {
        r.cells()
            .filter(|(run, c)| {
                common_runs.contains(&(run.scenario.clone(), run.flavor.clone()))
                    && common_clients.contains(&c.client)
            })
            .map(|(run, c)| {
                (
                    (
                        run.scenario.clone(),
                        run.flavor.clone(),
                        c.client.clone(),
                        c.ssl_mode.to_string(),
                    ),
                    c.text.clone(),
                )
            })
            .collect()
    };
    let before: BTreeMap<Key, String> = cells(baseline).into_iter().collect();
    let now = cells(current);
    let mut changes = Vec::new();
    for (key, text) in &now {
        let old = before.get(key);
        if old != Some(text) {
            changes.push(change(key, old.cloned(), Some(text.clone())));
        }
    }
    let current_keys: BTreeSet<&Key> = now.iter().map(|(k, _)| k).collect();
    for (key, text) in &before {
        if !current_keys.contains(key) {
            changes.push(change(key, Some(text.clone()), None));
        }
    }
    changes
}

fn change(key: &Key, before: Option<String>, after: Option<String>) -> CellChange {
    CellChange {
        scenario: key.0.clone(),
        flavor: key.1.clone(),
        client: key.2.clone(),
        ssl_mode: key.3.clone(),
        before,
        after,
    }
}

/// The changes as Markdown: a heading with counts, then one row per changed cell.
pub fn render_changes(
    changes: &[CellChange],
    baseline: &MatrixReport,
    current: &MatrixReport,
) -> String {
    let compared = current.cells().count();
    let mut out = format!(
        "## Changes since the baseline ({} of {compared} cells differ; baseline from {})\n\n",
        changes.len(),
        escape(&baseline.run.started_at)
    );
    let versions = |r: &MatrixReport| -> BTreeMap<String, String> {
        r.runs
            .iter()
            .flat_map(|run| {
                run.client_versions
                    .iter()
                    .map(|(c, v)| (c.clone(), v.clone()))
            })
            .collect()
    };
    let (old_versions, new_versions) = (versions(baseline), versions(current));
    for (client, version) in &new_versions {
        if let Some(old) = old_versions.get(client).filter(|old| *old != version) {
            let _ = writeln!(out, "- {client}: {} → {}", escape(old), escape(version));
        }
    }
    if changes.is_empty() {
        out.push_str("\nNo cell changed.\n");
        return out;
    }
    out.push_str(
        "\n| scenario | flavor | client | ssl-mode | before | after |\n|---|---|---|---|---|---|\n",
    );
    for c in changes {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            c.scenario,
            c.flavor,
            c.client,
            c.ssl_mode,
            c.before.as_deref().map_or("(new cell)".to_owned(), escape),
            c.after.as_deref().map_or("(gone)".to_owned(), escape),
        );
    }
    out
}
