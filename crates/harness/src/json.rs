//! The machine-readable report of a matrix run (`cargo xtask matrix --json FILE`): every
//! scenario run with its server state and every cell's outcome, plus timings the snapshots
//! leave out. Its JSON Schema is committed as [`REPORT_SCHEMA_FILE`]; `--baseline` and the
//! other reporters read this form.

use crate::{ScenarioReport, ServerState, SnapshotCheck};
use outcome::Outcome;
use scenario::SslMode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Format version of [`MatrixReport`]; bumped on incompatible changes.
pub const REPORT_FORMAT: u32 = 1;

/// Where the report's JSON Schema is committed, relative to the repository root.
pub const REPORT_SCHEMA_FILE: &str = "crates/harness/report.schema.json";

/// One matrix run.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MatrixReport {
    /// [`REPORT_FORMAT`] of the writer.
    pub format: u32,
    /// How the run was made.
    pub run: RunInfo,
    /// Scenario runs (scenario × flavor) that produced a report, in plan order.
    pub runs: Vec<RunRecord>,
    /// Scenario runs that produced no report (harness faults), with the error.
    pub faults: Vec<Fault>,
}

/// How the matrix ran.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunInfo {
    /// Start, RFC 3339 UTC.
    pub started_at: String,
    /// Wall time of the whole run, milliseconds.
    pub took_ms: u64,
    /// `fast` (reused servers, TLS reload between scenarios), `fresh` (a server per scenario)
    /// or `naive` (a server per scenario and a driver process per cell).
    pub path: String,
    /// Scenario runs executed at once.
    pub jobs: usize,
    /// Bound of one connection attempt, milliseconds.
    pub cell_timeout_ms: u64,
    /// `--shard i/n` when the run was one shard of the plan.
    pub shard: Option<String>,
}

/// A scenario run that failed as a harness fault (no report).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Fault {
    /// Scenario id.
    pub scenario: String,
    /// Flavor name.
    pub flavor: String,
    /// The error chain, one line.
    pub error: String,
}

/// One scenario on one flavor.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunRecord {
    /// Scenario id, e.g. `basic/expired-server-cert`.
    pub scenario: String,
    /// The scenario's description.
    pub description: String,
    /// Flavor name, e.g. `mysql-9` or `mysql-8.4.3` for a user image.
    pub flavor: String,
    /// `SELECT VERSION()` of the server (empty when it failed to start).
    pub server_version: String,
    /// The server after boot (and reload).
    pub server: ServerState,
    /// The scenario's TLS reload, if it has one.
    pub reload: Option<ReloadRecord>,
    /// The bug report's error text (scenario `reported`), if any.
    pub reported: Option<String>,
    /// Which cells reproduce `reported` (`<client> <mode> and N more cell(s)`); `None` when
    /// nothing reproduces it or the scenario has no `reported`.
    pub reproduced_by: Option<String>,
    /// The reproduction verdict as the snapshot words it (`reproduced by the reporter's client
    /// …`, `seen only in other clients …`, `NOT reproduced on this flavor; closest: …`); `None`
    /// when the scenario has no `reported`.
    #[serde(default)]
    pub reproduction: Option<String>,
    /// Whether this run used a server reused from an earlier scenario.
    pub reused_server: bool,
    /// What the cells were judged against (`None` only in reports built by hand).
    #[serde(default)]
    pub facts: Option<verdict::Facts>,
    /// Container start → ready, milliseconds (0 when reused or failed to start).
    pub boot_ms: u64,
    /// Client → version string, as each client reported it.
    pub client_versions: BTreeMap<String, String>,
    /// Comparison with the committed snapshot: `matches`, `differs`, `new` (none committed:
    /// the rendering is pending review), or `not-compared`.
    pub snapshot: String,
    /// One cell per client × ssl-mode.
    pub cells: Vec<Cell>,
}

