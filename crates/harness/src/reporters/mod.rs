//! Reporters: views of a [`crate::MatrixReport`] for people and tools, separate from the
//! runner — Markdown (and the GitHub step summary), JUnit XML, a self-contained HTML page, and
//! the change list against a baseline report.

mod baseline;
mod html;
mod junit;
mod markdown;

pub use baseline::{CellChange, changes_since, render_changes};
pub use html::render_html;
pub use junit::render_junit;
pub use markdown::{STEP_SUMMARY_LIMIT, render_markdown, render_step_summary};

use crate::Cell;
use outcome::Outcome;

/// The insecure violations of `report`, unreviewed ones first, each with its run.
pub fn insecure_cells(report: &crate::MatrixReport) -> Vec<(&crate::RunRecord, &Cell)> {
    let mut cells: Vec<(&crate::RunRecord, &Cell)> =
        report.cells().filter(|(_, c)| c.is_insecure()).collect();
    cells.sort_by_key(|(_, c)| c.reviewed.is_some());
    cells
}

/// The short verdict of one cell, as every reporter shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellMark {
    /// Connected with TLS; the protocol version.
    Tls(String),
    /// Connected without TLS.
    Plain,
    /// Failed: the canonical class (`verification`, `handshake`, …) and the error code if any.
    Failed {
        /// Kebab-case failure class.
        class: String,
        /// MySQL error number, if the client gave one.
        code: Option<u16>,
    },
    /// No verdict within the cell timeout.
    Hang,
    /// The client has no such ssl-mode.
    Unsupported,
}

/// The short verdict of `cell`.
pub fn mark(cell: &Cell) -> CellMark {
    match &cell.outcome {
        Outcome::Connected { tls: Some(t) } => CellMark::Tls(t.version.clone()),
        Outcome::Connected { tls: None } => CellMark::Plain,
        Outcome::Failed { kind, code, .. } => CellMark::Failed {
            class: kind.as_str().to_owned(),
            code: *code,
        },
        Outcome::Hang { .. } => CellMark::Hang,
        Outcome::Unsupported { .. } => CellMark::Unsupported,
    }
}

#[cfg(test)]
mod tests {
    use crate::{Cell, MatrixReport, RunInfo, RunRecord, ServerState};
    use outcome::{FailureKind, Outcome};
    use scenario::SslMode;

    fn run(scenario: &str, clients: &[&str]) -> RunRecord {
        let cells = clients
            .iter()
            .flat_map(|client| {
                SslMode::ALL.into_iter().map(move |ssl_mode| {
                    let outcome = Outcome::Failed {
                        code: Some(2026),
                        sqlstate: Some("HY000".into()),
                        message: "SSL connection error: error:0A000086:SSL routines::certificate verify failed".into(),
                        kind: FailureKind::Verification,
                        raw_type: "mysql CLI exit 1".into(),
                    };
                    Cell {
                        client: (*client).to_owned(),
                        ssl_mode,
                        text: outcome.to_string(),
                        outcome,
                        took_ms: 5,
                        snapshot_expected: None,
                        verdict: None,
                        reviewed: None,
                        interposer: None,
                    }
                })
            })
            .collect();
        RunRecord {
            scenario: scenario.into(),
            description: "a description".into(),
            flavor: "mysql-9".into(),
            server_version: "9.7.4".into(),
            server: ServerState::Ready {
                tls_enabled: true,
                log: Vec::new(),
            },
            reload: None,
            reported: None,
            reproduced_by: None,
            reproduction: None,
            reused_server: false,
            facts: None,
            boot_ms: 1000,
            client_versions: Default::default(),
            snapshot: "matches".into(),
            cells,
        }
    }

    fn report(runs: Vec<RunRecord>) -> MatrixReport {
        MatrixReport {
            format: crate::REPORT_FORMAT,
            run: RunInfo {
                started_at: "2026-11-23T00:00:00Z".into(),
                took_ms: 1,
                path: "fast".into(),
                jobs: 2,
                cell_timeout_ms: 10_000,
                shard: None,
            },
            runs,
            faults: Vec::new(),
        }
    }

    #[test]
    fn step_summary_stays_under_githubs_limit_and_says_it_was_cut() {
        let clients: Vec<String> = (0..13).map(|i| format!("client-{i}")).collect();
        let names: Vec<&str> = clients.iter().map(String::as_str).collect();
        let big = report(
            (0..1500)
                .map(|i| run(&format!("group/scenario-{i}"), &names))
                .collect(),
        );
        let full = super::render_markdown(&big, true);
        assert!(
            full.len() > super::STEP_SUMMARY_LIMIT,
            "the fixture is big enough: {}",
            full.len()
        );
        let summary = super::render_step_summary(&big);
        assert!(
            summary.len() <= super::STEP_SUMMARY_LIMIT,
            "{}",
            summary.len()
        );
        assert!(summary.contains("Cut to fit GitHub's step-summary limit"));
        assert!(summary.contains("of 1500 scenario runs shown"));
        let small = report(vec![run("basic/valid", &names)]);
        assert_eq!(
            super::render_step_summary(&small),
            super::render_markdown(&small, true)
        );
    }

    #[test]
    fn baseline_compares_only_runs_and_clients_both_reports_have() {
        let before = report(vec![run("a/x", &["c1", "c2"]), run("a/y", &["c1", "c2"])]);
        let mut now = report(vec![run("a/x", &["c1"])]);
        assert!(
            super::changes_since(&before, &now).is_empty(),
            "filtered run: nothing gone"
        );
        now.runs[0].cells[2].text = "connected · TLSv1.3 · TLS_AES_128_GCM_SHA256".into();
        let changes = super::changes_since(&before, &now);
        assert_eq!(changes.len(), 1);
        assert_eq!(
            (changes[0].client.as_str(), changes[0].ssl_mode.as_str()),
            ("c1", "REQUIRED")
        );
        assert!(
            changes[0]
                .before
                .as_deref()
                .is_some_and(|b| b.starts_with("failed · verification"))
        );
        let table = super::render_changes(&changes, &before, &now);
        assert!(
            table.contains("| a/x | mysql-9 | c1 | REQUIRED | failed · verification"),
            "{table}"
        );
    }

    #[test]
    fn junit_fails_only_cells_that_differ_and_errors_on_faults() {
        let mut differs = run("a/x <&>", &["c1"]);
        differs.snapshot = "differs".into();
        differs.cells[1].snapshot_expected = Some("connected · no TLS".into());
        let header_only = {
            let mut r = run("a/y", &["c1"]);
            r.snapshot = "differs".into();
            r
        };
        let mut both = report(vec![differs, header_only, run("a/z", &["c1"])]);
        both.faults.push(crate::Fault {
            scenario: "a/broken".into(),
            flavor: "mysql-9".into(),
            error: "docker: gone \u{1b}[31m".into(),
        });
        let xml = super::render_junit(&both);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        assert_eq!(
            root.attribute("tests"),
            Some("22"),
            "7 cases per run (the server and six ssl-modes) plus the fault"
        );
        assert_eq!(
            root.attribute("failures"),
            Some("2"),
            "one cell, one server header"
        );
        assert_eq!(root.attribute("errors"), Some("1"));
        let suite = doc
            .descendants()
            .find(|n| n.attribute("name") == Some("a/x <&>@mysql-9"))
            .expect("names are escaped and read back");
        let failed: Vec<&str> = suite
            .children()
            .filter(|c| c.children().any(|f| f.has_tag_name("failure")))
            .filter_map(|c| c.attribute("name"))
            .collect();
        assert_eq!(failed, ["c1 PREFERRED"]);
    }
}