/// A TLS reload's result.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReloadRecord {
    /// The statement, e.g. `ALTER INSTANCE RELOAD TLS`.
    pub statement: String,
    /// The server's error when it refused, e.g. `ERROR 3888 (HY000) …`.
    pub refused: Option<String>,
    /// TLS state after the reload.
    pub tls_enabled_after: bool,
    /// Round trip, milliseconds.
    pub took_ms: u64,
}

/// One client × ssl-mode attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Cell {
    /// Client name, e.g. `pymysql`.
    pub client: String,
    /// The ssl-mode as MySQL spells it.
    pub ssl_mode: SslMode,
    /// What happened (tagged by `outcome`: `connected`, `failed`, `hang`, `unsupported`).
    pub outcome: Outcome,
    /// The snapshot's one-line rendering of `outcome`.
    pub text: String,
    /// Wall time of the attempt, milliseconds (0 when answered from the mode table).
    pub took_ms: u64,
    /// When the run's snapshot differs: what the committed snapshot says for this cell
    /// (`None` when the cell agrees, the run was not compared, or the snapshot lacks the cell).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_expected: Option<String>,
    /// The cell's verdict under the ssl-mode contract (`None` when the run has no facts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<verdict::Verdict>,
    /// For an insecure violation: the reviewed explanation (`snapshots/violations.toml`), or
    /// `None` when it is new and unreviewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<Reviewed>,
    /// Behind an `[attack]` or `[fault]`: what the interposer saw during the cell (every client
    /// connection: TLS with its chain, the login read or in plaintext, the attacker's error,
    /// when the client gave up, bytes each way) and its one-line summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interposer: Option<crate::Seen>,
}

/// The reviewed explanation of an insecure violation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Reviewed {
    /// Why the client does it.
    pub why: String,
    /// The upstream report, if one exists.
    pub upstream: Option<String>,
}

impl Cell {
    /// For an insecure violation: the promise broken and what happened, e.g. `name: connected
    /// with TLS although the certificate does not name 127.0.0.1`; `None` for other verdicts.
    pub fn insecure_text(&self) -> Option<String> {
        match &self.verdict {
            Some(verdict::Verdict::Insecure { broken, why }) => {
                Some(format!("{}: {why}", broken.as_str()))
            }
            _ => None,
        }
    }

    /// `reviewed: <why> (<upstream>)`, or `UNREVIEWED` when no entry explains the cell.
    pub fn review_note(&self) -> String {
        self.reviewed.as_ref().map_or("UNREVIEWED".to_owned(), |r| {
            format!(
                "reviewed: {}{}",
                r.why,
                r.upstream
                    .as_deref()
                    .map(|u| format!(" ({u})"))
                    .unwrap_or_default()
            )
        })
    }

    /// Whether the cell is an insecure violation of its ssl-mode's promise.
    pub fn is_insecure(&self) -> bool {
        matches!(self.verdict, Some(verdict::Verdict::Insecure { .. }))
    }

    /// Whether the cell is an insecure violation no reviewed entry explains.
    pub fn unreviewed_insecure(&self) -> bool {
        self.is_insecure() && self.reviewed.is_none()
    }
}

impl Cell {
    /// Whether the cell connected.
    pub fn connected(&self) -> bool {
        matches!(self.outcome, Outcome::Connected { .. })
    }
}

fn ms(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl RunRecord {
    /// The record of `report`, with its snapshot comparison (`None`: not compared). When the
    /// snapshot differs, each differing cell carries the committed text. Each cell carries its
    /// verdict, and an insecure one its explanation from `reviewed` when listed there.
    pub fn new(
        report: &ScenarioReport,
        snapshot: Option<SnapshotCheck>,
        reviewed: &verdict::Reviewed,
    ) -> Self {
        let committed = (snapshot == Some(SnapshotCheck::Differs))
            .then(|| crate::committed_snapshot(&report.scenario, report.flavor))
            .flatten()
            .map(|text| crate::snapshot_cells(&text))
            .unwrap_or_default();
        let expected = |client: &str, mode: SslMode, text: &str| {
            if snapshot != Some(SnapshotCheck::Differs) {
                return None;
            }
            let want = committed
                .iter()
                .find(|(c, m, _)| c == client && m == mode.as_str())
                .map(|(_, _, o)| o.clone());
            match want {
                Some(w) if w == text.replace('\n', " ") => None,
                Some(w) => Some(w),
                None => Some("(no such cell in the snapshot)".to_owned()),
            }
        };
        RunRecord {
            scenario: report.scenario.clone(),
            description: report.description.clone(),
            flavor: report.flavor.to_owned(),
            server_version: report.server_version.clone(),
            server: report.server.redacted(),
            reload: report.reload.as_ref().map(|r| ReloadRecord {
                statement: r.statement.clone(),
                refused: r.refused.clone(),
                tls_enabled_after: r.tls_enabled_after,
                took_ms: ms(r.took),
            }),
            reported: report.reported.as_ref().map(|r| r.text.clone()),
            reproduced_by: crate::reproduced_by(report),
            reproduction: crate::reproduction(report).map(|r| r.to_string()),
            reused_server: report.reused_server,
            facts: report.facts.clone(),
            boot_ms: ms(report.boot_time),
            client_versions: report.client_versions.iter().cloned().collect(),
            snapshot: match snapshot {
                Some(SnapshotCheck::Matches) => "matches",
                Some(SnapshotCheck::Differs) => "differs",
                Some(SnapshotCheck::New) => "new",
                None => "not-compared",
            }
            .to_owned(),
            cells: report
                .rows
                .iter()
                .map(|row| {
                    let text = row.outcome.to_string();
                    let verdict = report.verdict(row);
                    let reviewed = match &verdict {
                        Some(verdict::Verdict::Insecure { broken, .. }) => reviewed
                            .explain(
                                &row.client,
                                row.ssl_mode,
                                *broken,
                                &report.scenario,
                                report.flavor,
                            )
                            .map(|v| Reviewed {
                                why: v.why.clone(),
                                upstream: v.upstream.clone(),
                            }),
                        _ => None,
                    };
                    Cell {
                        verdict,
                        reviewed,
                        client: row.client.clone(),
                        ssl_mode: row.ssl_mode,
                        snapshot_expected: expected(&row.client, row.ssl_mode, &text),
                        text,
                        outcome: row.outcome.clone(),
                        took_ms: ms(row.took),
                        interposer: row.seen.clone(),
                    }
                })
                .collect(),
        }
    }
}

impl MatrixReport {
    /// Reads a report written by `--json`.
    ///
    /// Errors: the file's I/O or JSON error, as text naming the file.
    pub fn read(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let report: MatrixReport =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if report.format != REPORT_FORMAT {
            return Err(format!(
                "{}: report format {} (this build reads {REPORT_FORMAT})",
                path.display(),
                report.format
            ));
        }
        Ok(report)
    }

    /// All cells with their run, in order.
    pub fn cells(&self) -> impl Iterator<Item = (&RunRecord, &Cell)> {
        self.runs
            .iter()
            .flat_map(|r| r.cells.iter().map(move |c| (r, c)))
    }
}

/// The verdicts of `report` counted per flavor, client and ssl-mode (cells without a verdict
/// left out).
pub fn scorecard(report: &MatrixReport) -> verdict::Scorecard {
    let mut card = verdict::Scorecard::default();
    for (run, cell) in report.cells() {
        if let Some(v) = &cell.verdict {
            card.add(&run.flavor, &cell.client, cell.ssl_mode, v);
        }
    }
    card
}

/// The JSON Schema of [`MatrixReport`], pretty-printed with a trailing newline.
pub fn report_json_schema() -> String {
    let schema = schemars::schema_for!(MatrixReport);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
